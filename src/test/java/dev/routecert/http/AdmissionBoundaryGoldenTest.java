package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden pairs for the HTTP boundary: each {@code admission/<case>.request.json} names the method,
 * path, content type and body sent over a real TLS connection; {@code <case>.response.json} holds the
 * exact status and JSON body expected. A new case is a new pair of files.
 */
class AdmissionBoundaryGoldenTest {

    private static final Path CASES = Path.of("src/test/resources/admission");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;

    @BeforeAll
    static void start() {
        ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
        server = new TestServer(
                new FixedCertificateSource(certificate),
                new DecidingTestPolicy(),
                TestPki.trusting(certificate.leaf()),
                config -> config);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(CASES)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".request.json"))
                    .map(n -> n.substring(0, n.length() - ".request.json".length()))
                    .sorted()
                    .toList();
            assertFalse(names.isEmpty(), "no golden cases found in " + CASES.toAbsolutePath());
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersExactlyAsRecorded(String name) throws Exception {
        JsonNode spec = JSON.readTree(CASES.resolve(name + ".request.json").toFile());
        byte[] body = spec.has("review")
                ? JSON.writeValueAsBytes(spec.get("review"))
                : spec.path("rawBody").asText("").getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        server.admissionUri(spec.path("path").asText("/mutate")))
                .timeout(Duration.ofSeconds(10))
                .method(spec.path("method").asText("POST"), HttpRequest.BodyPublishers.ofByteArray(body));
        if (spec.hasNonNull("contentType")) {
            request.header("Content-Type", spec.get("contentType").asText());
        }
        HttpResponse<String> response = server.client.send(request.build(), HttpResponse.BodyHandlers.ofString());

        ObjectNode actual = JSON.createObjectNode();
        actual.put("status", response.statusCode());
        actual.put("contentType", response.headers().firstValue("Content-Type").orElse(""));
        actual.set("body", JSON.readTree(response.body()));
        Path expectedFile = CASES.resolve(name + ".response.json");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(
                    expectedFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(actual) + "\n");
        }
        assertEquals(
                JSON.readTree(expectedFile.toFile()),
                actual,
                () -> "response for " + name + " was\n" + actual.toPrettyString());
    }

    @Test
    void everyCaseHasItsExpectedResponse() throws IOException {
        for (String name : cases().toList()) {
            assertEquals(true, Files.exists(CASES.resolve(name + ".response.json")), name + " has no .response.json");
        }
    }

    @Test
    void patchDecodesToTheJsonPatchThePolicyReturned() throws Exception {
        byte[] review = AdmissionReviewBuilder.of("", "v1", "ConfigMap", "configmaps")
                .uid("p-1")
                .namespace("a")
                .name("b")
                .object(JSON.readTree(
                        "{\"metadata\":{\"name\":\"b\",\"annotations\":{\"test.routecert.dev/decision\":\"patch\"}}}"))
                .bytes();
        HttpResponse<String> response = server.post("/mutate", "application/json", review);
        JsonNode answer = JSON.readTree(response.body()).get("response");
        JsonNode patch =
                JSON.readTree(Base64.getDecoder().decode(answer.get("patch").asText()));
        assertEquals(
                JSON.readTree("[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"patched\":\"yes\"}}]"),
                patch);
    }
}
