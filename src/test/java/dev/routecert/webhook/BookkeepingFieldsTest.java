package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.admission.AdmissionReviews;
import dev.routecert.admission.ApiServerReviews;
import dev.routecert.policy.Fixtures;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The webhook reads reviews without the objects' bookkeeping fields ({@code managedFields} and
 * kubectl's last-applied copy). Every policy fixture and every review in {@link ApiServerReviews} must get byte
 * for byte the answer it gets when its objects are read whole, from /mutate and from /validate.
 */
class BookkeepingFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final long MAX = 7L * 1024 * 1024;
    private static final AdmissionReviews REVIEWS = new AdmissionReviews(MAX);
    /** Reviews whose objects lost fields: the test proves something only if some do. */
    private static final AtomicInteger LEFT_OUT = new AtomicInteger();

    record Case(String name, PolicyConfig config, byte[] body) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Fixtures.Fixture fixture : Fixtures.all()) {
            JsonNode expected = fixture.expected();
            cases.add(new Case(
                    fixture.name(),
                    Fixtures.config(expected),
                    review(fixture.object(), expected.path("operation").asText("CREATE"))));
        }
        PolicyConfig bench = PolicyConfig.defaults().withDefaultIssuer("letsencrypt-prod", PolicyConfig.CLUSTER_ISSUER);
        ApiServerReviews.all()
                .forEach((name, review) ->
                        cases.add(new Case("as the API server sends it: " + name, bench, review.bytes())));
        return cases.stream();
    }

    /** An AdmissionReview of {@code object} as the API server sends it (an UPDATE's old object is the same). */
    static byte[] review(JsonNode object, String operation) {
        return AdmissionReviewBuilder.forObject(object, "default")
                .uid("u-1")
                .operation(operation)
                .oldObject(operation.equals("UPDATE") ? object : null)
                .bytes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theAnswerIsTheSameAsWhenObjectsAreReadWhole(Case c) throws Exception {
        RoutePolicy policy = new RoutePolicy(c.config());
        AdmissionRequest read = REVIEWS.parse(c.body());
        JsonNode request = JSON.readTree(c.body()).path("request");
        AdmissionRequest whole = new AdmissionRequest(
                read.uid(),
                read.group(),
                read.version(),
                read.kind(),
                read.resource(),
                read.subResource(),
                read.name(),
                read.namespace(),
                read.operation(),
                read.username(),
                read.dryRun(),
                request.get("object"),
                request.hasNonNull("oldObject") ? request.get("oldObject") : null);
        if (!whole.object().equals(read.object())) {
            LEFT_OUT.incrementAndGet();
        }
        for (RouteAdmission.Mode mode : RouteAdmission.Mode.values()) {
            RouteAdmission admission = new RouteAdmission(policy, mode);
            assertEquals(answer(whole, admission), answer(read, admission), mode.name());
        }
    }

    private static String answer(AdmissionRequest request, RouteAdmission admission) {
        return new String(
                REVIEWS.write(REVIEWS.response(AdmissionReviews.API_VERSION, request.uid(), admission.review(request))),
                StandardCharsets.UTF_8);
    }

    @AfterAll
    static void someObjectsReallyLostFields() {
        assertTrue(LEFT_OUT.get() > 0, "no review had bookkeeping fields left out");
    }
}
