package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The in-flight bytes budget through real HTTPS: large reviews take turns, small ones pass, a long wait is a 503. */
class InFlightBytesOverHttpTest {

    private static final long BUDGET = 100 * 1024;
    private static final Duration READ_TIMEOUT = Duration.ofMillis(1500);

    private static byte[] review(String name, int padding) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        object.putObject("data").put("k", "x".repeat(padding));
        return AdmissionReviewBuilder.of("", "v1", "ConfigMap", "configmaps")
                .uid(name)
                .name(name)
                .object(object)
                .bytes();
    }

    @Test
    void largeReviewsTakeTurnsWhileSmallOnesPass() throws Exception {
        CountDownLatch judging = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AdmissionPolicy holdFirst = request -> {
            if (request.name().equals("first")) {
                judging.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return AdmissionDecision.allow();
        };
        ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
        try (TestServer server = new TestServer(
                new FixedCertificateSource(certificate),
                holdFirst,
                TestPki.trusting(certificate.leaf()),
                config -> config.toBuilder()
                        .requestReadTimeout(READ_TIMEOUT)
                        .maxInFlightBytes(BUDGET)
                        .build())) {
            CompletableFuture<HttpResponse<String>> first =
                    CompletableFuture.supplyAsync(() -> post(server, review("first", 80_000)));
            assertTrue(judging.await(10, TimeUnit.SECONDS), "the first large review is being judged");

            HttpResponse<String> small = server.post("/mutate", "application/json", review("small", 100));
            assertEquals(200, small.statusCode(), small.body());

            long start = System.nanoTime();
            HttpResponse<String> second = server.post("/mutate", "application/json", review("second", 80_000));
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(503, second.statusCode(), second.body());
            assertTrue(second.body().contains("\"reason\":\"ServiceUnavailable\""), second.body());
            assertTrue(
                    second.body().contains("waited 1500 ms for its share of --max-in-flight-bytes (102400 bytes)"),
                    second.body());
            assertTrue(waitedMs >= 1_400, "answered after " + waitedMs + " ms");

            CompletableFuture<HttpResponse<String>> third =
                    CompletableFuture.supplyAsync(() -> post(server, review("third", 80_000)));
            Thread.sleep(300);
            assertTrue(!third.isDone(), "the third large review waits for the first");
            release.countDown();
            assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
            HttpResponse<String> afterwards = third.get(10, TimeUnit.SECONDS);
            assertEquals(200, afterwards.statusCode(), afterwards.body());

            String metrics = server.health("/metrics").body();
            assertTrue(metrics.contains("routecert_admission_in_flight_bytes_waits_total 2.0"), metrics);
            assertTrue(metrics.contains("routecert_admission_in_flight_bytes 0.0"), metrics);
        }
    }

    private static HttpResponse<String> post(TestServer server, byte[] body) {
        try {
            return server.post("/mutate", "application/json", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
