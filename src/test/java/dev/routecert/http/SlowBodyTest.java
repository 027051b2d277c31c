package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.config.ServeConfig;
import dev.routecert.time.Await;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** Bodies that arrive slowly hold only what they have sent, and one that arrives too slowly is cut off. */
class SlowBodyTest {

    private static final long BUDGET = 64 * 1024;
    private static final ServingCertificate CERTIFICATE = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
    private static final SSLContext TRUST = TestPki.trusting(CERTIFICATE.leaf());

    private static TestServer server(UnaryOperator<ServeConfig.Builder> tweak) {
        return new TestServer(
                new FixedCertificateSource(CERTIFICATE),
                AdmissionPolicy.ALLOW_ALL,
                TRUST,
                config -> tweak.apply(config.toBuilder()).build());
    }

    private static SSLSocket startBody(int port, long declared) throws Exception {
        SSLSocket socket = RawHttps.connect(TRUST, port);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + declared + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static long inFlightBytes(TestServer server) {
        return new String(server.metrics.scrape(), StandardCharsets.UTF_8)
                .lines()
                .filter(line -> line.startsWith("routecert_admission_in_flight_bytes "))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                .findFirst()
                .orElse(-1);
    }

    @Test
    void aTricklingBodyHoldsOnlyWhatItHasSentSoNormalReviewsPass() throws Exception {
        try (TestServer server = server(c -> c.maxInFlightBytes(BUDGET)
                        .requestReadTimeout(Duration.ofSeconds(5))
                        .minRequestDataRate(0));
                SSLSocket slow = startBody(server.server.securePort(), BUDGET)) {
            slow.getOutputStream().write("{\"kind\":".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            Await.until(
                    "the trickling body holds the 8 bytes it sent",
                    Duration.ofSeconds(5),
                    () -> inFlightBytes(server) == 8,
                    () -> inFlightBytes(server) + " bytes in flight");

            HttpResponse<String> normal = server.post("/validate", "application/json", RawHttps.review("normal"));

            assertEquals(200, normal.statusCode(), normal.body());
            assertTrue(normal.body().contains("\"allowed\":true"), normal.body());
            // the normal review gives its share back just after its answer is flushed
            Await.until(
                    "the slow body still holds only what it sent",
                    Duration.ofSeconds(5),
                    () -> inFlightBytes(server) == 8,
                    () -> inFlightBytes(server) + " bytes in flight");
        }
    }

    @Test
    void aBodyBelowTheMinimumDataRateIsAnswered408AndItsConnectionClosed() throws Exception {
        ExecutorService trickler = Executors.newSingleThreadExecutor();
        try (TestServer server =
                        server(c -> c.requestReadTimeout(Duration.ofSeconds(30)).minRequestDataRate(1024));
                SSLSocket slow = startBody(server.server.securePort(), 100_000)) {
            slow.setSoTimeout(20_000);
            // the client sends one byte every 100 ms until the server answers; only the answer is awaited
            trickler.submit(() -> {
                OutputStream out = slow.getOutputStream();
                while (!Thread.currentThread().isInterrupted()) {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(100);
                }
                return null;
            });

            String response = RawHttps.readAll(slow.getInputStream());

            assertTrue(response.startsWith("HTTP/1.1 408 "), response);
            assertTrue(response.contains("--min-request-data-rate"), response);
            assertTrue(response.contains("Connection: close"), response);
        } finally {
            trickler.shutdownNow();
            trickler.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
