package dev.routecert.kube;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The executables the test cluster runs, as {@code src/test/kube/kube-binaries.sh} prepared them
 * (Maven passes its result to Failsafe as system properties).
 */
public record KubeBinaries(Path apiserver, Path controllerManager, Path etcd) {

    public static final String BIN_PROPERTY = "routecert.kube.bin";
    public static final String ETCD_PROPERTY = "routecert.kube.etcd";

    private static final String HOW_TO_FIX = "`mvn verify` prepares them by running src/test/kube/kube-binaries.sh"
            + " in pre-integration-test; when running an IT on its own, run that script and pass"
            + " -D" + BIN_PROPERTY + "=<the KUBE_BIN_DIR it prints> (or set ROUTECERT_KUBE_BIN).";

    /** Resolves and checks the binaries; throws with the reason and the fix when any is missing. */
    public static KubeBinaries locate() {
        String bin = firstNonBlank(System.getProperty(BIN_PROPERTY), System.getenv("ROUTECERT_KUBE_BIN"));
        if (bin == null) {
            throw new IllegalStateException("Kubernetes binaries not configured: system property " + BIN_PROPERTY
                    + " is not set. " + HOW_TO_FIX);
        }
        Path dir = Path.of(bin);
        String etcdProperty = firstNonBlank(System.getProperty(ETCD_PROPERTY), null);
        Path etcd = etcdProperty != null ? Path.of(etcdProperty) : onPath("etcd");
        if (etcd == null) {
            throw new IllegalStateException("etcd not found on PATH (Debian package etcd-server). " + HOW_TO_FIX);
        }
        return new KubeBinaries(
                requireExecutable(dir.resolve("kube-apiserver")),
                requireExecutable(dir.resolve("kube-controller-manager")),
                requireExecutable(etcd));
    }

    /** The first executable named {@code name} on PATH, or null. */
    public static Path onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(s -> !s.isBlank())
                .map(s -> Path.of(s, name))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
    }

    private static Path requireExecutable(Path file) {
        if (!Files.isExecutable(file)) {
            throw new IllegalStateException("Kubernetes binary missing or not executable: " + file + ". " + HOW_TO_FIX);
        }
        return file;
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : null;
    }
}
