package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.time.Await;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Size, depth and time limits at the boundary: each answered with a clear 4xx, never a 5xx or a hang. */
class BoundaryLimitsTest {

    private static final long LIMIT = 64 * 1024;
    private static final Duration READ_TIMEOUT = Duration.ofMillis(1500);
    private static TestServer server;
    private static SSLContext trust;

    @BeforeAll
    static void start() {
        ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
        trust = TestPki.trusting(certificate.leaf());
        server = new TestServer(
                new FixedCertificateSource(certificate),
                AdmissionPolicy.ALLOW_ALL,
                trust,
                config -> config.toBuilder()
                        .maxRequestBytes(LIMIT)
                        .requestReadTimeout(READ_TIMEOUT)
                        .build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A ConfigMap review of exactly {@code size} bytes: its one value is padded to fill them. */
    private static byte[] reviewOfSize(int size) {
        int frame = configMapReview("").length;
        return configMapReview("x".repeat(size - frame));
    }

    private static byte[] configMapReview(String value) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        object.putObject("data").put("k", value);
        return AdmissionReviewBuilder.of("", "v1", "ConfigMap", "configmaps")
                .uid("big")
                .object(object)
                .bytes();
    }

    @Test
    void acceptsAReviewJustUnderTheLimit() throws Exception {
        HttpResponse<String> response = server.post("/mutate", "application/json", reviewOfSize((int) LIMIT));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"uid\":\"big\""));
    }

    @Test
    void refusesADeclaredOversizeBodyWith413() throws Exception {
        HttpResponse<String> response = server.post("/mutate", "application/json", reviewOfSize((int) LIMIT + 1));
        assertEquals(413, response.statusCode());
        assertTrue(
                response.body()
                        .contains(
                                "\"message\":\"request body exceeds the limit of 65536 bytes (--max-request-bytes)\""),
                response.body());
    }

    /**
     * A client that reads the 413 and goes on sending its body must be able to: the server discards
     * the rest before it closes. Closing with unread bytes would reset the connection, and a client
     * still writing (as Java's HttpClient and the API server's do) would lose the answer.
     */
    @Test
    void aRefusedBodyIsDiscardedBeforeTheConnectionCloses() throws Exception {
        try (SSLSocket socket = RawHttps.connect(trust, server.server.securePort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            int length = (int) LIMIT * 2;
            out.write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                            + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int got = 0;
            while (got < head.length) {
                int n = in.read(head, got, head.length - got);
                assertTrue(n > 0, "the connection ended before the status line");
                got += n;
            }
            assertEquals("HTTP/1.1 413", new String(head, StandardCharsets.US_ASCII));
            // the answer is in; the body follows in pieces, as a client that writes while it reads sends it
            byte[] piece = new byte[8 * 1024];
            for (int sent = 0; sent < length; sent += piece.length) {
                out.write(piece);
                out.flush();
                Thread.sleep(5);
            }
            String rest = RawHttps.readAll(in);
            assertTrue(rest.contains("request body exceeds the limit of 65536 bytes"), rest);
        }
    }

    @Test
    void refusesAChunkedOversizeBodyWith413() throws Exception {
        byte[] body = reviewOfSize((int) LIMIT * 4);
        // a publisher of unknown length makes the client send chunked: the server must count, not trust a header
        HttpRequest.BodyPublisher chunked = new HttpRequest.BodyPublisher() {
            private final HttpRequest.BodyPublisher inner = HttpRequest.BodyPublishers.ofByteArray(body);

            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
                inner.subscribe(subscriber);
            }
        };
        HttpResponse<String> response;
        try {
            response = server.client.send(
                    HttpRequest.newBuilder(server.admissionUri("/mutate"))
                            .header("Content-Type", "application/json")
                            .POST(chunked)
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // the server may close while the client is still sending; then the raw exchange below must show the 413
            response = null;
        }
        if (response != null) {
            assertEquals(413, response.statusCode(), response.body());
        } else {
            try (SSLSocket socket = RawHttps.connect(trust, server.server.securePort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n" + Long.toHexString(LIMIT + 10) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[(int) LIMIT + 10]);
                out.flush();
                String answer = RawHttps.readAll(socket.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            }
        }
    }

    @Test
    void refusesJsonNestedDeeperThanAnyKubernetesObject() throws Exception {
        String deep =
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"deep\",\"object\":"
                        + "[".repeat(5000) + "]".repeat(5000) + "}}";
        HttpResponse<String> response =
                server.post("/mutate", "application/json", deep.getBytes(StandardCharsets.UTF_8));
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(
                response.body()
                        .contains(
                                "request body exceeds a JSON limit: Document nesting depth (257) exceeds the maximum allowed (256"),
                response.body());
    }

    @Test
    void cutsOffABodyThatStopsArriving() throws Exception {
        try (SSLSocket socket = RawHttps.connect(trust, server.server.securePort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"apiVersion\"")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            InputStream in = socket.getInputStream();
            String answer = RawHttps.readAll(in);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(
                    answer.contains("request body was not received within 1500 ms (--request-read-timeout)"), answer);
            assertTrue(waitedMillis < READ_TIMEOUT.toMillis() * 3, "answered after " + waitedMillis + " ms");
        }
    }

    @Test
    void countsRefusalsInMetrics() throws Exception {
        server.post("/validate", "text/plain", "x".getBytes(StandardCharsets.UTF_8));
        server.post("/validate", "application/json", RawHttps.review("counted"));
        // the endpoint counts a review once its answer is out, so the client can see the answer first
        // a refusal counts under its HTTP status (415), an answered review under 200, as controller-runtime's
        for (String code : new String[] {"415", "200"}) {
            String line = "controller_runtime_webhook_requests_total{code=\"" + code + "\",webhook=\"/validate\"}";
            Await.until(
                    line,
                    Duration.ofSeconds(10),
                    () -> new String(server.metrics.scrape(), StandardCharsets.UTF_8).contains(line));
        }
        String scrape = server.health("/metrics").body();
        assertTrue(
                scrape.contains("controller_runtime_webhook_requests_total{code=\"415\",webhook=\"/validate\"}"),
                scrape);
        assertTrue(
                scrape.contains("controller_runtime_webhook_requests_total{code=\"200\",webhook=\"/validate\"}"),
                scrape);
        assertTrue(
                scrape.contains(
                        "controller_runtime_webhook_latency_seconds_bucket{code=\"200\",webhook=\"/validate\",le=\"0.005\"}"),
                scrape);
        assertTrue(scrape.contains("controller_runtime_webhook_requests_in_flight{webhook=\"/validate\"} 0"), scrape);
        assertTrue(scrape.contains("jvm_memory_used_bytes"), scrape);
    }
}
