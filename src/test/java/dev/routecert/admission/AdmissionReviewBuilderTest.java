package dev.routecert.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The builder's reviews are what the review parser accepts, with every part where the API server puts it. */
class AdmissionReviewBuilderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AdmissionReviews REVIEWS = new AdmissionReviews(7L * 1024 * 1024);

    @Test
    void aReviewOfAnObjectParsesToItsRequest() throws Exception {
        JsonNode object = JSON.readTree("""
                {"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute","metadata":{"name":"api"},"spec":{}}""");
        JsonNode old = JSON.readTree("""
                {"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute","metadata":{"name":"api"},"spec":{"tls":{}}}""");
        AdmissionRequest request = REVIEWS.parse(AdmissionReviewBuilder.forObject(object, "web")
                .operation("UPDATE")
                .oldObject(old)
                .dryRun(true)
                .uid("u-7")
                .user("alice", "platform")
                .bytes());
        assertEquals("u-7", request.uid());
        assertEquals("traefik.io", request.group());
        assertEquals("v1alpha1", request.version());
        assertEquals("IngressRoute", request.kind());
        assertEquals("web", request.namespace());
        assertEquals("api", request.name());
        assertEquals("UPDATE", request.operation());
        assertEquals("alice", request.username());
        assertTrue(request.dryRun());
        assertEquals(object.path("spec"), request.object().path("spec"));
    }

    @Test
    void theObjectsOwnNamespaceWinsOverTheFallback() {
        JsonNode object = JSON.createObjectNode()
                .put("apiVersion", "v1")
                .put("kind", "ConfigMap")
                .set("metadata", JSON.createObjectNode().put("namespace", "own"));
        JsonNode request =
                AdmissionReviewBuilder.forObject(object, "web").tree().path("request");
        assertEquals("own", request.path("namespace").asText());
        assertEquals("", request.path("kind").path("group").asText());
        assertEquals("v1", request.path("kind").path("version").asText());
        assertFalse(request.has("resource"), "an object does not name its resource");
    }

    @Test
    void carriesTheApiServersRequestDetails() throws Exception {
        JsonNode review = JSON.readTree(AdmissionReviewBuilder.of("networking.k8s.io", "v1", "Ingress", "ingresses")
                .operation("UPDATE")
                .fieldManager("kubectl-client-side-apply")
                .user("alice", "platform", "system:authenticated")
                .bytes());
        assertEquals(AdmissionReviews.API_VERSION, review.path("apiVersion").asText());
        assertEquals("AdmissionReview", review.path("kind").asText());
        JsonNode request = review.path("request");
        assertEquals(AdmissionReviewBuilder.DEFAULT_UID, request.path("uid").asText());
        assertEquals("ingresses", request.path("resource").path("resource").asText());
        assertEquals(request.path("kind"), request.path("requestKind"));
        assertEquals(request.path("resource"), request.path("requestResource"));
        assertEquals("UpdateOptions", request.path("options").path("kind").asText());
        assertEquals(
                "kubectl-client-side-apply",
                request.path("options").path("fieldManager").asText());
        assertEquals(2, request.path("userInfo").path("groups").size());
        assertTrue(request.path("object").isNull());
        assertTrue(request.path("oldObject").isNull());
        assertFalse(request.path("dryRun").asBoolean(true));
    }

    @Test
    void eachChangeMakesANewReviewAndLeavesTheBaseAlone() {
        AdmissionReviewBuilder base = AdmissionReviewBuilder.of("", "v1", "ConfigMap", "configmaps");
        AdmissionReviewBuilder other = base.uid("other");
        assertEquals(
                AdmissionReviewBuilder.DEFAULT_UID,
                base.tree().path("request").path("uid").asText());
        assertEquals("other", other.tree().path("request").path("uid").asText());
    }
}
