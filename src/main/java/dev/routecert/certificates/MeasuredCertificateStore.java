package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.time.Clock;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Admission's Certificate writes, counted by operation and result and timed: the writes an apply
 * waits for. Reads are the cache's or bounded by the same deadline, and not counted.
 */
final class MeasuredCertificateStore implements CertificateStore {

    private final CertificateStore store;
    private final Clock clock;
    private final Counter writes;
    private final Histogram duration;

    @FunctionalInterface
    private interface Write<T> {
        T run() throws StoreException;
    }

    MeasuredCertificateStore(CertificateStore store, PrometheusRegistry registry, Clock clock) {
        this.store = store;
        this.clock = clock;
        writes = Counter.builder()
                .name("routecert_admission_certificate_writes_total")
                .help("Certificate writes made during admission, by operation (create, apply, delete) and result"
                        + " (success, or the failure: already_exists, conflict, not_found, rejected, timeout,"
                        + " unavailable, forbidden)")
                .labelNames("operation", "result")
                .register(registry);
        duration = Histogram.builder()
                .name("routecert_admission_certificate_write_duration_seconds")
                .help("Time of the Certificate writes made during admission, by operation, failed ones included")
                .labelNames("operation")
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .classicOnly()
                .register(registry);
        for (String operation : new String[] {"create", "apply", "delete"}) {
            writes.labelValues(operation, "success");
            duration.labelValues(operation);
        }
    }

    private <T> T measured(String operation, Write<T> write) throws StoreException {
        long start = clock.nanoTime();
        String result = "success";
        try {
            return write.run();
        } catch (StoreException e) {
            result = e.kind().name().toLowerCase(Locale.ROOT);
            throw e;
        } finally {
            writes.labelValues(operation, result).inc();
            duration.labelValues(operation).observe((clock.nanoTime() - start) / 1e9);
        }
    }

    @Override
    public ExistingCertificate create(ObjectNode certificate, Deadline deadline) throws StoreException {
        return measured("create", () -> store.create(certificate, deadline));
    }

    @Override
    public ExistingCertificate apply(ObjectNode certificate, String resourceVersion, Deadline deadline)
            throws StoreException {
        return measured("apply", () -> store.apply(certificate, resourceVersion, deadline));
    }

    @Override
    public void delete(String namespace, String name, String uid, Deadline deadline) throws StoreException {
        measured("delete", () -> {
            store.delete(namespace, name, uid, deadline);
            return null;
        });
    }

    @Override
    public Optional<ExistingCertificate> cachedCertificate(String namespace, String name) {
        return store.cachedCertificate(namespace, name);
    }

    @Override
    public List<JsonNode> cachedCertificatesWriting(String namespace, String secretName) {
        return store.cachedCertificatesWriting(namespace, secretName);
    }

    @Override
    public Optional<IssuerInfo> cachedIssuer(String kind, String namespace, String name) {
        return store.cachedIssuer(kind, namespace, name);
    }

    @Override
    public Optional<ExistingCertificate> readCertificate(String namespace, String name, Deadline deadline)
            throws StoreException {
        return store.readCertificate(namespace, name, deadline);
    }

    @Override
    public List<JsonNode> readCertificatesWriting(String namespace, String secretName, Deadline deadline)
            throws StoreException {
        return store.readCertificatesWriting(namespace, secretName, deadline);
    }

    @Override
    public SecretState readSecret(String namespace, String name, Deadline deadline) throws StoreException {
        return store.readSecret(namespace, name, deadline);
    }
}
