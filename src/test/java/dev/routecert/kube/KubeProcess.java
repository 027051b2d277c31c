package dev.routecert.kube;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One server process of the test cluster: its output goes to a log file, whose tail explains failures. */
final class KubeProcess implements AutoCloseable {

    /** A readiness check; an exception counts as "not ready yet" and is kept for the failure message. */
    @FunctionalInterface
    interface Probe {
        boolean ready() throws Exception;
    }

    private static final int TAIL_LINES = 40;

    private final String name;
    private final Process process;
    private final Path log;

    private KubeProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static KubeProcess start(String name, List<String> command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "# " + String.join(" ", command) + "\n");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            return new KubeProcess(name, process, log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** Polls {@code probe} until it passes; fails early when the process exits, with the log tail. */
    void awaitReady(Duration timeout, Probe probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception lastError = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw failure("exited with code " + process.exitValue() + " before it was ready");
            }
            try {
                if (probe.ready()) {
                    return;
                }
                lastError = null;
            } catch (Exception e) {
                lastError = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("interrupted while waiting for it to be ready");
            }
        }
        throw failure("not ready after " + timeout.toSeconds() + " s"
                + (lastError == null ? "" : " (last probe error: " + lastError + ")"));
    }

    IllegalStateException failure(String why) {
        return new IllegalStateException(name + " (pid " + pid() + ") " + why + "\n--- last lines of " + log + " ---\n"
                + logTail() + "--- end of " + log.getFileName() + " ---");
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            StringBuilder tail = new StringBuilder();
            lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size())
                    .forEach(l -> tail.append(l).append('\n'));
            return tail.toString();
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")\n";
        }
    }

    /** Stops the process and anything it started: SIGTERM, then SIGKILL after a grace period. */
    @Override
    public void close() {
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
