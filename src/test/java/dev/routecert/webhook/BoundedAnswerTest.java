package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.admission.AdmissionReviews;
import dev.routecert.admission.ApiServerReviews;
import dev.routecert.admission.ReviewRejection;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An object with thousands of mistakes gets an answer of bounded size: at most
 * {@link Violation#MAX_IN_SUMMARY} causes and a count of the rest, each cause cut to a few KiB,
 * and a bounded list of warnings; the policy's verdict (what {@code routecert check} prints) still
 * holds every violation.
 */
class BoundedAnswerTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final AdmissionReviews REVIEWS = new AdmissionReviews(64L * 1024 * 1024);
    private static final RoutePolicy POLICY =
            new RoutePolicy(PolicyConfig.defaults().withDefaultIssuer("letsencrypt-prod", "ClusterIssuer"));

    /** The largest answer a denial may be: its causes twice (message and causes) at their cut sizes, and the warnings. */
    private static final int MAX_ANSWER_BYTES =
            2 * (Violation.MAX_IN_SUMMARY + 1) * (Violation.MAX_FIELD_CHARS + 2 * Violation.MAX_TEXT_CHARS + 64)
                    + 20 * 300
                    + 1024;

    private static ObjectNode ingress(String name) {
        ObjectNode o = F.objectNode().put("apiVersion", "networking.k8s.io/v1").put("kind", "Ingress");
        o.putObject("metadata").put("name", name).put("namespace", "web");
        o.putObject("spec");
        return o;
    }

    private static AdmissionRequest request(ObjectNode object) throws ReviewRejection {
        return REVIEWS.parse(ApiServerReviews.ingressReview(object).bytes());
    }

    private static JsonNode answer(RouteAdmission.Mode mode, AdmissionRequest request) throws Exception {
        byte[] body = REVIEWS.write(REVIEWS.response(
                AdmissionReviews.API_VERSION, request.uid(), new RouteAdmission(POLICY, mode).review(request)));
        assertTrue(
                body.length <= MAX_ANSWER_BYTES, "an answer of " + body.length + " bytes, above " + MAX_ANSWER_BYTES);
        return REVIEWS.mapper().readTree(body);
    }

    /**
     * Finding 1: 10,000 rule hosts that none of 10,000 TLS hosts covers, the TLS hosts split between
     * one large entry and 5,000 entries that reuse its secret name with other hosts. The answer was
     * megabytes, one cause per violation.
     */
    @Test
    void thousandsOfUncoveredHostsAndSharedSecretsGetABoundedAnswer() throws Exception {
        int n = 10_000;
        ObjectNode object = ingress("many");
        ArrayNode rules = ((ObjectNode) object.get("spec")).putArray("rules");
        ArrayNode tls = ((ObjectNode) object.get("spec")).putArray("tls");
        ArrayNode firstHosts = tls.addObject().put("secretName", "shared").putArray("hosts");
        for (int i = 0; i < n; i++) {
            rules.addObject().put("host", "r" + i + ".example.com");
            if (i < n / 2) {
                firstHosts.add("t" + i + ".example.org");
            } else {
                tls.addObject().put("secretName", "shared").putArray("hosts").add("t" + i + ".example.org");
            }
        }
        AdmissionRequest request = request(object);

        Verdict verdict = RouteAdmission.evaluate(POLICY, request);
        int expected = n + n / 2; // every rule host, and every entry that reuses the secret name
        assertEquals(expected, verdict.violations().size(), "the verdict, as check prints it, keeps them all");

        for (RouteAdmission.Mode mode : RouteAdmission.Mode.values()) {
            JsonNode answer = answer(mode, request);
            assertFalse(answer.path("response").path("allowed").asBoolean(), answer.toString());
            JsonNode causes =
                    answer.path("response").path("status").path("details").path("causes");
            assertEquals(Violation.MAX_IN_SUMMARY + 1, causes.size(), mode + ": the kept causes and one for the rest");
            JsonNode last = causes.get(Violation.MAX_IN_SUMMARY);
            assertEquals(Violation.TOO_MANY, last.path("reason").asText());
            assertEquals(
                    Violation.more(expected - Violation.MAX_IN_SUMMARY),
                    last.path("message").asText());
            assertTrue(answer.path("response")
                    .path("status")
                    .path("message")
                    .asText()
                    .contains("And " + (expected - Violation.MAX_IN_SUMMARY) + " more"));
            assertTrue(answer.path("response").path("warnings").size() <= 16, answer.toString());
        }
    }

    @Test
    void aLongFieldOrValueIsCutInTheAnswer() throws Exception {
        String longKey = "example.com/" + "k".repeat(20_000);
        String longValue = "x".repeat(100_000);
        ObjectNode object = ingress("long");
        ObjectNode annotations = ((ObjectNode) object.get("metadata")).putObject("annotations");
        annotations.put(longKey, 5); // not a string: a violation at a 20,000-character field
        annotations.put("cert-manager.io/private-key-encoding", longValue); // quoted whole in the message
        annotations.put("kubernetes.io/tls-acme", longValue); // quoted whole in a warning
        ((ObjectNode) object.get("spec")).putArray("rules").addObject().put("host", "a.example.com");
        ((ObjectNode) object.get("spec"))
                .putArray("tls")
                .addObject()
                .put("secretName", "a-tls")
                .putArray("hosts")
                .add("a.example.com");
        AdmissionRequest request = request(object);
        assertTrue(RouteAdmission.evaluate(POLICY, request).violations().stream()
                .anyMatch(v -> v.field().length() > 20_000));

        JsonNode answer = answer(RouteAdmission.Mode.MUTATE, request);
        JsonNode causes = answer.path("response").path("status").path("details").path("causes");
        assertEquals(2, causes.size(), answer.toString());
        for (JsonNode cause : causes) {
            assertTrue(cause.path("field").asText().length() <= Violation.MAX_FIELD_CHARS);
            assertTrue(cause.path("message").asText().length() <= 2 * Violation.MAX_TEXT_CHARS + 10);
        }
        List<String> warnings = REVIEWS.mapper()
                .convertValue(
                        answer.path("response").path("warnings"),
                        REVIEWS.mapper().getTypeFactory().constructCollectionType(List.class, String.class));
        assertFalse(warnings.isEmpty());
        warnings.forEach(w -> assertTrue(w.length() <= 256, w));
    }

    @Test
    void withoutAClusterTheCertificatesNotCreatedAreCountedPastAFew() throws Exception {
        ObjectNode object = ingress("shop");
        ArrayNode rules = ((ObjectNode) object.get("spec")).putArray("rules");
        ArrayNode tls = ((ObjectNode) object.get("spec")).putArray("tls");
        for (int i = 0; i < 2_000; i++) {
            rules.addObject().put("host", "h" + i + ".example.com");
            tls.addObject().put("secretName", "s" + i).putArray("hosts").add("h" + i + ".example.com");
        }
        AdmissionDecision decision =
                new RouteAdmission(POLICY, RouteAdmission.Mode.MUTATE_WITHOUT_CLUSTER).review(request(object));
        assertTrue(decision.allowed());
        assertEquals(RouteAdmission.MAX_NAMED_UNCREATED + 1, decision.warnings().size(), "three named, then a count");
        assertEquals(
                "[no-cluster] routecert did not create 1997 more Certificates because it has no cluster connection",
                decision.warnings().getLast());
    }
}
