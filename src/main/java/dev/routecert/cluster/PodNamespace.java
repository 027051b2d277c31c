package dev.routecert.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The namespace this process's pod runs in: {@code POD_NAMESPACE} (the Deployment sets it from the
 * downward API), else the namespace file of the mounted service account; empty outside a pod.
 */
public final class PodNamespace {

    static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private PodNamespace() {}

    public static Optional<String> find() {
        return find(System.getenv(), SERVICE_ACCOUNT_NAMESPACE);
    }

    static Optional<String> find(Map<String, String> env, Path namespaceFile) {
        String fromEnv = env.get("POD_NAMESPACE");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(fromEnv.strip());
        }
        try {
            String fromFile =
                    Files.readString(namespaceFile, StandardCharsets.UTF_8).strip();
            return fromFile.isEmpty() ? Optional.empty() : Optional.of(fromFile);
        } catch (IOException e) {
            return Optional.empty(); // not in a pod, or no service account mounted
        }
    }
}
