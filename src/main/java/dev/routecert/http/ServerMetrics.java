package dev.routecert.http;

import dev.routecert.tls.FileCertificateSource;
import dev.routecert.tls.ServingCertificate;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/** routecert's Prometheus metrics, in a registry of their own (one per server, so tests stay independent). */
public final class ServerMetrics implements FileCertificateSource.Events {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Gauge inFlight;
    private final Counter reads;
    private final Counter readErrors;
    private final Gauge expiry;
    private final Counter memoryWaits;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private boolean jvmMetricsRegistered;

    /** Names, labels, help and buckets as controller-runtime's, so that dashboards for its webhooks work here. */
    public ServerMetrics() {
        requests = Counter.builder()
                .name("controller_runtime_webhook_requests_total")
                .help("Total number of admission requests by HTTP status code.")
                .labelNames("webhook", "code")
                .register(registry);
        latency = Histogram.builder()
                .name("controller_runtime_webhook_latency_seconds")
                .help("Histogram of the latency of processing admission requests")
                .labelNames("webhook", "code")
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10) // Prometheus' defaults
                .classicOnly()
                .register(registry);
        inFlight = Gauge.builder()
                .name("controller_runtime_webhook_requests_in_flight")
                .help("Current number of admission requests being served.")
                .labelNames("webhook")
                .register(registry);
        reads = Counter.builder()
                .name("certwatcher_read_certificate_total")
                .help("Total number of certificate reads")
                .register(registry);
        readErrors = Counter.builder()
                .name("certwatcher_read_certificate_errors_total")
                .help("Total number of certificate read errors")
                .register(registry);
        memoryWaits = Counter.builder()
                .name("routecert_admission_in_flight_bytes_waits_total")
                .help("Reviews that waited for their share of --max-in-flight-bytes before their body was read.")
                .register(registry);
        expiry = Gauge.builder()
                .name("routecert_serving_certificate_expiry_timestamp_seconds")
                .help("notAfter of the serving certificate in force, as a Unix timestamp.")
                .register(registry);
        Info.builder()
                .name("routecert_build")
                .help("routecert's version and the Java runtime it runs on; always 1.")
                .labelNames("version", "java_version")
                .register(registry)
                .setLabelValues(version(), Runtime.version().toString());
    }

    private static String version() {
        String version = ServerMetrics.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    /** A review of the webhook at {@code path} ({@code /mutate}) answered with {@code code}: 200, or a denial's or error's status. */
    public void observe(String path, int code, long nanos) {
        String status = Integer.toString(code);
        requests.labelValues(path, status).inc();
        latency.labelValues(path, status).observe(nanos / 1e9);
    }

    /** A review arrived at the webhook at {@code path}; {@link #finished} when its answer is out. */
    public void started(String path) {
        inFlight.labelValues(path).inc();
    }

    public void finished(String path) {
        inFlight.labelValues(path).dec();
    }

    public void reviewWaitedForMemory() {
        memoryWaits.inc();
    }

    /** Exposes the bytes of reviews being judged now, read at each scrape. */
    public void inFlightBytes(LongSupplier bytes) {
        GaugeWithCallback.builder()
                .name("routecert_admission_in_flight_bytes")
                .help("Bytes of review bodies being read or judged now (at most --max-in-flight-bytes).")
                .callback(callback -> callback.call(bytes.getAsLong()))
                .register(registry);
    }

    public void certificateInForce(ServingCertificate certificate) {
        expiry.set(certificate.notAfter().getEpochSecond());
    }

    /** certwatcher counts every read, the failed ones too. */
    @Override
    public void reloaded(ServingCertificate certificate) {
        reads.inc();
    }

    @Override
    public void failed(String reason) {
        reads.inc();
        readErrors.inc();
    }

    /**
     * The JVM's metrics go in at the first scrape rather than at start-up: registering them starts the
     * platform MBean server, hundreds of classes that the path to ready does not need.
     */
    private synchronized void registerJvmMetrics() {
        if (!jvmMetricsRegistered) {
            JvmMetrics.builder().register(registry);
            jvmMetricsRegistered = true;
        }
    }

    /** The registry, for the metrics of other parts (the reconciler's work queue) to join these. */
    public PrometheusRegistry registry() {
        return registry;
    }

    public String contentType() {
        return writer.getContentType();
    }

    public byte[] scrape() {
        registerJvmMetrics();
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
