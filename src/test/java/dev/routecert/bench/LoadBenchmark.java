package dev.routecert.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The load benchmark: routecert's jar, the same stack answering fixed bytes, and nginx (when
 * installed), each in its own process, driven by {@link LoadClient} in another, at several
 * concurrency levels with kept-alive and with new connections. Runs of one cell are back to back so
 * the ratios compare like with like on a shared machine.
 */
final class LoadBenchmark {

    /** The heap cap of the memory target. */
    static final String HEAP = "-Xmx128m";

    /**
     * The collector the container image runs routecert with, and its generation sizes
     * (src/main/docker/Dockerfile's ENTRYPOINT; BenchHarnessTest holds the two together).
     */
    static final List<String> IMAGE_GC = List.of("-XX:+UseSerialGC", "-XX:NewRatio=1", "-XX:SurvivorRatio=4");

    /** The JVM options every Java server gets. */
    static final List<String> SERVER_JVM =
            Stream.concat(Stream.of(HEAP), IMAGE_GC.stream()).toList();

    record Settings(
            List<Integer> connections, Duration serverWarmup, Duration warmup, Duration measure, long maxRequests) {}

    record Cell(String server, int connections, boolean keepAlive, LoadClient.Result result) {}

    private final Settings settings;
    private final Path dir;
    private final BenchServer.Pki pki;
    private final Path jar;
    private final Path nginx;
    final List<Cell> cells = new ArrayList<>();
    /** The 8 kept-alive connections cell once more, reference and routecert, without the large object. */
    final List<Cell> withoutLarge = new ArrayList<>();

    final List<String> notes = new ArrayList<>();
    final Map<String, String> serverNames = new LinkedHashMap<>();
    /** Per server, the throughput of each warm-up round (8 kept-alive connections, 5 s each). */
    final Map<String, String> warmups = new LinkedHashMap<>();

    LoadBenchmark(Settings settings, Path dir, BenchServer.Pki pki, Path jar, Path nginx) {
        this.settings = settings;
        this.dir = dir;
        this.pki = pki;
        this.jar = jar;
        this.nginx = nginx;
    }

    static final String ROUTECERT = "routecert";
    static final String FIXED = "fixed";
    static final String NGINX = "nginx";
    static final String ROUTECERT_VARIANT = "routecert-variant";
    /**
     * A second routecert with these JVM options instead of SERVER_JVM's collector: G1, the JVM's own
     * choice on two or more cores, because the GC choice matters at a 128 MB heap.
     */
    static final List<String> VARIANT_JVM =
            List.of(System.getProperty("bench.variantJvm", "-XX:+UseG1GC").split(" ")).stream()
                    .filter(o -> !o.isBlank())
                    .toList();

    /** SERVER_JVM with its collector replaced by the variant's, when the variant names one (the JVM refuses two). */
    static List<String> variantOptions() {
        boolean variantPicksCollector = VARIANT_JVM.stream().anyMatch(LoadBenchmark::selectsCollector);
        // the image's generation sizes belong to its collector: another collector sizes its own
        List<String> options = new ArrayList<>(variantPicksCollector ? List.of(HEAP) : SERVER_JVM);
        options.addAll(VARIANT_JVM);
        return options;
    }

    private static boolean selectsCollector(String option) {
        return option.startsWith("-XX:+Use") && option.endsWith("GC");
    }

