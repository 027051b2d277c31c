package dev.routecert.bench;

import dev.routecert.admission.ApiServerReviews;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Start-up of routecert as the image runs it, from the jar: {@code serve}'s wall time from process
 * start to the first 200 from {@code /readyz}, the CPU time and RSS at that moment, and the latency of
 * the first review after it (on a new connection, as the API server's first call); and {@code check}
 * of one file, process start to exit. Plain, and with the AOT cache made as the image build makes it
 * (the Dockerfile's training run, {@code routecert warmup} under {@code -XX:AOTCacheOutput}). Runs
 * alternate between the variants, and the table shows medians; the classes each command loads are
 * counted once, without the cache (with one, the JVM maps every cached class at start).
 */
final class StartupBenchmark {

    record Run(double readyMs, long rssKb, double cpuMs, double firstReviewMs) {}

    /** One {@code check}: wall time from process start to exit, and the CPU time it used. */
    record CheckRun(double wallMs, double cpuMs) {}

    record Variant(String name, List<String> jvmOptions, List<Run> runs, List<CheckRun> checks) {
        double medianCheckMs() {
            return median(checks.stream().mapToDouble(CheckRun::wallMs).toArray());
        }

        double medianCheckCpuMs() {
            return median(checks.stream().mapToDouble(CheckRun::cpuMs).toArray());
        }

        double minCheckMs() {
            return checks.stream().mapToDouble(CheckRun::wallMs).min().orElse(0);
        }

        double maxCheckMs() {
            return checks.stream().mapToDouble(CheckRun::wallMs).max().orElse(0);
        }

        double medianReadyMs() {
            return median(runs.stream().mapToDouble(Run::readyMs).toArray());
        }

        double medianRssMb() {
            return median(runs.stream().mapToDouble(r -> r.rssKb() / 1024.0).toArray());
        }

        double medianCpuMs() {
            return median(runs.stream().mapToDouble(Run::cpuMs).toArray());
        }

        double medianFirstReviewMs() {
            return median(runs.stream().mapToDouble(Run::firstReviewMs).toArray());
        }

        double minReadyMs() {
            return runs.stream().mapToDouble(Run::readyMs).min().orElse(0);
        }

        double maxReadyMs() {
            return runs.stream().mapToDouble(Run::readyMs).max().orElse(0);
        }
    }

    /** An Ingress whose TLS covers its hosts: allowed, without a cluster. */
    private static final byte[] FIRST_REVIEW = ApiServerReviews.createIngress().bytes();

    /** One Ingress whose TLS covers its hosts, with an issuer: allowed, with the Certificate it needs. */
    static final String CHECKED_FILE = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: shop
              namespace: web
              annotations:
                cert-manager.io/cluster-issuer: letsencrypt-prod
            spec:
              tls:
                - hosts: [shop.example.com, www.shop.example.com]
                  secretName: shop-tls
              rules:
                - host: shop.example.com
                - host: www.shop.example.com
            """;

    private final Path dir;
    private final BenchServer.Pki pki;
    private final List<String> launch;
    private final int runs;
    private final boolean aot;
    final List<Variant> variants = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    int checkClasses;
    int serveClasses;

    StartupBenchmark(Path dir, BenchServer.Pki pki, Path jar, int runs) {
        this(dir, pki, List.of("-jar", jar.toString()), runs, true);
    }

    /**
     * {@code launch} starts routecert after the JVM options ({@code -jar} and the jar, or a class path
     * and the main class); {@code aot} adds the cached variant, which needs JDK 25 and a jar.
     */
    StartupBenchmark(Path dir, BenchServer.Pki pki, List<String> launch, int runs, boolean aot) {
        this.dir = dir;
        this.pki = pki;
        this.launch = launch;
        this.runs = runs;
        this.aot = aot;
    }

    void run() throws Exception {
        Files.createDirectories(dir);
        Path cache = dir.resolve("routecert.aot");
        Files.deleteIfExists(cache);
        Path checked = dir.resolve("checked.yaml");
        Files.writeString(checked, CHECKED_FILE);
        variants.add(new Variant(
                "JDK " + Runtime.version().feature() + ", plain",
                LoadBenchmark.SERVER_JVM,
                new ArrayList<>(),
                new ArrayList<>()));
        checkClasses = classesLoaded(logOption -> check(LoadBenchmark.SERVER_JVM, checked, logOption));
        serveClasses = classesLoaded(logOption -> once(LoadBenchmark.SERVER_JVM, logOption));
        if (!aot) {
            notes.add("no AOT cache row: this run measured routecert without one");
        } else if (Runtime.version().feature() >= 25) {
            train(cache);
            if (Files.exists(cache)) {
                List<String> options = new ArrayList<>(LoadBenchmark.SERVER_JVM);
                options.add("-XX:AOTCache=" + cache);
                variants.add(new Variant(
                        "JDK " + Runtime.version().feature() + ", the image's AOT cache ("
                                + Files.size(cache) / (1024 * 1024) + " MB)",
                        options,
                        new ArrayList<>(),
                        new ArrayList<>()));
            } else {
                notes.add("the AOT training run wrote no cache; see " + dir.resolve("routecert.log"));
            }
        } else {
            notes.add("no AOT cache row: -XX:AOTCacheOutput needs JDK 25, this is " + Runtime.version());
        }
        for (int i = 0; i < runs; i++) {
            for (Variant variant : variants) {
                Run run = once(variant.jvmOptions(), null);
                variant.runs().add(run);
                CheckRun check = check(variant.jvmOptions(), checked, null);
                variant.checks().add(check);
                Bench.progress(String.format(
                        Locale.ROOT,
                        "start-up %-40s ready in %5.0f ms (CPU %5.0f ms), RSS %4.0f MB, first review %4.0f ms;"
                                + " check of one file %5.0f ms (CPU %5.0f ms)",
                        variant.name(),
                        run.readyMs(),
                        run.cpuMs(),
                        run.rssKb() / 1024.0,
                        run.firstReviewMs(),
                        check.wallMs(),
                        check.cpuMs()));
            }
        }
    }

    /** A command run once with the {@code -Xlog:class+load} option it is given. */
    private interface Logged {
        void run(String logOption) throws Exception;
    }

    private int classesLoaded(Logged logged) throws Exception {
        Path log = dir.resolve("class-load.log");
        Files.deleteIfExists(log);
        logged.run("-Xlog:class+load:file=" + log);
        try (var lines = Files.lines(log)) {
            return (int) lines.filter(l -> l.contains("source:")).count();
        }
    }

    /** The image's training run, the Dockerfile's RUN line: {@code routecert warmup}; the JVM writes the cache on exit. */
    private void train(Path cache) throws Exception {
        Bench.progress("AOT training run (routecert warmup, as the image build runs it)");
        List<String> command = new ArrayList<>(List.of(BenchServer.java()));
        command.addAll(LoadBenchmark.SERVER_JVM);
        command.add("-XX:AOTCacheOutput=" + cache);
        command.addAll(launch);
        command.add("warmup");
        Path log = dir.resolve("training.log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the AOT training run did not finish: " + Files.readString(log));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(
                    "the AOT training run exited with " + process.exitValue() + ": " + Files.readString(log));
        }
    }

    /** {@code routecert check FILE}, process start to exit; the file is allowed, so exit code 0. */
    private CheckRun check(List<String> jvmOptions, Path file, String logOption) throws Exception {
        List<String> command = new ArrayList<>(List.of(BenchServer.java()));
        command.addAll(jvmOptions);
        if (logOption != null) {
            command.add(logOption);
        }
        command.addAll(launch);
        command.addAll(List.of("check", file.toString()));
        Path log = dir.resolve("check.log");
        long cpuBefore = ProcStats.reapedChildrenCpuNanos();
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("routecert check did not finish within 60 s: " + Files.readString(log));
        }
        double ms = (System.nanoTime() - start) / 1e6;
        double cpuMs = (ProcStats.reapedChildrenCpuNanos() - cpuBefore) / 1e6;
        if (process.exitValue() != 0 || !Files.readString(log).contains("1 allowed, 0 denied")) {
            throw new IllegalStateException(
                    "routecert check exited with " + process.exitValue() + ": " + Files.readString(log));
        }
        return new CheckRun(ms, cpuMs);
    }

    private Run once(List<String> jvmOptions, String logOption) throws Exception {
        int port = BenchServer.freePort();
        int health = BenchServer.freePort();
        List<String> options = new ArrayList<>(jvmOptions);
        if (logOption != null) {
            options.add(logOption);
        }
        List<String> command = BenchServer.serveCommand(launch, pki, options, port, health);
        Path log = dir.resolve("startup.log");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            long deadline = start + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (BenchServer.httpGetStatus(health, "/readyz") == 200) {
                    double ms = (System.nanoTime() - start) / 1e6;
                    double cpuMs = ProcStats.cpuNanos(process.pid()) / 1e6;
                    long rssKb = ProcStats.statusKb(process.pid(), "VmRSS:");
                    return new Run(ms, rssKb, cpuMs, firstReviewMs(port, pki.ca()));
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "routecert exited with " + process.exitValue() + ": " + Files.readString(log));
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException("routecert was not ready within 60 s: " + Files.readString(log));
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** One review on a new connection, as the API server's first call after the Pod is ready. */
    static double firstReviewMs(int port, Path caPem) throws Exception {
        try (HttpClient client =
                HttpClient.newBuilder().sslContext(LoadClient.trusting(caPem)).build()) {
            long sent = System.nanoTime();
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/mutate"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(FIRST_REVIEW))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            double ms = (System.nanoTime() - sent) / 1e6;
            if (response.statusCode() != 200 || !response.body().contains("\"allowed\":true")) {
                throw new IllegalStateException(
                        "the first review was answered " + response.statusCode() + ": " + response.body());
            }
            return ms;
        }
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| JVM | runs | serve ready, median ms | min–max ms | CPU to ready, median ms"
                + " | RSS at ready, median MB | first review, median ms | check of one file, median ms | min–max ms"
                + " | check's CPU, median ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Variant v : variants) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %.0f | %.0f–%.0f | %.0f | %.0f | %.1f | %.0f | %.0f–%.0f | %.0f |%n",
                    v.name(),
                    v.runs().size(),
                    v.medianReadyMs(),
                    v.minReadyMs(),
                    v.maxReadyMs(),
                    v.medianCpuMs(),
                    v.medianRssMb(),
                    v.medianFirstReviewMs(),
                    v.medianCheckMs(),
                    v.minCheckMs(),
                    v.maxCheckMs(),
                    v.medianCheckCpuMs()));
        }
        md.append(String.format(
                Locale.ROOT,
                "%nClasses loaded without a cache: %d by `check` of one file, %d by `serve` until ready.%n",
                checkClasses,
                serveClasses));
        return md.toString();
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
