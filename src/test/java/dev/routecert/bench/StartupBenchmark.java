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
 * Start-up of {@code routecert serve} from the jar: wall time from process start to the first 200
 * from {@code /readyz}, the CPU time and RSS at that moment, and the latency of the first review
 * after it (on a new connection, as the API server's first call); plain, and with a JDK 25 AOT cache
 * made by a training run that served the review mix. Runs alternate between the variants, and the
 * table shows medians.
 */
final class StartupBenchmark {

    record Run(double readyMs, long rssKb, double cpuMs, double firstReviewMs) {}

    record Variant(String name, List<String> jvmOptions, List<Run> runs) {
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

    private final Path dir;
    private final BenchServer.Pki pki;
    private final Path jar;
    private final int runs;
    final List<Variant> variants = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    StartupBenchmark(Path dir, BenchServer.Pki pki, Path jar, int runs) {
        this.dir = dir;
        this.pki = pki;
        this.jar = jar;
        this.runs = runs;
    }

    void run() throws Exception {
        Path cache = dir.resolve("routecert.aot");
        Files.deleteIfExists(cache);
        variants.add(new Variant(
                "JDK " + Runtime.version().feature() + ", plain", LoadBenchmark.SERVER_JVM, new ArrayList<>()));
        if (Runtime.version().feature() >= 25) {
            train(cache);
            if (Files.exists(cache)) {
                List<String> options = new ArrayList<>(LoadBenchmark.SERVER_JVM);
                options.add("-XX:AOTCache=" + cache);
                variants.add(new Variant(
                        "JDK " + Runtime.version().feature() + ", AOT cache (-XX:AOTCache, "
                                + Files.size(cache) / (1024 * 1024) + " MB)",
                        options,
                        new ArrayList<>()));
            } else {
                notes.add("the AOT training run wrote no cache; see " + dir.resolve("routecert.log"));
            }
        } else {
            notes.add("no AOT cache row: -XX:AOTCacheOutput needs JDK 25, this is " + Runtime.version());
        }
        for (int i = 0; i < runs; i++) {
            for (Variant variant : variants) {
                Run run = once(variant.jvmOptions());
                variant.runs().add(run);
                Bench.progress(String.format(
                        Locale.ROOT,
                        "start-up %-40s ready in %5.0f ms (CPU %5.0f ms), RSS %4.0f MB, first review %4.0f ms",
                        variant.name(),
                        run.readyMs(),
                        run.cpuMs(),
                        run.rssKb() / 1024.0,
                        run.firstReviewMs()));
            }
        }
    }

    /** A training run: start, serve the review mix for a few seconds, stop; the JVM writes the cache on exit. */
    private void train(Path cache) throws Exception {
        Bench.progress("AOT training run");
        List<String> options = new ArrayList<>(LoadBenchmark.SERVER_JVM);
        options.add("-XX:AOTCacheOutput=" + cache);
        try (BenchServer server = BenchServer.routecert(jar, pki, dir, options, List.of())) {
            LoadBenchmark.runClient(new LoadClient.Options(
                    server.port,
                    2,
                    true,
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(1),
                    100_000,
                    pki.ca(),
                    server.check,
                    server.pid()));
            LoadBenchmark.runClient(new LoadClient.Options(
                    server.port,
                    2,
                    false,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    100_000,
                    pki.ca(),
                    server.check,
                    server.pid()));
        }
    }

    private Run once(List<String> jvmOptions) throws Exception {
        int port = BenchServer.freePort();
        int health = BenchServer.freePort();
        List<String> command = BenchServer.serveCommand(jar, pki, jvmOptions, port, health);
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
        md.append(
                "| JVM | runs | ready median ms | min–max ms | CPU to ready, median ms | RSS at ready, median MB | first review, median ms |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (Variant v : variants) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %.0f | %.0f–%.0f | %.0f | %.0f | %.1f |%n",
                    v.name(),
                    v.runs().size(),
                    v.medianReadyMs(),
                    v.minReadyMs(),
                    v.maxReadyMs(),
                    v.medianCpuMs(),
                    v.medianRssMb(),
                    v.medianFirstReviewMs()));
        }
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