    void run() throws Exception {
        List<BenchServer> servers = new CopyOnWriteArrayList<>();
        // an interrupted benchmark (Ctrl-C, SIGTERM) still stops the servers it started
        Thread stopServers = new Thread(() -> servers.forEach(BenchServer::close), "bench-stop-servers");
        Runtime.getRuntime().addShutdownHook(stopServers);
        try {
            BenchServer fixed = BenchServer.fixedBytes(pki, dir, SERVER_JVM);
            servers.add(fixed);
            serverNames.put(FIXED, "same stack, fixed bytes");
            BenchServer routecert = BenchServer.routecert(jar, pki, dir, SERVER_JVM, List.of());
            servers.add(routecert);
            serverNames.put(ROUTECERT, "routecert");
            BenchServer variant = null;
            if (!VARIANT_JVM.isEmpty()) {
                List<String> options = variantOptions();
                variant = BenchServer.routecert(jar, pki, dir.resolve("variant"), options, List.of());
                servers.add(variant);
                serverNames.put(ROUTECERT_VARIANT, "routecert " + String.join(" ", VARIANT_JVM));
            }
            BenchServer ngx = null;
            if (nginx != null) {
                ngx = BenchServer.nginx(nginx, pki, dir);
                servers.add(ngx);
                serverNames.put(NGINX, ngx.name);
            }
            Map<String, BenchServer> byKey = new LinkedHashMap<>();
            byKey.put(FIXED, fixed);
            byKey.put(ROUTECERT, routecert);
            if (variant != null) {
                byKey.put(ROUTECERT_VARIANT, variant);
            }
            if (ngx != null) {
                byKey.put(NGINX, ngx);
            }
            // JIT warm-up of each server: rounds of kept-alive load until throughput settles (two rounds
            // within 10%) or the cap is reached, then one round of new connections
            for (Map.Entry<String, BenchServer> server : byKey.entrySet()) {
                warmUp(server.getKey(), server.getValue());
            }
            for (boolean keepAlive : List.of(true, false)) {
                for (int connections : settings.connections()) {
                    List<LoadClient.Result> results =
                            driveInterleaved(new ArrayList<>(byKey.values()), connections, keepAlive);
                    int i = 0;
                    for (Map.Entry<String, BenchServer> server : byKey.entrySet()) {
                        LoadClient.Result result = results.get(i++);
                        cells.add(new Cell(server.getKey(), connections, keepAlive, result));
                        Bench.progress(String.format(
                                Locale.ROOT,
                                "%-24s %2d %-10s %8.0f req/s p50 %6.2f ms p99 %6.2f ms CPU %5.0f µs/req errors %d%s",
                                server.getValue().name,
                                connections,
                                keepAlive ? "keep-alive" : "new-conn",
                                result.throughput(),
                                result.p50() / 1e3,
                                result.p99() / 1e3,
                                result.serverCpuPerRequest(),
                                result.errors(),
                                result.firstError() == null ? "" : " (" + result.firstError() + ")"));
                    }
                }
            }
            if (settings.connections().contains(8)) {
                // how much of the gap is the rare large object: the same cell without it
                List<LoadClient.Result> results = driveInterleaved(
                        List.of(fixed, routecert), 8, true, List.of("exclude=" + ReviewMix.LARGE_KIND));
                withoutLarge.add(new Cell(FIXED, 8, true, results.get(0)));
                withoutLarge.add(new Cell(ROUTECERT, 8, true, results.get(1)));
                Bench.progress(String.format(
                        Locale.ROOT,
                        "without the large object: routecert %.0f req/s (%.2f × reference), p99 %.2f ms",
                        results.get(1).throughput(),
                        results.get(1).throughput() / results.get(0).throughput(),
                        results.get(1).p99() / 1e3));
            }
        } finally {
            servers.forEach(BenchServer::close);
            Runtime.getRuntime().removeShutdownHook(stopServers);
        }
    }

