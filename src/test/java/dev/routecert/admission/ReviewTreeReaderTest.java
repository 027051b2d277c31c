package dev.routecert.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReviewTreeReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AdmissionReviews reviews = new AdmissionReviews(7L * 1024 * 1024);

    private static final String REVIEW = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
              "uid":"u-1","kind":{"group":"traefik.io","version":"v1alpha1","kind":"IngressRoute"},
              "resource":{"group":"traefik.io","version":"v1alpha1","resource":"ingressroutes"},
              "name":"shop","namespace":"web","operation":"UPDATE",
              "managedFields":"request-level, kept",
              "object":{"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute",
                "metadata":{"name":"shop","namespace":"web",
                  "labels":{"kubectl.kubernetes.io/last-applied-configuration":"a label, kept"},
                  "annotations":{"cert-manager.io/cluster-issuer":"le",
                    "kubectl.kubernetes.io/last-applied-configuration":"{\\"apiVersion\\":\\"traefik.io/v1alpha1\\",\\"spec\\":{}}\\n"},
                  "managedFields":[{"manager":"kubectl","operation":"Update","fieldsV1":{"f:spec":{"f:tls":{}}}}]},
                "spec":{"managedFields":"spec-level, kept","routes":[{"match":"Host(`a.example.com`)"}],
                  "tls":{"secretName":"shop-tls"}}},
              "oldObject":{"metadata":{"name":"shop",
                  "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"},
                  "managedFields":[{"manager":"kubectl"}]},
                "spec":{"routes":[]}}}}
            """;

    @Test
    void objectsLoseManagedFieldsAndTheLastAppliedCopy() throws ReviewRejection {
        AdmissionRequest request = reviews.parse(REVIEW.getBytes(StandardCharsets.UTF_8));
        JsonNode metadata = request.object().get("metadata");
        assertFalse(metadata.has("managedFields"));
        assertEquals(
                "{\"cert-manager.io/cluster-issuer\":\"le\"}",
                metadata.get("annotations").toString());
        JsonNode oldMetadata = request.oldObject().get("metadata");
        assertFalse(oldMetadata.has("managedFields"));
        assertTrue(oldMetadata.get("annotations").isObject(), "an annotations map left empty stays, empty");
        assertEquals(0, oldMetadata.get("annotations").size());
    }

    @Test
    void fieldsOfTheSameNameElsewhereAreKept() throws ReviewRejection {
        AdmissionRequest request = reviews.parse(REVIEW.getBytes(StandardCharsets.UTF_8));
        assertEquals(
                "a label, kept",
                request.object()
                        .at("/metadata/labels/kubectl.kubernetes.io~1last-applied-configuration")
                        .asText());
        assertEquals(
                "spec-level, kept", request.object().at("/spec/managedFields").asText());
        assertEquals(
                "[{\"match\":\"Host(`a.example.com`)\"}]",
                request.object().at("/spec/routes").toString());
        assertEquals("u-1", request.uid());
    }

    /** Every review the suite's golden files and the benchmark send reads as Jackson reads it, minus the two fields. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void theTreeIsJacksonsTreeWithoutTheBookkeepingFields(String name, byte[] body) throws Exception {
        JsonNode expected = JSON.readTree(body);
        JsonNode request = expected.path("request");
        for (String side : List.of("object", "oldObject")) {
            if (request.path(side).path("metadata") instanceof ObjectNode metadata) {
                metadata.remove("managedFields");
                if (metadata.get("annotations") instanceof ObjectNode annotations) {
                    annotations.remove(ReviewTreeReader.LAST_APPLIED);
                }
            }
        }
        assertEquals(expected, new ReviewTreeReader(reviews.mapper()).read(body));
    }

    static Stream<Object[]> bodies() throws IOException {
        List<Object[]> bodies = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/admission"))) {
            files.filter(f -> f.getFileName().toString().endsWith(".request.json"))
                    .sorted()
                    .forEach(f -> {
                        try {
                            bodies.add(new Object[] {f.getFileName().toString(), Files.readAllBytes(f)});
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        ApiServerReviews.all()
                .forEach((name, review) -> bodies.add(new Object[] {"API server: " + name, review.bytes()}));
        bodies.add(new Object[] {"handwritten", REVIEW.getBytes(StandardCharsets.UTF_8)});
        return bodies.stream();
    }

    @Test
    void theApiServerShapedObjectsReallyCarryTheFieldsThatAreLeftOut() throws Exception {
        // guards the test above: it proves something only if the bodies hold what is removed
        byte[] body = ApiServerReviews.updateUnchanged().bytes();
        JsonNode full = JSON.readTree(body).at("/request/object/metadata");
        assertTrue(full.has("managedFields"));
        assertTrue(full.path("annotations").has(ReviewTreeReader.LAST_APPLIED));
        assertNotEquals(full, new ReviewTreeReader(reviews.mapper()).read(body).at("/request/object/metadata"));
    }

    @Test
    void brokenJsonInsideASkippedFieldIsStillRefused() {
        String truncated = REVIEW.replace("[{\"manager\":\"kubectl\"}]", "[{\"manager\":\"kubectl\"]");
        ReviewRejection rejection =
                assertThrows(ReviewRejection.class, () -> reviews.parse(truncated.getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, rejection.httpStatus());
        assertTrue(rejection.getMessage().startsWith("request body is not valid JSON"), rejection.getMessage());
    }

    @Test
    void nestingBeyondTheLimitInsideASkippedFieldIsStillRefused() {
        String deep =
                "[".repeat(AdmissionReviews.MAX_NESTING_DEPTH + 5) + "]".repeat(AdmissionReviews.MAX_NESTING_DEPTH + 5);
        String body = REVIEW.replace("[{\"manager\":\"kubectl\"}]", deep);
        ReviewRejection rejection =
                assertThrows(ReviewRejection.class, () -> reviews.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertTrue(rejection.getMessage().startsWith("request body exceeds a JSON limit"), rejection.getMessage());
    }

    @Test
    void unexpectedShapesAreReadWholeForTheChecksToJudge() throws Exception {
        String odd = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
                + "\"kind\":{\"version\":\"v1\",\"kind\":\"Ingress\"},\"operation\":\"CREATE\","
                + "\"object\":{\"metadata\":\"not an object\"},\"oldObject\":[1,2.5,null,true,{\"managedFields\":1}]}}";
        JsonNode tree = new ReviewTreeReader(reviews.mapper()).read(odd.getBytes(StandardCharsets.UTF_8));
        assertEquals(JSON.readTree(odd), tree);
        assertEquals(null, new ReviewTreeReader(reviews.mapper()).read("  ".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everyFieldOfBothObjectsBesidesTheBookkeepingReachesThePolicy() throws ReviewRejection {
        String body = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-2",
                  "kind":{"group":"traefik.io","version":"v1alpha1","kind":"IngressRoute"},"operation":"UPDATE",
                  "object":{"metadata":{"name":"shop"},"spec":{"entryPoints":["websecure"],
                    "routes":[{"match":"Host(`a.example.com`)","kind":"Rule","services":[{"name":"a","port":80}],
                               "middlewares":[{"name":"m"}],"priority":10}]}},
                  "oldObject":{"spec":{"routes":[{"match":"Host(`a.example.com`)","services":[{"name":"old"}]}]}}}}
                """;
        AdmissionRequest request = reviews.parse(body.getBytes(StandardCharsets.UTF_8));
        assertEquals(
                "[{\"name\":\"m\"}]",
                request.object().at("/spec/routes/0/middlewares").toString());
        assertEquals(10, request.object().at("/spec/routes/0/priority").asInt());
        assertEquals(
                "old", request.oldObject().at("/spec/routes/0/services/0/name").asText());
    }
}
