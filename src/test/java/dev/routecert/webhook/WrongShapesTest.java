package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * A mutating webhook sees objects before the API server checks them against their schema, so any
 * field of a route can hold a value of the wrong shape. Every value of every policy fixture is
 * replaced, one at a time, by a number, a boolean, null, a string, an empty and a mixed list, and
 * an empty and a non-empty object; the review then goes the whole /mutate way (projected parse,
 * policy, answer), in every mode and with Certificates on a fake store. None may end in an exception or an internal error (code 500): a wrong shape is
 * the user's to fix, and the answer must say where.
 */
class WrongShapesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AdmissionReviews REVIEWS = new AdmissionReviews(7L * 1024 * 1024);

    private static List<JsonNode> wrongValues() throws Exception {
        return List.of(
                JSON.readTree("443"),
                JSON.readTree("true"),
                JSON.nullNode(),
                JSON.readTree("\"x\""),
                JSON.readTree("[]"),
                JSON.readTree("[\"a.example.com\", 1, null, {}]"),
                JSON.readTree("{}"),
                JSON.readTree("{\"match\": 1, \"host\": [], \"main\": {}}"));
    }

    @Test
    void noValueOfTheWrongShapeEndsInAnInternalError() throws Exception {
        List<JsonNode> wrong = wrongValues();
        int reviews = 0;
        int denied = 0;
        int written = 0;
        for (Fixtures.Fixture fixture : Fixtures.all()) {
            RoutePolicy policy = new RoutePolicy(Fixtures.config(fixture.expected()));
            List<String> paths = new ArrayList<>();
            collect(fixture.object(), "", paths);
            for (String path : paths) {
                for (JsonNode value : wrong) {
                    JsonNode object = fixture.object().deepCopy();
                    replace(object, path, value);
                    byte[] body = BookkeepingFieldsTest.review(object, "CREATE");
                    FakeCertificateStore store = storeWithIssuers();
                    for (var admission : admissions(policy, store).entrySet()) {
                        String mode = admission.getKey();
                        AdmissionDecision decision;
                        try {
                            AdmissionRequest request = REVIEWS.parse(body);
                            decision = admission.getValue().review(request);
                            REVIEWS.write(REVIEWS.response(AdmissionReviews.API_VERSION, request.uid(), decision));
                        } catch (Exception | StackOverflowError e) {
                            throw new AssertionError(
                                    fixture.name() + ": " + path + " = " + value + " (" + mode + ") threw " + e, e);
                        }
                        if (!decision.allowed() && decision.status().code() != 403) {
                            fail(fixture.name() + ": " + path + " = " + value + " (" + mode + ") answered "
                                    + decision.status().code() + " "
                                    + decision.status().message());
                        }
                        reviews++;
                        denied += decision.allowed() ? 0 : 1;
                    }
                    written += (int) store.writes.stream()
                            .filter(w -> w.startsWith("create "))
                            .count();
                }
            }
        }
        // the test means something only if it reached many fields and wrong shapes were refused
        assertTrue(reviews > 10_000, "only " + reviews + " reviews");
        assertTrue(denied > reviews / 10, "only " + denied + " of " + reviews + " denied");
        assertTrue(written > 1_000, "only " + written + " Certificates written");
    }

    /**
     * The three modes without a cluster, and /mutate with Certificates on a fake store that knows the
     * fixtures' issuers: the path a cluster runs, up to the Certificate write.
     */
    private static Map<String, AdmissionPolicy> admissions(RoutePolicy policy, FakeCertificateStore store) {
        Map<String, AdmissionPolicy> all = new LinkedHashMap<>();
        for (RouteAdmission.Mode mode : RouteAdmission.Mode.values()) {
            all.put(mode.name(), new RouteAdmission(policy, mode));
        }
        all.put("MUTATE with Certificates", new CertificateAdmission(policy, store, CertificateOptions.defaults()));
        return all;
    }

    private static FakeCertificateStore storeWithIssuers() {
        FakeCertificateStore store = new FakeCertificateStore();
        for (String issuer : List.of("letsencrypt-prod", "letsencrypt", "internal-ca")) {
            store.issuer(new IssuerInfo("ClusterIssuer", "", issuer, IssuerInfo.Type.ACME, List.of()));
            store.issuer(new IssuerInfo("Issuer", "default", issuer, IssuerInfo.Type.ACME, List.of()));
        }
        return store;
    }

    /** JSON Pointers of every value below the root, except apiVersion and kind, which decide what is judged. */
    private static void collect(JsonNode node, String at, List<String> paths) {
        if (node instanceof ObjectNode o) {
            for (var it = o.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (at.isEmpty() && (field.equals("apiVersion") || field.equals("kind"))) {
                    continue;
                }
                String path = at + "/" + field.replace("~", "~0").replace("/", "~1");
                paths.add(path);
                collect(o.get(field), path, paths);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                paths.add(at + "/" + i);
                collect(a.get(i), at + "/" + i, paths);
            }
        }
    }

    private static void replace(JsonNode root, String path, JsonNode value) {
        int slash = path.lastIndexOf('/');
        ContainerNode<?> parent = (ContainerNode<?>) root.at(path.substring(0, slash));
        String last = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else {
            ((ArrayNode) parent).set(Integer.parseInt(last), value);
        }
    }
}
