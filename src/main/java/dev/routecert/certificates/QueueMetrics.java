package dev.routecert.certificates;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
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
    private final PrometheusRegistry registry;
    private final CounterDataPoint adds;
    private final CounterDataPoint retries;
    private final DistributionDataPoint queueDuration;
    private final DistributionDataPoint workDuration;

    public QueueMetrics(String name, PrometheusRegistry registry) {
        this.name = name;
        this.registry = registry;
        adds = Counter.builder()
                .name("workqueue_adds_total")
                .help("Total number of adds handled by workqueue")
                .labelNames("name")
                .register(registry)
                .labelValues(name);
        retries = Counter.builder()
                .name("workqueue_retries_total")
                .help("Total number of retries handled by workqueue")
                .labelNames("name")
                .register(registry)
                .labelValues(name);
        queueDuration = Histogram.builder()
                .name("workqueue_queue_duration_seconds")
                .help("How long in seconds an item stays in workqueue before being requested")
                .labelNames("name")
                .classicUpperBounds(BUCKETS)
                .classicOnly()
                .register(registry)
                .labelValues(name);
        workDuration = Histogram.builder()
                .name("workqueue_work_duration_seconds")
                .help("How long in seconds processing an item from workqueue takes")
                .labelNames("name")
                .classicUpperBounds(BUCKETS)
                .classicOnly()
                .register(registry)
                .labelValues(name);
    }

    /** Registers the gauges read at each scrape: the depth, and how long the current item has been running. */
    void watch(IntSupplier depth, LongSupplier runningNanos) {
        GaugeWithCallback.builder()
                .name("workqueue_depth")
                .help("Current depth of workqueue")
                .labelNames("name")
                .callback(callback -> callback.call(depth.getAsInt(), name))
                .register(registry);
        // one worker: the work not yet observed is the current item's, which is also the longest running
        GaugeWithCallback.builder()
                .name("workqueue_unfinished_work_seconds")
                .help("How many seconds of work has been done that is in progress and hasn't been observed by"
                        + " work_duration")
                .labelNames("name")
                .callback(callback -> callback.call(runningNanos.getAsLong() / 1e9, name))
                .register(registry);
        GaugeWithCallback.builder()
                .name("workqueue_longest_running_processor_seconds")
                .help("How many seconds has the longest running processor for workqueue been running")
                .labelNames("name")
                .callback(callback -> callback.call(runningNanos.getAsLong() / 1e9, name))
                .register(registry);
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
}
