package dev.routecert.certificates;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * A work queue's metrics under the names and meanings of client-go's workqueue (as controller-runtime
 * exports them), so dashboards and alerts written for Kubernetes controllers work on routecert.
 */
public final class QueueMetrics {

    /** controller-runtime's buckets: 10 ns to 1000 s, a factor of 10 apart. */
    private static final double[] BUCKETS = {1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000};

    private final String name;
    private final Families families;
    private final CounterDataPoint adds;
    private final CounterDataPoint retries;
    private final DistributionDataPoint queueDuration;
    private final DistributionDataPoint workDuration;
    private final CounterDataPoint reconcileErrors;
    private final DistributionDataPoint reconcileTime;

    /** controller-runtime's reconcile results. */
    enum Result {
        SUCCESS("success"),
        ERROR("error"),
        REQUEUE("requeue"),
        REQUEUE_AFTER("requeue_after");

        final String label;

        Result(String label) {
            this.label = label;
        }
    }

    /** controller-runtime's reconcile_time_seconds buckets. */
    private static final double[] RECONCILE_BUCKETS = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5,
        1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60
    };

    /**
     * One set of metric families per registry, as client-go has one per process: every queue of a
     * process (the Certificate reconciler's, the host claims') is a {@code name} label in the same
     * families, and a registry refuses a family registered twice.
     */
    private static final Map<PrometheusRegistry, Families> FAMILIES = new WeakHashMap<>();

    private record Watched(IntSupplier depth, LongSupplier runningNanos) {}

    private static final class Families {
        final Counter adds;
        final Counter retries;
        final Histogram queueDuration;
        final Histogram workDuration;
        final Counter reconciles;
        final Counter reconcileErrors;
        final Histogram reconcileTime;
        final Map<String, Watched> watched = new ConcurrentSkipListMap<>();
        final Set<String> names = ConcurrentHashMap.newKeySet();

        Families(PrometheusRegistry registry) {
            adds = Counter.builder()
                    .name("workqueue_adds_total")
                    .help("Total number of adds handled by workqueue")
                    .labelNames("name")
                    .register(registry);
            retries = Counter.builder()
                    .name("workqueue_retries_total")
                    .help("Total number of retries handled by workqueue")
                    .labelNames("name")
                    .register(registry);
            queueDuration = Histogram.builder()
                    .name("workqueue_queue_duration_seconds")
                    .help("How long in seconds an item stays in workqueue before being requested")
                    .labelNames("name")
                    .classicUpperBounds(BUCKETS)
                    .classicOnly()
                    .register(registry);
            workDuration = Histogram.builder()
                    .name("workqueue_work_duration_seconds")
                    .help("How long in seconds processing an item from workqueue takes")
                    .labelNames("name")
                    .classicUpperBounds(BUCKETS)
                    .classicOnly()
                    .register(registry);
            reconciles = Counter.builder()
                    .name("controller_runtime_reconcile_total")
                    .help("Total number of reconciliations per controller")
                    .labelNames("controller", "result")
                    .register(registry);
            reconcileErrors = Counter.builder()
                    .name("controller_runtime_reconcile_errors_total")
                    .help("Total number of reconciliation errors per controller")
                    .labelNames("controller")
                    .register(registry);
            reconcileTime = Histogram.builder()
                    .name("controller_runtime_reconcile_time_seconds")
                    .help("Length of time per reconciliation per controller")
                    .labelNames("controller")
                    .classicUpperBounds(RECONCILE_BUCKETS)
                    .classicOnly()
                    .register(registry);
            GaugeWithCallback.builder()
                    .name("workqueue_depth")
                    .help("Current depth of workqueue")
                    .labelNames("name")
                    .callback(callback ->
                            watched.forEach((n, w) -> callback.call(w.depth().getAsInt(), n)))
                    .register(registry);
            // one worker per queue: the work not yet observed is the current item's, which is also the longest running
            GaugeWithCallback.builder()
                    .name("workqueue_unfinished_work_seconds")
                    .help("How many seconds of work has been done that is in progress and hasn't been observed by"
                            + " work_duration")
                    .labelNames("name")
                    .callback(callback -> watched.forEach(
                            (n, w) -> callback.call(w.runningNanos().getAsLong() / 1e9, n)))
                    .register(registry);
            GaugeWithCallback.builder()
                    .name("workqueue_longest_running_processor_seconds")
                    .help("How many seconds has the longest running processor for workqueue been running")
                    .labelNames("name")
                    .callback(callback -> watched.forEach(
                            (n, w) -> callback.call(w.runningNanos().getAsLong() / 1e9, n)))
                    .register(registry);
        }
    }

    /** @param name the queue's name, and its controller's; unique within {@code registry} */
    public QueueMetrics(String name, PrometheusRegistry registry) {
        this.name = name;
        synchronized (FAMILIES) {
            this.families = FAMILIES.computeIfAbsent(registry, Families::new);
        }
        if (!families.names.add(name)) {
            throw new IllegalArgumentException("a queue named " + name + " already reports to this registry");
        }
        adds = families.adds.labelValues(name);
        retries = families.retries.labelValues(name);
        queueDuration = families.queueDuration.labelValues(name);
        workDuration = families.workDuration.labelValues(name);
        for (Result result : Result.values()) {
            families.reconciles.labelValues(name, result.label); // every result shows from the start, at 0
        }
        reconcileErrors = families.reconcileErrors.labelValues(name);
        reconcileTime = families.reconcileTime.labelValues(name);
    }

    /** Reports the gauges read at each scrape: the depth, and how long the current item has been running. */
    void watch(IntSupplier depth, LongSupplier runningNanos) {
        families.watched.put(name, new Watched(depth, runningNanos));
    }

    void added() {
        adds.inc();
    }

    void retried() {
        retries.inc();
    }

    void waited(long nanos) {
        queueDuration.observe(nanos / 1e9);
    }

    void worked(long nanos) {
        workDuration.observe(nanos / 1e9);
    }

    /** One key handled: the queue's name is the controller's, as controller-runtime names both after it. */
    void reconciled(Result result, long nanos) {
        families.reconciles.labelValues(name, result.label).inc();
        if (result == Result.ERROR) {
            reconcileErrors.inc();
        }
        reconcileTime.observe(nanos / 1e9);
    }
}
