package dev.routecert.http;

import dev.routecert.tls.FileCertificateSource;
import dev.routecert.tls.ServingCertificate;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
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
    private final Counter reloads;
    private final Counter reloadFailures;
    private final Gauge expiry;
    private final Counter memoryWaits;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private boolean jvmMetricsRegistered;

    public ServerMetrics() {
        requests = Counter.builder()
                .name("routecert_admission_requests_total")
                .help("Admission requests by endpoint and outcome (allowed, patched, denied, errored, rejected).")
                .labelNames("endpoint", "outcome")
                .register(registry);
        latency = Histogram.builder()
                .name("routecert_admission_request_duration_seconds")
                .help("Time from the first byte of the body read to the answer, by endpoint.")
                .labelNames("endpoint")
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .classicOnly()
                .register(registry);
        reloads = Counter.builder()
                .name("routecert_serving_certificate_reloads_total")
                .help("Serving certificates loaded from files and put in force.")
                .register(registry);
        reloadFailures = Counter.builder()
                .name("routecert_serving_certificate_reload_failures_total")
                .help(
                        "Certificate files that could not be used (missing, corrupt, mismatched key); the last good one stayed in force.")
                .register(registry);
        memoryWaits = Counter.builder()
                .name("routecert_admission_in_flight_bytes_waits_total")
                .help("Reviews that waited for their share of --max-in-flight-bytes before their body was read.")
                .register(registry);
        expiry = Gauge.builder()
                .name("routecert_serving_certificate_expiry_timestamp_seconds")
                .help("notAfter of the serving certificate in force, as a Unix timestamp.")
                .register(registry);
    }

    public void observe(String endpoint, String outcome, long nanos) {
        requests.labelValues(endpoint, outcome).inc();
        latency.labelValues(endpoint).observe(nanos / 1e9);
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

    @Override
    public void reloaded(ServingCertificate certificate) {
        reloads.inc();
    }

    @Override
    public void failed(String reason) {
        reloadFailures.inc();
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
