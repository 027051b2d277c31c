package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.admission.AdmissionReviews;
import dev.routecert.certificates.FakeCertificateStore;
import dev.routecert.certificates.IssuerInfo;
import dev.routecert.config.CertificateOptions;
import dev.routecert.policy.Fixtures;
import dev.routecert.policy.RoutePolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Anyone who may create a route may put any text in any of its strings. Every string value of every
 * policy fixture is replaced, one at a time, by hostile text (huge, non-ASCII, a 2,000-character
 * international name, control characters, NUL, invalid punycode, lone surrogates); the review then
 * goes the whole way a webhook takes it: the body parsed, the policy in every mode (and with
 * Certificates on a fake store), the answer written as bytes. Each must be an AdmissionReview that
 * echoes the uid and allows or denies (403): never an exception, never a code 500.
 */
class HostileStringsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AdmissionReviews REVIEWS = new AdmissionReviews(7L * 1024 * 1024);

    static List<String> hostileStrings() {
        String longIdn = "\u00fc".repeat(2_000) + ".example.com";
        return List.of(
                "",
                "a".repeat(70_000) + ".example.com",
                longIdn,
                "*." + longIdn,
                "Host(`" + longIdn + "`)",
                "b\u00fccher.\u4f8b\u3048.\u30c6\u30b9\u30c8",
                "a\nb\r\tc\u001b[31m\u007f",
                "www\u0000.example.com",
                "xn--",
                "xn--zz.example.com",
                "*.xn--a-ecp.xn--",
                "\ud800.example.com",
                "a\udfff",
                "\u202e\u200bexample.com\u2028",
                "\"'`\\${}%n%s");
    }

    @Test
    void noHostileStringEndsInAnExceptionOrAnInternalError() throws Exception {
        List<String> hostile = hostileStrings();
        int reviews = 0;
        int denied = 0;
        for (Fixtures.Fixture fixture : Fixtures.all()) {
            RoutePolicy policy = new RoutePolicy(Fixtures.config(fixture.expected()));
            List<String> paths = new ArrayList<>();
            collectStrings(fixture.object(), "", paths);
            for (String path : paths) {
                for (String value : hostile) {
                    JsonNode object = fixture.object().deepCopy();
                    replace(object, path, TextNode.valueOf(value));
                    byte[] body = BookkeepingFieldsTest.review(object, "CREATE");
                    for (var admission : admissions(policy).entrySet()) {
                        String what =
                                fixture.name() + ": " + path + " = " + shown(value) + " (" + admission.getKey() + ")";
                        AdmissionDecision decision;
                        JsonNode answer;
                        try {
                            AdmissionRequest request = REVIEWS.parse(body);
                            decision = admission.getValue().review(request);
                            byte[] bytes = REVIEWS.write(
                                    REVIEWS.response(AdmissionReviews.API_VERSION, request.uid(), decision));
                            answer = JSON.readTree(bytes);
                        } catch (Exception | StackOverflowError e) {
                            throw new AssertionError(what + " threw " + e, e);
                        }
                        assertEquals("AdmissionReview", answer.path("kind").asText(), what);
                        assertEquals("u-1", answer.path("response").path("uid").asText(), what);
                        if (!decision.allowed() && decision.status().code() != 403) {
                            fail(what + " answered " + decision.status().code() + " "
                                    + decision.status().message());
                        }
                        reviews++;
                        denied += decision.allowed() ? 0 : 1;
                    }
                }
            }
        }
        // the test means something only if it reached many fields and hostile hosts were refused
        assertTrue(reviews > 10_000, "only " + reviews + " reviews");
        assertTrue(denied > reviews / 10, "only " + denied + " of " + reviews + " denied");
    }

    private static Map<String, AdmissionPolicy> admissions(RoutePolicy policy) {
        Map<String, AdmissionPolicy> all = new LinkedHashMap<>();
        for (RouteAdmission.Mode mode : RouteAdmission.Mode.values()) {
            all.put(mode.name(), new RouteAdmission(policy, mode));
        }
        FakeCertificateStore store = new FakeCertificateStore();
        for (String issuer : List.of("letsencrypt-prod", "letsencrypt", "internal-ca")) {
            store.issuer(new IssuerInfo("ClusterIssuer", "", issuer, IssuerInfo.Type.ACME, List.of()));
            store.issuer(new IssuerInfo("Issuer", "default", issuer, IssuerInfo.Type.ACME, List.of()));
        }
        all.put("MUTATE with Certificates", new CertificateAdmission(policy, store, CertificateOptions.defaults()));
        return all;
    }

    private static String shown(String value) {
        return JSON.valueToTree(value.length() > 40 ? value.substring(0, 40) + "..." : value)
                .toString();
    }

    /** JSON Pointers of every string value, except apiVersion and kind, which decide what is judged. */
    private static void collectStrings(JsonNode node, String at, List<String> paths) {
        if (node instanceof ObjectNode o) {
            for (var it = o.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (at.isEmpty() && (field.equals("apiVersion") || field.equals("kind"))) {
                    continue;
                }
                collectStrings(o.get(field), at + "/" + field.replace("~", "~0").replace("/", "~1"), paths);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                collectStrings(a.get(i), at + "/" + i, paths);
            }
        } else if (node.isTextual()) {
            paths.add(at);
        }
    }

    private static void replace(JsonNode root, String path, JsonNode value) {
        int slash = path.lastIndexOf('/');
        JsonNode parent = root.at(path.substring(0, slash));
        String last = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else {
            ((ArrayNode) parent).set(Integer.parseInt(last), value);
        }
    }
}
