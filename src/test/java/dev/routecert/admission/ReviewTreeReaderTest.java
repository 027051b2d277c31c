package dev.routecert.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.bench.ReviewMix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
        for (ReviewMix.Kind kind : ReviewMix.kinds()) {
            bodies.add(new Object[] {"bench mix: " + kind.name(), kind.body()});
        }
        bodies.add(new Object[] {"handwritten", REVIEW.getBytes(StandardCharsets.UTF_8)});
        return bodies.stream();
    }

    @Test
    void theBenchmarkObjectsReallyCarryTheFieldsThatAreLeftOut() throws Exception {
        // guards the test above: it proves something only if the bodies hold what is removed
        byte[] body = ReviewMix.kinds().get(0).body();
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

    // ------------------------------------------------------------------ projections

    private static final ObjectReads ROUTES = new ObjectReads(
            true,
            List.of(new ListProjection("traefik.io", "v1alpha1", "IngressRoute", "routes", Set.of("match", "kind"))));

    private static final String ROUTED = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-2",
              "kind":{"group":"traefik.io","version":"v1alpha1","kind":"IngressRoute"},"operation":"UPDATE",
              "object":{"metadata":{"name":"shop"},"spec":{"entryPoints":["websecure"],
                "routes":[{"match":"Host(`a.example.com`)","kind":"Rule","services":[{"name":"a","port":80}],
                           "middlewares":[{"name":"m"}],"priority":10},
                          "not an object",{"match":{"odd":"shape"},"services":[]}],
                "tls":{"secretName":"shop-tls","domains":[{"main":"a.example.com"}]}}},
              "oldObject":{"spec":{"routes":[{"match":"Host(`a.example.com`)","services":[{"name":"old"}]}]}}}}
            """;

    @Test
    void itemsOfAProjectedListKeepOnlyTheNamedFields() throws Exception {
        JsonNode tree = new ReviewTreeReader(reviews.mapper(), ROUTES).read(ROUTED.getBytes(StandardCharsets.UTF_8));
        assertEquals(
                "[{\"match\":\"Host(`a.example.com`)\",\"kind\":\"Rule\"},\"not an object\",{\"match\":{\"odd\":\"shape\"}}]",
                tree.at("/request/object/spec/routes").toString());
        assertEquals(
                "[{\"match\":\"Host(`a.example.com`)\"}]",
                tree.at("/request/oldObject/spec/routes").toString());
        JsonNode whole = JSON.readTree(ROUTED).at("/request/object/spec");
        assertEquals(whole.get("tls"), tree.at("/request/object/spec/tls"), "the rest of spec is read whole");
        assertEquals(whole.get("entryPoints"), tree.at("/request/object/spec/entryPoints"));
    }

    @Test
    void theOldObjectIsLeftOutWhenThePolicyDoesNotReadIt() throws Exception {
        ObjectReads withoutOld = new ObjectReads(false, ROUTES.lists());
        AdmissionRequest request =
                new AdmissionReviews(7L * 1024 * 1024, withoutOld).parse(ROUTED.getBytes(StandardCharsets.UTF_8));
        assertEquals(null, request.oldObject());
        assertEquals("shop", request.object().at("/metadata/name").asText());
        assertEquals("UPDATE", request.operation());
        // skipped, but still tokenized: a broken old object is still a broken body
        String broken = ROUTED.replace("\"services\":[{\"name\":\"old\"}]", "\"services\":[{\"name\":\"old\"]");
        assertNotEquals(ROUTED, broken);
        ReviewRejection rejection = assertThrows(
                ReviewRejection.class,
                () -> new AdmissionReviews(7L * 1024 * 1024, withoutOld)
                        .parse(broken.getBytes(StandardCharsets.UTF_8)));
        assertTrue(rejection.getMessage().startsWith("request body is not valid JSON"), rejection.getMessage());
    }

    @Test
    void otherKindsListsOfAnotherShapeAndAKindAfterTheObjectAreReadWhole() throws Exception {
        ReviewTreeReader reader = new ReviewTreeReader(reviews.mapper(), ROUTES);
        for (String body : List.of(
                ROUTED.replace("\"version\":\"v1alpha1\"", "\"version\":\"v1beta1\""),
                ROUTED.replace("\"group\":\"traefik.io\"", "\"group\":\"example.com\""),
                // the kind moved after the objects: the walk has not seen it when it reads them
                ROUTED.replace(
                                "\"kind\":{\"group\":\"traefik.io\",\"version\":\"v1alpha1\",\"kind\":\"IngressRoute\"},",
                                "")
                        .replace(
                                "}}}}\n",
                                "}},\"kind\":{\"group\":\"traefik.io\",\"version\":\"v1alpha1\",\"kind\":\"IngressRoute\"}}}\n"))) {
            assertNotEquals(ROUTED, body, "each case changes the review");
            JsonNode expected = JSON.readTree(body);
            assertEquals(expected, reader.read(body.getBytes(StandardCharsets.UTF_8)), body);
        }
        String mapOfRoutes = ROUTED.replace(
                "\"routes\":[{\"match\":\"Host(`a.example.com`)\",\"services\":[{\"name\":\"old\"}]}]",
                "\"routes\":{\"a\":{\"match\":\"Host(`a.example.com`)\",\"services\":[{\"name\":\"old\"}]}}");
        assertNotEquals(ROUTED, mapOfRoutes);
        assertEquals(
                JSON.readTree(mapOfRoutes).at("/request/oldObject"),
                reader.read(mapOfRoutes.getBytes(StandardCharsets.UTF_8)).at("/request/oldObject"),
                "a map where a list belongs is kept whole for the checks to judge");
    }
}