    /**
     * At least a third of the cap (the JIT of a 2-core machine shared with others is slow, and a
     * round-to-round plateau comes long before the end of compilation), then rounds until two in a
     * row agree within 10% with the one before, or the cap.
     */
    private void warmUp(String key, BenchServer server) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long minimum = start + settings.serverWarmup().toNanos() / 3;
        long deadline = start + settings.serverWarmup().toNanos();
        List<String> rounds = new ArrayList<>();
        List<Double> throughputs = new ArrayList<>();
        while (true) {
            LoadClient.Result round = drive(server, 8, true, Duration.ofMillis(500), Duration.ofSeconds(5));
            rounds.add(String.format(Locale.ROOT, "%.0f", round.throughput()));
            throughputs.add(round.throughput());
            int n = throughputs.size();
            boolean settled = n >= 3
                    && within(throughputs.get(n - 1), throughputs.get(n - 3))
                    && within(throughputs.get(n - 2), throughputs.get(n - 3));
            if ((settled && System.nanoTime() > minimum) || System.nanoTime() > deadline) {
                break;
            }
        }
        drive(server, 8, false, Duration.ofMillis(500), Duration.ofSeconds(3));
        warmups.put(key, String.join(" → ", rounds));
        Bench.progress("warmed up " + server.name + ": " + warmups.get(key) + " req/s");
    }

    private static boolean within(double value, double reference) {
        return reference > 0 && Math.abs(value - reference) / reference < 0.10;
    }

    /** One load-client process against one server; its result. */
    LoadClient.Result drive(BenchServer server, int connections, boolean keepAlive, Duration warmup, Duration measure)
            throws IOException, InterruptedException {
        LoadClient.Options options = new LoadClient.Options(
                server.port,
                connections,
                keepAlive,
                warmup,
                measure,
                settings.maxRequests(),
                pki.ca(),
                server.check,
                server.pid());
        return runClient(options);
    }

    /** One load-client process that measures all servers in rotating slices of the same cell. */
    List<LoadClient.Result> driveInterleaved(List<BenchServer> servers, int connections, boolean keepAlive)
            throws IOException, InterruptedException {
        return driveInterleaved(servers, connections, keepAlive, List.of());
    }

    List<LoadClient.Result> driveInterleaved(
            List<BenchServer> servers, int connections, boolean keepAlive, List<String> extraArgs)
            throws IOException, InterruptedException {
        LoadClient.Options options = new LoadClient.Options(
                0,
                connections,
                keepAlive,
                settings.warmup(),
                settings.measure(),
                settings.maxRequests(),
                pki.ca(),
                LoadClient.Check.FIXED,
                0);
        List<String> args = new ArrayList<>(options.toArgs().stream()
                .filter(a -> !a.startsWith("port=") && !a.startsWith("check=") && !a.startsWith("serverPid="))
                .toList());
        args.add("targets="
                + String.join(
                        ",",
                        servers.stream()
                                .map(s -> s.port + ":" + s.check + ":" + s.pid())
                                .toList()));
        args.add("slices=" + SLICES);
        args.addAll(extraArgs);
        String out = clientOutput(
                args,
                options.warmup()
                        .multipliedBy(servers.size())
                        .plus(options.measure().multipliedBy(servers.size()))
                        .plus(Duration.ofSeconds(SLICES * servers.size())));
        List<LoadClient.Result> results = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (String line : out.lines().toList()) {
            if (line.startsWith("end=")) {
                results.add(LoadClient.Result.decode(lines));
                lines.clear();
            } else {
                lines.add(line);
            }
        }
        if (results.size() != servers.size()) {
            throw new IllegalStateException(
                    "load client answered for " + results.size() + " of " + servers.size() + " servers: " + out);
        }
        return results;
    }

    /** Measured time per cell is cut into this many slices per server, run in rotation. */
    static final int SLICES = 5;

    static LoadClient.Result runClient(LoadClient.Options options) throws IOException, InterruptedException {
        return LoadClient.Result.decode(
                clientOutput(options.toArgs(), options.warmup().plus(options.measure()))
                        .lines()
                        .toList());
    }

    private static String clientOutput(List<String> args, Duration expected) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                BenchServer.java(),
                "-Xmx1g",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                LoadClient.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        long limit = expected.toSeconds() + 60;
        Thread watchdog = new Thread(() -> {
            try {
                if (!process.waitFor(limit, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("load client failed or did not stop within " + limit + " s");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The cell without the large object, as a table with ratios to its own reference. */
    String withoutLargeMarkdown() {
        if (withoutLarge.size() != 2) {
            return "";
        }
        LoadClient.Result ref = withoutLarge.get(0).result();
        StringBuilder md = new StringBuilder(
                "| server | req/s | × ref | p50 ms | p99 ms | max ms | errors | server CPU µs/req | × ref |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Cell c : withoutLarge) {
            LoadClient.Result r = c.result();
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %s | %.2f | %.2f | %.1f | %d | %.0f | %s |%n",
                    serverNames.get(c.server()),
                    r.throughput(),
                    ratio(r.throughput(), ref.throughput()),
                    r.p50() / 1e3,
                    r.p99() / 1e3,
                    r.max() / 1e3,
                    r.errors(),
                    r.serverCpuPerRequest(),
                    ratio(r.serverCpuPerRequest(), ref.serverCpuPerRequest())));
        }
        return md.toString();
    }

    Cell cell(String server, int connections, boolean keepAlive) {
        return cells.stream()
                .filter(c -> c.server().equals(server) && c.connections() == connections && c.keepAlive() == keepAlive)
                .findFirst()
                .orElse(null);
    }

    /** The Markdown tables: every cell with ratios to the same-stack reference of the same row group. */
    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(
                "| connections | server | req/s | × ref | p50 ms | p99 ms | max ms | errors | server CPU µs/req | × ref | server RSS MB | client CPU µs/req | others' CPU |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (boolean keepAlive : List.of(true, false)) {
            for (int connections : settings.connections()) {
                Cell ref = cell(FIXED, connections, keepAlive);
                for (String server : serverNames.keySet()) {
                    Cell c = cell(server, connections, keepAlive);
                    if (c == null) {
                        continue;
                    }
                    LoadClient.Result r = c.result();
                    md.append(String.format(
                            Locale.ROOT,
                            "| %d %s | %s | %.0f | %s | %.2f | %.2f | %.1f | %d | %.0f | %s | %.0f | %.0f | %.2f |%n",
                            connections,
                            keepAlive ? "keep-alive" : "new TLS conn",
                            serverNames.get(server),
                            r.throughput(),
                            ratio(r.throughput(), ref.result().throughput()),
                            r.p50() / 1e3,
                            r.p99() / 1e3,
                            r.max() / 1e3,
                            r.errors(),
                            r.serverCpuPerRequest(),
                            ratio(r.serverCpuPerRequest(), ref.result().serverCpuPerRequest()),
                            r.serverRssPeakKb() / 1024.0,
                            r.clientCpuPerRequest(),
                            r.othersCores()));
                }
            }
        }
        return md.toString();
    }

    /** Latency per request kind for routecert at one cell. */
    String perKindMarkdown(int connections, boolean keepAlive) {
        Cell c = cell(ROUTECERT, connections, keepAlive);
        if (c == null) {
            return "";
        }
        StringBuilder md = new StringBuilder();
        md.append("| request kind | share | requests | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n");
        for (ReviewMix.Kind kind : ReviewMix.kinds()) {
            double[] v = c.result().perKind().get(kind.name());
            md.append(String.format(
                    Locale.ROOT,
                    "| %s (%d KiB) | %.1f%% | %d | %.2f | %.2f | %.2f |%n",
                    kind.name(),
                    kind.body().length / 1024,
                    100.0 * kind.weight() / ReviewMix.ROUND,
                    (long) v[0],
                    v[1] / 1e3,
                    v[2] / 1e3,
                    v[3] / 1e3));
        }
        return md.toString();
    }

    static String ratio(double value, double reference) {
        return reference == 0 ? "–" : String.format(Locale.ROOT, "%.2f", value / reference);
    }
}
