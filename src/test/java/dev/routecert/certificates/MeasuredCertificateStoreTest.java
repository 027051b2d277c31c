package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.time.TestClock;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeasuredCertificateStoreTest {

    @Test
    void writesAreCountedByOperationAndResultAndTimed() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
        FakeCertificateStore fake = new FakeCertificateStore();
        PrometheusRegistry registry = new PrometheusRegistry();
        MeasuredCertificateStore store = new MeasuredCertificateStore(fake, registry, clock);
        Deadline deadline = Deadline.in(Duration.ofSeconds(3), clock);

        store.create(certificate("web-tls"), deadline);
        fake.failures.put(
                FakeCertificateStore.key("shop", "api-tls"),
                new StoreException(StoreException.Kind.TIMEOUT, "no answer within 3s", null));
        assertThrows(StoreException.class, () -> store.create(certificate("api-tls"), deadline));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        String scrape = out.toString(StandardCharsets.UTF_8);
        for (String line : List.of(
                "routecert_admission_certificate_writes_total{operation=\"create\",result=\"success\"} 1.0",
                "routecert_admission_certificate_writes_total{operation=\"create\",result=\"timeout\"} 1.0",
                "routecert_admission_certificate_writes_total{operation=\"apply\",result=\"success\"} 0.0",
                "routecert_admission_certificate_write_duration_seconds_count{operation=\"create\"} 2",
                "routecert_admission_certificate_write_duration_seconds_count{operation=\"delete\"} 0")) {
            assertTrue(scrape.contains(line), line + " in\n" + scrape);
        }
    }

    private static ObjectNode certificate(String name) {
        ObjectNode certificate = FakeCertificateStore.JSON.createObjectNode();
        certificate.putObject("metadata").put("namespace", "shop").put("name", name);
        return certificate;
    }
}
