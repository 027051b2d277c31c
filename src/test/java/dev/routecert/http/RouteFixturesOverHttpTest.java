package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.policy.Fixtures;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import dev.routecert.webhook.RouteAdmission;
import io.fabric8.zjsonpatch.JsonPatch;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every policy fixture sent as an AdmissionReview to {@code /mutate} and {@code /validate} over real
 * TLS: the verdict stored beside the fixture must come back as the API server would read it.
 */
class RouteFixturesOverHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ServingCertificate CERTIFICATE = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
    private static final Map<String, TestServer> SERVERS = new HashMap<>();

    static Stream<Fixtures.Fixture> fixtures() {
        List<Fixtures.Fixture> all = Fixtures.all();
        assertTrue(all.size() > 20, "fixtures missing: " + all.size());
        return all.stream();
    }

    /** One server per policy: the configuration with the inline policy file and namespace labels. */
    private static synchronized TestServer serverFor(JsonNode expected) {
        String key = Fixtures.config(expected) + " " + expected.path("policyFile") + " "
                + expected.path("namespaceLabels") + " " + expected.path("clusterObjects");
        return SERVERS.computeIfAbsent(key, k -> {
            RoutePolicy policy = Fixtures.policy(expected);
            return new TestServer(
                    new FixedCertificateSource(CERTIFICATE),
                    new RouteAdmission(policy, RouteAdmission.Mode.MUTATE),
                    new RouteAdmission(policy, RouteAdmission.Mode.VALIDATE),
                    TestPki.trusting(CERTIFICATE.leaf()),
                    cfg -> cfg);
        });
    }

    @AfterAll
    static void stop() {
        SERVERS.values().forEach(TestServer::close);
        SERVERS.clear();
    }

    private static byte[] review(String uid, JsonNode object, String operation, JsonNode oldObject) {
        return AdmissionReviewBuilder.forObject(object, "default")
                .uid(uid)
                .operation(operation)
                .oldObject(oldObject)
                .bytes();
    }

    private static JsonNode post(
            TestServer server, String path, String uid, JsonNode object, String operation, JsonNode oldObject)
            throws Exception {
        var response = server.post(path, "application/json", review(uid, object, operation, oldObject));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode answer = JSON.readTree(response.body()).get("response");
        assertEquals(uid, answer.get("uid").asText());
        return answer;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void answersTheStoredVerdictOverHttps(Fixtures.Fixture fixture) throws Exception {
        JsonNode expected = fixture.expected();
        String operation = expected.path("operation").asText("CREATE");
        TestServer server = serverFor(expected);
        String verdict = expected.path("verdict").asText();
        JsonNode old = Fixtures.oldObject(expected, fixture.object());
        JsonNode mutate = post(server, "/mutate", "m-" + fixture.name(), fixture.object(), operation, old);
        JsonNode validate = post(server, "/validate", "v-" + fixture.name(), fixture.object(), operation, old);

        if (verdict.equals("DENY")) {
            for (JsonNode answer : List.of(mutate, validate)) {
                assertFalse(answer.get("allowed").asBoolean(), answer.toString());
                assertEquals(403, answer.path("status").path("code").asInt(), answer.toString());
                List<String> fields =
                        answer.path("status").path("details").path("causes").findValuesAsText("field");
                List<String> expectedFields = expected.path("violations").findValuesAsText("field");
                assertEquals(expectedFields, fields, answer.toString());
                for (String field : expectedFields) {
                    assertTrue(answer.path("status").path("message").asText().contains(field), answer.toString());
                }
                assertNull(answer.get("patch"), "a denial carries no patch");
            }
            return;
        }
        assertTrue(mutate.get("allowed").asBoolean(), mutate.toString());
        assertTrue(validate.get("allowed").asBoolean(), validate.toString());
        assertNull(validate.get("warnings"), "warnings come from /mutate only, so kubectl prints each once");
        assertNull(validate.get("patch"), "/validate never patches");
        assertEquals(expected.path("warnings").size(), mutate.path("warnings").size(), mutate.toString());

        JsonNode patched = expected.get("patched");
        if (patched == null) {
            assertNull(mutate.get("patch"), mutate.toString());
            return;
        }
        assertEquals("JSONPatch", mutate.path("patchType").asText());
        JsonNode patch =
                JSON.readTree(Base64.getDecoder().decode(mutate.get("patch").asText()));
        JsonNode result = JsonPatch.apply(patch, fixture.object());
        assertEquals(patched, result);
        // the API server then sends the mutated object to /validate, and to /mutate again on reinvocation
        JsonNode revalidated = post(server, "/validate", "v2-" + fixture.name(), result, operation, old);
        assertTrue(revalidated.get("allowed").asBoolean(), revalidated.toString());
        JsonNode reinvoked = post(server, "/mutate", "m2-" + fixture.name(), result, operation, old);
        assertNull(reinvoked.get("patch"), "a mutated object needs no second patch");
    }
}
