package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reviews are read as UTF-8 and nothing else: a body in another encoding, or with bytes a strict
 * decoder refuses, is answered 400 with what was wrong and the fix, instead of being guessed at.
 */
class Utf8OnlyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;

    @BeforeAll
    static void start() {
        ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
        server = new TestServer(
                new FixedCertificateSource(certificate),
                AdmissionPolicy.ALLOW_ALL,
                TestPki.trusting(certificate.leaf()),
                config -> config);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A review whose one data value is {@code value}, as UTF-8 text. */
    private static String review(String value) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        object.putObject("data").put("k", value);
        return new String(
                AdmissionReviewBuilder.of("", "v1", "ConfigMap", "configmaps")
                        .uid("enc")
                        .object(object)
                        .bytes(),
                StandardCharsets.UTF_8);
    }

    /** The review with {@code bytes} in place of its data value's marker. */
    private static byte[] withRawValue(byte... bytes) {
        String[] halves = review("MARK").split("MARK");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(halves[0].getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bytes);
        out.writeBytes(halves[1].getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static JsonNode refused(HttpResponse<String> response) throws Exception {
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(
                "application/json",
                response.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = JSON.readTree(response.body());
        assertEquals("BadRequest", body.path("reason").asText(), response.body());
        return body;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"UTF-16", "UTF-16LE", "UTF-16BE", "UTF-32", "UTF-32LE", "UTF-32BE"})
    void refusesUtf16And32WithOrWithoutAByteOrderMark(String encoding) throws Exception {
        // Java's "UTF-16" writes a byte order mark, the LE/BE forms do not
        byte[] body = review("web").getBytes(Charset.forName(encoding));
        JsonNode answer = refused(server.post("/mutate", "application/json", body));
        String message = answer.path("message").asText();
        assertEquals(true, message.endsWith(": send the AdmissionReview as UTF-8"), message);
    }

    @Test
    void namesTheNulByteOfUtf16Text() throws Exception {
        byte[] body = review("web").getBytes(StandardCharsets.UTF_16LE);
        assertEquals(
                "request body has a NUL byte at offset 1, as UTF-16 or UTF-32 text has, and JSON text never does:"
                        + " send the AdmissionReview as UTF-8",
                refused(server.post("/mutate", "application/json", body))
                        .path("message")
                        .asText());
    }

    @Test
    void refusesAnOverlongEncoding() throws Exception {
        // 0xC0 0xAF is '/' in two bytes: decoders that accept it see a character others do not
        byte[] body = withRawValue((byte) 0xC0, (byte) 0xAF);
        int offset = review("MARK").indexOf("MARK");
        assertEquals(
                "request body is not valid UTF-8: 0xC0 at offset " + offset
                        + " is not a UTF-8 character: send the AdmissionReview as UTF-8",
                refused(server.post("/mutate", "application/json", body))
                        .path("message")
                        .asText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "ED A0 80", // an encoded surrogate (CESU-8)
                "F4 90 80 80", // past U+10FFFF
                "80", // a continuation byte alone
                "FF", // never in UTF-8
                "E2 82" // a sequence cut short
            })
    void refusesInvalidUtf8(String hex) throws Exception {
        String[] parts = hex.split(" ");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        String message = refused(server.post("/mutate", "application/json", withRawValue(bytes)))
                .path("message")
                .asText();
        assertEquals(true, message.startsWith("request body is not valid UTF-8: "), message);
    }

    @Test
    void refusesAUtf8ByteOrderMark() throws Exception {
        byte[] review = review("web").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[review.length + 3];
        body[0] = (byte) 0xEF;
        body[1] = (byte) 0xBB;
        body[2] = (byte) 0xBF;
        System.arraycopy(review, 0, body, 3, review.length);
        assertEquals(
                "request body starts with a byte order mark, which JSON sent over HTTP must not have:"
                        + " send the AdmissionReview as UTF-8 without one",
                refused(server.post("/mutate", "application/json", body))
                        .path("message")
                        .asText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"application/json; charset=utf-16", "application/json;charset=iso-8859-1"})
    void refusesACharsetOtherThanUtf8(String contentType) throws Exception {
        byte[] body = review("web").getBytes(StandardCharsets.UTF_8);
        String charset = contentType.substring(contentType.indexOf('=') + 1);
        assertEquals(
                "Content-Type names charset \"" + charset
                        + "\", but routecert reads only UTF-8: send the AdmissionReview as UTF-8",
                refused(server.post("/mutate", contentType, body))
                        .path("message")
                        .asText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {"application/json; charset=UTF-8", "application/json; Charset=\"utf-8\"", "application/json"})
    void acceptsUtf8WithNonAsciiText(String contentType) throws Exception {
        byte[] body = review("grüße, 東京, 🚀").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = server.post("/mutate", contentType, body);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(
                "enc",
                JSON.readTree(response.body()).path("response").path("uid").asText());
    }
}
