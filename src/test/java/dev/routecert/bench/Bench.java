package dev.routecert.bench;

import dev.routecert.admission.ApiServerReviews;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark and writes one Markdown report ({@code target/bench/results.md}); {@code mvn
 * -Pbench verify} calls it. Figures are printed, never asserted: this machine is shared, so each
 * figure is put beside a reference measured in the same run.
 *
 * <p>System properties: {@code bench.parts} (default {@code load,policy,worstcase,startup}), {@code
 * bench.measureSeconds}, {@code bench.worstcaseBytes}, {@code bench.worstcaseWarmups}, {@code
 * bench.worstcaseRuns}, {@code bench.warmupSeconds}, {@code bench.serverWarmupSeconds}, {@code
 * bench.connections}, {@code bench.startupRuns}, {@code bench.jar}, {@code bench.out}.
 */
public final class Bench {

    private Bench() {}

    static void progress(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        Set<String> parts = Set.of(System.getProperty("bench.parts", "load,policy,worstcase,startup")
                .split(","));
        Path jar =
                Path.of(System.getProperty("bench.jar", "target/routecert.jar")).toAbsolutePath();
        Path out = Path.of(System.getProperty("bench.out", "target/bench/results.md"))
                .toAbsolutePath();
        Path dir = Files.createDirectories(out.getParent());
        if ((parts.contains("load") || parts.contains("startup")) && !Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (mvn -DskipTests package)");
        }
        // Ctrl-C or SIGTERM: stop every process this benchmark started (servers, clients, the test cluster)
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy),
                        "bench-stop-children"));
        BenchServer.Pki pki = BenchServer.Pki.create(dir.resolve("pki"));
        Report report = new Report(out);
        report.header(parts);

        if (parts.contains("load")) {
            LoadBenchmark.Settings settings = new LoadBenchmark.Settings(
                    Arrays.stream(System.getProperty("bench.connections", "1,8,32")
                                    .split(","))
                            .map(Integer::parseInt)
                            .toList(),
                    Duration.ofSeconds(Long.getLong("bench.serverWarmupSeconds", 150)),
                    Duration.ofSeconds(Long.getLong("bench.warmupSeconds", 3)),
                    Duration.ofSeconds(Long.getLong("bench.measureSeconds", 10)),
                    5_000_000);
            LoadBenchmark load = new LoadBenchmark(settings, dir, pki, jar, nginx(report));
            load.run();
            report.load(load, settings);
        }
        if (parts.contains("policy")) {
            progress("JMH: policy benchmarks");
            JmhBenchmarks jmh = new JmhBenchmarks(1, 3, 5, TimeValue.seconds(1));
            jmh.run();
            report.section(
                    "Policy, JMH (average time per call; 1 fork, 3 warm-up and 5 measured iterations of 1 s)",
                    """
                    The pure policy (`policy/`): rule parsing, and full evaluation (coverage, defaults, patch, Certificate \
                    plan) of the mix's small IngressRoute CREATE and of its 1.4 MiB object. For scale, the whole \
                    `/mutate` handler without HTTP (JSON parse, verdict, JSON answer).""",
                    jmh.markdown());
        }
        if (parts.contains("worstcase")) {
            WorstCaseBenchmark worst = new WorstCaseBenchmark(
                    Integer.getInteger("bench.worstcaseBytes", ApiServerReviews.LARGE_OBJECT_BYTES),
                    Integer.getInteger("bench.worstcaseWarmups", 5),
                    Integer.getInteger("bench.worstcaseRuns", 9));
            worst.run();
            report.worstCase(worst);
        }
        if (parts.contains("startup")) {
            StartupBenchmark startup = new StartupBenchmark(dir, pki, jar, Integer.getInteger("bench.startupRuns", 7));
            startup.run();
            report.startup(startup, jar);
        }
        if (parts.contains("cluster") || parts.contains("kubectl")) {
            loadKubeProperties();
            ClusterBenchmarks cluster = new ClusterBenchmarks(
                    dir,
                    parts,
                    Integer.getInteger("bench.clusterRoutes", 5000),
                    Integer.getInteger("bench.applyRuns", 15));
            try {
                cluster.run();
                report.cluster(cluster);
            } catch (Exception | AssertionError e) {
                e.printStackTrace();
                report.note("the cluster benchmarks failed: " + e);
                cluster.notes.forEach(report::note);
                if (!cluster.applies.isEmpty() || !cluster.sizes.isEmpty()) {
                    report.cluster(cluster);
                }
            }
        }
        report.finish();
        progress("results written to " + out);
        System.out.println(Files.readString(out));
    }

    /** The test cluster's binaries, as kube-binaries.sh wrote them for Failsafe. */
    private static void loadKubeProperties() throws IOException {
        Path file = Path.of(System.getProperty("bench.kubeProperties", "target/kube-env/kube.properties"));
        if (Files.isRegularFile(file)) {
            Properties properties = new Properties();
            try (var in = Files.newInputStream(file)) {
                properties.load(in);
            }
            properties.forEach((k, v) -> System.setProperty((String) k, (String) v));
        }
    }

    /** nginx for the reference row: the one on PATH, else installed from Debian when we are root; null if neither works. */
    private static Path nginx(Report report) {
        Path nginx = findNginx();
        if (nginx == null
                && Files.isExecutable(Path.of("/usr/bin/apt-get"))
                && "root".equals(System.getProperty("user.name"))) {
            progress("nginx not found: apt-get install nginx-light");
            try {
                Process p = new ProcessBuilder("apt-get", "install", "-y", "-q", "nginx-light")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                report.note("nginx install failed: " + e.getMessage());
            }
            nginx = findNginx();
        }
        if (nginx == null) {
            report.note("nginx is not installed (and `apt-get install nginx-light` did not work here): no nginx rows.");
        }
        return nginx;
    }

    private static Path findNginx() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    /** The Markdown report, rewritten after each part so an interrupted run still leaves its figures. */
    static final class Report {
        private final Path out;
        private final StringBuilder md = new StringBuilder();
        private final List<String> notes = new ArrayList<>();
        private final List<String[]> targets = new ArrayList<>();
        private final String startLoad = loadAverage();

        Report(Path out) {
            this.out = out;
        }

        void header(Set<String> parts) throws IOException {
            md.append("# routecert benchmarks\n\n");
            md.append(String.format(
                    Locale.ROOT,
                    "Run %s on %s (%d cores), JDK %s; parts: %s. ",
                    Instant.now().truncatedTo(ChronoUnit.SECONDS),
                    cpuModel(),
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.version(),
                    parts.stream().sorted().collect(Collectors.joining(", "))));
            md.append("Load average (1/5/15 min) at the start: ")
                    .append(startLoad)
                    .append(".\n\n");
            write();
        }

        void note(String note) {
            notes.add(note);
        }

        void section(String title, String text, String table) throws IOException {
            md.append("## ")
                    .append(title)
                    .append("\n\n")
                    .append(text)
                    .append("\n\n")
                    .append(table)
                    .append('\n');
            write();
        }

        void target(String target, String measured, boolean met) {
            targets.add(new String[] {target, measured, met ? "yes" : "**no**"});
        }

        void load(LoadBenchmark load, LoadBenchmark.Settings s) throws IOException {
            section(
                    "Admission load: `POST /mutate` over HTTPS on loopback",
                    String.format(
                            Locale.ROOT,
                            """
                    Each server runs in its own process (Java ones with `%s`); a Java load client in another process keeps \
                    N connections busy (closed loop), either kept alive or with a new TLS connection and full handshake \
                    (TLS 1.3, ECDSA P-256) per request. Each server is warmed up first with rounds of 5 s until two \
                    rounds agree within 10%% with the one before, after at least a third of the cap (%d s). In each cell one client process warms every server up for %d s, then measures %d s per server, cut \
                    into %d slices that rotate between the servers, so all of them see the same background load. The mix (per %d requests): %s. \
                    Every answer is checked (uid echoed, verdict as expected); errors count failures and wrong answers. \
                    × ref is the ratio to the same-stack fixed-bytes server in the same row group (throughput: higher is \
                    better; CPU: lower). CPU per request is the server process's user+system time (from /proc) over the \
                    measured requests; RSS is the peak during the cell; others' CPU is the cores used meanwhile by \
                    processes other than server and client (other engineers' builds on this shared machine).""",
                            String.join(" ", LoadBenchmark.SERVER_JVM),
                            s.serverWarmup().toSeconds(),
                            s.warmup().toSeconds(),
                            s.measure().toSeconds(),
                            LoadBenchmark.SLICES,
                            ReviewMix.ROUND,
                            ReviewMix.kinds().stream()
                                    .map(k -> k.weight() + " " + k.name())
                                    .collect(Collectors.joining(", "))),
                    load.markdown());
            md.append("Warm-up rounds (req/s, 8 kept-alive connections): ")
                    .append(load.warmups.entrySet().stream()
                            .map(e -> load.serverNames.get(e.getKey()) + " " + e.getValue())
                            .collect(Collectors.joining("; ")))
                    .append(".\n\n");
            md.append("routecert's latency by request kind, 8 kept-alive connections:\n\n")
                    .append(load.perKindMarkdown(8, true))
                    .append('\n');
            String withoutLarge = load.withoutLargeMarkdown();
            if (!withoutLarge.isEmpty()) {
                md.append("The 8 kept-alive connections cell once more, both servers sent the mix without the ")
                        .append(ReviewMix.LARGE_KIND)
                        .append(" object (1 request in ")
                        .append(ReviewMix.ROUND)
                        .append("), to show how much of the gap that one object is:\n\n")
                        .append(withoutLarge)
                        .append('\n');
            }
            LoadBenchmark.Cell rc = load.cell(LoadBenchmark.ROUTECERT, 8, true);
            LoadBenchmark.Cell ref = load.cell(LoadBenchmark.FIXED, 8, true);
            if (rc != null && ref != null) {
                double ratio = rc.result().throughput() / ref.result().throughput();
                target(
                        "admission throughput ≥ 0.6 × reference, 8 keep-alive connections",
                        String.format(
                                Locale.ROOT,
                                "%.2f (%.0f vs %.0f req/s)",
                                ratio,
                                rc.result().throughput(),
                                ref.result().throughput()),
                        ratio >= 0.6);
                target(
                        "admission p99 < 5 ms, 8 keep-alive connections",
                        String.format(Locale.ROOT, "%.2f ms", rc.result().p99() / 1e3),
                        rc.result().p99() < 5000);
            }
            for (String server : List.of(LoadBenchmark.ROUTECERT, LoadBenchmark.ROUTECERT_VARIANT)) {
                long rss = load.cells.stream()
                        .filter(c -> c.server().equals(server))
                        .mapToLong(c -> c.result().serverRssPeakKb())
                        .max()
                        .orElse(0);
                if (rss > 0) {
                    target(
                            "RSS < 150 MB under load with -Xmx128m: " + load.serverNames.get(server),
                            String.format(Locale.ROOT, "%.0f MB (peak over all cells)", rss / 1024.0),
                            rss < 150 * 1024);
                }
            }
            LoadBenchmark.Cell variant = load.cell(LoadBenchmark.ROUTECERT_VARIANT, 8, true);
            if (variant != null && ref != null) {
                double ratio = variant.result().throughput() / ref.result().throughput();
                target(
                        "admission throughput ≥ 0.6 × reference, 8 keep-alive: "
                                + load.serverNames.get(LoadBenchmark.ROUTECERT_VARIANT),
                        String.format(
                                Locale.ROOT,
                                "%.2f, p99 %.2f ms",
                                ratio,
                                variant.result().p99() / 1e3),
                        ratio >= 0.6);
            }
            write();
        }

        void worstCase(WorstCaseBenchmark worst) throws IOException {
            section("Worst case: adversarial objects against their valid twins", """
                    Each shape is an object of about the largest size the API server stores, built to make one check \
                    work hard, beside its twin: the same shape with every name covered. Each is timed through the \
                    policy alone (`RoutePolicy.evaluate`) and through the webhook path (review parsed, `/mutate`'s \
                    `RouteAdmission`, answer written), alternating adversarial and twin; medians, per byte of the \
                    object. × twin is the adversarial object's time over its twin's.""", worst.markdown());
            target(
                    "worst adversarial object ≤ 3 × its valid twin per byte",
                    String.format(Locale.ROOT, "%.2f ×", worst.worstRatio()),
                    worst.worstRatio() <= 3);
        }

        void startup(StartupBenchmark startup, Path jar) throws IOException {
            section(
                    "Start-up: `serve` to `/readyz` 200, and `check` of one file",
                    String.format(Locale.ROOT, """
                    routecert run as the image runs it: `java -Xmx128m` with the image's collector options, \
                    `-jar routecert.jar` (%.1f MB). `serve` with certificate files and no cluster: wall time from \
                    process start until `/readyz` first answers 200 (polled every 5 ms), the CPU time and RSS at \
                    that moment, and the latency of one review right after, on a new TLS connection. `check` of \
                    one Ingress file: process start to exit. The AOT cache is made as the image build makes it: \
                    the Dockerfile's training run, `routecert warmup` under `-XX:AOTCacheOutput`. Variants \
                    alternate run by run.""", Files.size(jar) / 1e6),
                    startup.markdown());
            startup.notes.forEach(this::note);
            startup.variants.stream()
                    .filter(v -> v.name().contains("AOT"))
                    .findFirst()
                    .ifPresent(v -> {
                        target(
                                "`serve` ready < 1 s with the image's AOT cache",
                                String.format(Locale.ROOT, "%.0f ms (median)", v.medianReadyMs()),
                                v.medianReadyMs() < 1000);
                        target(
                                "`check` of one file < 0.5 s with the image's AOT cache",
                                String.format(Locale.ROOT, "%.0f ms (median)", v.medianCheckMs()),
                                v.medianCheckMs() < 500);
                    });
        }

        void cluster(ClusterBenchmarks cluster) throws IOException {
            cluster.notes.forEach(this::note);
            if (!cluster.applies.isEmpty()) {
                section(
                        "`kubectl apply` with the webhook and its Certificate write, against the real API server",
                        """
                        kube-apiserver 1.20 and etcd on loopback (the test suite's cluster), routecert registered as \
                        manifests/ registers it, in this process. Each run applies a new IngressRoute (with an issuer \
                        annotation and a secret name, so routecert writes its Certificate with server-side apply before \
                        answering) into a namespace the webhook covers and into one it does not, alternating; 3 runs of \
                        each are warm-up. kubectl's time is the whole process, as a person waits for it.""",
                        cluster.applyMarkdown());
                ClusterBenchmarks.ApplyRow kubectl = cluster.applies.get(0);
                double ratio = ClusterBenchmarks.median(kubectl.withWebhookMs())
                        / ClusterBenchmarks.median(kubectl.withoutMs());
                target(
                        "kubectl apply with webhook + Certificate write < 1.5 × without",
                        String.format(
                                Locale.ROOT,
                                "%.2f (%.0f vs %.0f ms, medians)",
                                ratio,
                                ClusterBenchmarks.median(kubectl.withWebhookMs()),
                                ClusterBenchmarks.median(kubectl.withoutMs())),
                        ratio < 1.5);
            }
            if (cluster.sizesComplete()) {
                section("Admission latency against cluster size", """
                        The same routecert and cluster; `/mutate` driven by 8 kept-alive connections (15 s warm-up, 20 s \
                        measured) with reviews of the cluster's own objects: UPDATEs of 5 existing routes with TLS unchanged \
                        (their Certificates are in the informer cache and up to date, so nothing is written), a dry-run \
                        CREATE and a denial. Three windows with 10 routes and Certificates in the caches (45 s warm-up \
                        before the first, 5 s before the others), then, once routecert and the cluster are quiet after \
                        the rest were created through the webhook, three more (15 s warm-up, then 5 s). The states are \
                        compared by the median p50 of their windows.""", cluster.sizeMarkdown());
                double small = cluster.medianP50(true);
                double large = cluster.medianP50(false);
                double ratio = large / small;
                target(
                        "p50 with 5,000 routes within 10% of p50 with 10",
                        String.format(
                                Locale.ROOT,
                                "%.2f × (%.2f vs %.2f ms, medians of %d windows)",
                                ratio,
                                large / 1e3,
                                small / 1e3,
                                ClusterBenchmarks.WINDOWS),
                        ratio <= 1.10);
            }
        }

        void finish() throws IOException {
            if (!targets.isEmpty()) {
                md.append("## Targets\n\n| target | measured | met |\n|---|---|---|\n");
                targets.forEach(
                        t -> md.append("| ").append(String.join(" | ", t)).append(" |\n"));
                md.append('\n');
            }
            if (!notes.isEmpty()) {
                md.append("## Notes\n\n");
                notes.forEach(n -> md.append("- ").append(n).append('\n'));
                md.append('\n');
            }
            md.append("Load average at the end: ").append(loadAverage()).append(".\n");
            write();
        }

        private void write() throws IOException {
            Files.writeString(out, md);
        }

        static String loadAverage() {
            try {
                String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
                return f[0] + " / " + f[1] + " / " + f[2];
            } catch (IOException e) {
                return "unknown";
            }
        }

        static String cpuModel() {
            try {
                return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(l -> l.startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst()
                        .orElse("unknown CPU");
            } catch (IOException e) {
                return "unknown CPU";
            }
        }
    }
}
