package dev.routecert.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link PolicyBenchmark} with JMH in a forked JVM, modestly sized for a 2-core machine. */
final class JmhBenchmarks {

    record Row(String benchmark, double score, double error, String unit, double bytesPerOp) {}

    private final int forks;
    private final int warmupIterations;
    private final int iterations;
    private final TimeValue iterationTime;
    final List<Row> rows = new ArrayList<>();

    JmhBenchmarks(int forks, int warmupIterations, int iterations, TimeValue iterationTime) {
        this.forks = forks;
        this.warmupIterations = warmupIterations;
        this.iterations = iterations;
        this.iterationTime = iterationTime;
    }

    void run() throws Exception {
        Options options = new OptionsBuilder()
                .include(PolicyBenchmark.class.getName() + "\\.")
                .forks(forks)
                .warmupIterations(warmupIterations)
                .warmupTime(iterationTime)
                .measurementIterations(iterations)
                .measurementTime(iterationTime)
                .threads(1)
                .jvmArgsAppend("-Xmx1g")
                .shouldFailOnError(true)
                .addProfiler(org.openjdk.jmh.profile.GCProfiler.class)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        for (RunResult result : results) {
            var primary = result.getPrimaryResult();
            String name = result.getParams().getBenchmark();
            var allocation = result.getSecondaryResults().get("gc.alloc.rate.norm");
            rows.add(new Row(
                    name.substring(name.lastIndexOf('.') + 1),
                    primary.getScore(),
                    primary.getScoreError(),
                    primary.getScoreUnit(),
                    allocation == null ? Double.NaN : allocation.getScore()));
        }
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "| benchmark | score | ± error (99.9%%) | unit | allocated per call |%n|---|---:|---:|---|---:|%n"));
        for (Row row : rows) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s |%n",
                    row.benchmark(),
                    fmt(row.score()),
                    Double.isNaN(row.error()) ? "–" : fmt(row.error()),
                    row.unit(),
                    bytes(row.bytesPerOp())));
        }
        return md.toString();
    }

    private static String bytes(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        return value >= 1024 * 1024
                ? String.format(Locale.ROOT, "%.1f MiB", value / (1024 * 1024))
                : value >= 1024
                        ? String.format(Locale.ROOT, "%.1f KiB", value / 1024)
                        : String.format(Locale.ROOT, "%.0f B", value);
    }

    private static String fmt(double value) {
        return value >= 100
                ? String.format(Locale.ROOT, "%.0f", value)
                : value >= 1 ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%.3f", value);
    }
}
