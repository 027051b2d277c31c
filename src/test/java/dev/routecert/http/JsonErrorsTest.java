package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whatever bytes arrive, the answer is JSON: requests that Jetty refuses before any handler runs
 * (malformed or oversize heads, bad lengths) get the same Kubernetes Status shape as the endpoint's
 * own refusals, never an HTML page.
 */
class JsonErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;
    private static SSLContext trust;

    @BeforeAll
    static void start() {
        ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
        trust = TestPki.trusting(certificate.leaf());
        server = new TestServer(new FixedCertificateSource(certificate), AdmissionPolicy.ALLOW_ALL, trust, c -> c);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final String BODY = "{}";

    /** The raw request head for each case; the body, when there is one, is {@link #BODY}. */
    private static String head(String name) {
        String json = "Content-Type: application/json\r\n";
        return switch (name) {
            case "header-without-colon" ->
                "POST /mutate HTTP/1.1\r\nHost: localhost\r\n" + json + "NoColonHere\r\nContent-Length: 2\r\n";
            case "long-uri" ->
                "POST /mutate?" + "a".repeat(10 * 1024) + " HTTP/1.1\r\nHost: localhost\r\n" + json
                        + "Content-Length: 2\r\n";
            case "large-header-block" ->
                "POST /mutate HTTP/1.1\r\nHost: localhost\r\n" + json
                        + ("X-Filler: " + "f".repeat(1000) + "\r\n").repeat(64) + "Content-Length: 2\r\n";
            case "content-length-not-a-number" ->
                "POST /mutate HTTP/1.1\r\nHost: localhost\r\n" + json + "Content-Length: abc\r\n";
            case "conflicting-content-lengths" ->
                "POST /mutate HTTP/1.1\r\nHost: localhost\r\n" + json + "Content-Length: 2\r\nContent-Length: 3\r\n";
            case "unknown-version" -> "POST /mutate HTTP/7.1\r\nHost: localhost\r\n" + json + "Content-Length: 2\r\n";
            case "bad-method" -> "P@ST /mutate HTTP/1.1\r\nHost: localhost\r\n" + json + "Content-Length: 2\r\n";
            case "unknown-path" -> "POST /admit HTTP/1.1\r\nHost: localhost\r\n" + json + "Content-Length: 2\r\n";
            case "get-on-mutate" -> "GET /mutate HTTP/1.1\r\nHost: localhost\r\n";
            case "no-host" -> "POST /mutate HTTP/1.1\r\n" + json + "Content-Length: 2\r\n";
            case "ambiguous-path" ->
                "POST /x/%2e%2e/mutate HTTP/1.1\r\nHost: localhost\r\n" + json + "Content-Length: 2\r\n";
            case "encoded-slash" -> "POST /mutate%2Fx HTTP/1.1\r\nHost: localhost\r\n" + json + "Content-Length: 2\r\n";
            case "bad-percent-encoding" ->
                "POST /mutate%zz HTTP/1.1\r\nHost: localhost\r\n" + json + "Content-Length: 2\r\n";
            case "chunked-and-content-length" ->
                "POST /mutate HTTP/1.1\r\nHost: localhost\r\n" + json
                        + "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n";
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "header-without-colon, 400",
        "long-uri, 414",
        "large-header-block, 431",
        "content-length-not-a-number, 400",
        "conflicting-content-lengths, 400",
        "chunked-and-content-length, 400",
        "no-host, 400",
        "bad-method, 400",
        "bad-percent-encoding, 400",
        "unknown-version, 505",
        "unknown-path, 404",
        "ambiguous-path, 404",
        "encoded-slash, 404",
        "get-on-mutate, 405"
    })
    void answersWithAKubernetesStatusInJson(String name, int status) throws Exception {
        String answer = exchange(head(name) + "Connection: close\r\n\r\n" + BODY);
        assertEquals(status, Integer.parseInt(answer.substring(9, 12)), answer);
        String headers = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
        assertTrue(headers.contains("\r\ncontent-type: application/json"), answer);
        JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertEquals("Status", body.path("kind").asText(), answer);
        assertEquals("v1", body.path("apiVersion").asText(), answer);
        assertEquals("Failure", body.path("status").asText(), answer);
        assertEquals(status, body.path("code").asInt(), answer);
        assertTrue(!body.path("reason").asText().isEmpty(), answer);
        assertTrue(!body.path("message").asText().isEmpty(), answer);
    }

    /** Jetty's detail is kept, after what kind of problem it is; nothing more of the request than that. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "conflicting-content-lengths | malformed HTTP request: Multiple Content-Lengths",
                "content-length-not-a-number | malformed HTTP request: Invalid Content-Length Value",
                "long-uri | request URI is too long",
                "large-header-block | request header block is too large",
                "unknown-version | HTTP version not supported: routecert speaks HTTP/1.1"
            })
    void saysWhatWasWrong(String name, String message) throws Exception {
        String answer = exchange(head(name) + "Connection: close\r\n\r\n" + BODY);
        JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertEquals(message, body.path("message").asText(), answer);
    }

    private static String exchange(String request) throws IOException, InterruptedException {
        try (SSLSocket socket = RawHttps.connect(trust, server.server.securePort())) {
            // Jetty may answer and close before it has read an over-long head, so the request is
            // written beside the read: a write cut off by that close must not lose the answer
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (IOException closedEarly) {
                    // the answer below says why
                }
            });
            String answer = RawHttps.readAll(socket.getInputStream());
            writer.join();
            return answer;
        }
    }
}
