package dev.routecert.kube;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs command-line tools (kubectl, ss) for tests, with a bound on their run time. */
public final class Commands {

    /** What a finished command printed, and how it exited. */
    public record CommandResult(int exitCode, String stdout, String stderr) {
        /** Both streams, for assertion messages. */
        public String output() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    private Commands() {}

    public static CommandResult run(List<String> command) throws IOException, InterruptedException {
        return run(command, null);
    }

    /** Runs {@code command}, feeding {@code stdin} (or nothing) to it. */
    public static CommandResult run(List<String> command, String stdin) throws IOException, InterruptedException {
        Path err = Files.createTempFile("routecert-cmd", ".err");
        try {
            Process process =
                    new ProcessBuilder(command).redirectError(err.toFile()).start();
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(command + " did not finish within 60 s");
            }
            return new CommandResult(process.exitValue(), out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** {@code kubectl --kubeconfig <cluster's> args...}, with {@code stdin} as its input (for {@code -f -}). */
    public static CommandResult kubectl(KubeCluster cluster, String stdin, String... args)
            throws IOException, InterruptedException {
        Path kubectl = KubeBinaries.onPath("kubectl");
        assertNotNull(
                kubectl, "kubectl not on PATH (kube-binaries.sh installs Debian's kubernetes-client when missing)");
        List<String> command = new ArrayList<>(
                List.of(kubectl.toString(), "--kubeconfig", cluster.kubeconfig().toString()));
        command.addAll(List.of(args));
        return run(command, stdin);
    }
}
