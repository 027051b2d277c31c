package dev.routecert.webhook;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.certificates.Reconciler;
import dev.routecert.certificates.RouteRef;
import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reviews posted straight to routecert's port, as anything that reaches it could: whatever they
 * claim, nothing is written into a namespace the webhook registration excludes, and a review whose
 * namespaces disagree is denied. A route stored in kube-system without routecert gets nothing from
 * the reconciler either.
 */
class ForgedReviewIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture().withClusterIssuers();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ClusterFixture fixture;
    private static WebhookUnderTest routecert;
    private static String ns;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        routecert = fixture.routecert(CertificateOptions.defaults()
                .withLeaderElection(false, "routecert", "routecert", Duration.ofSeconds(15)));
        ns = routecert.namespace("forged");
    }

    private static ObjectNode ingress(String name, String namespace) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
                 "metadata":{"name":"%s","namespace":"%s","annotations":{"cert-manager.io/cluster-issuer":"test-ca"}},
                 "spec":{"rules":[{"host":"%s.example.com"}],
                         "tls":[{"hosts":["%s.example.com"],"secretName":"%s-tls"}]}}""".formatted(name, namespace, name, name, name));
    }

    private static JsonNode post(String path, AdmissionReviewBuilder review) throws Exception {
        HttpClient https = HttpClient.newBuilder()
                .sslContext(routecert.pki().clientContext("TLS"))
                .build();
        HttpResponse<String> response = https.send(
                HttpRequest.newBuilder(URI.create(
                                "https://127.0.0.1:" + routecert.routecert().securePort() + path))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(15))
                        .POST(HttpRequest.BodyPublishers.ofString(review.json()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("response");
    }

    private static Reconciler reconciler() {
        return routecert.routecert().certificates().orElseThrow().reconciler();
    }

    private static List<String> events(String namespace, String route) {
        return fixture.client.events().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> route.equals(e.getRegarding().getName()))
                .map(e -> e.getReason() + ": " + e.getNote())
                .toList();
    }

    /** Stores an Ingress without going through routecert, and waits until the reconciler has judged it. */
    private static void storeAndAwaitReconciler(String name, String namespace) throws Exception {
        GenericKubernetesResource stored =
                fixture.create(ingress(name, namespace).toString());
        fixture.onClose(() -> fixture.client
                .network()
                .v1()
                .ingresses()
                .inNamespace(namespace)
                .withName(name)
                .delete());
        RouteRef ref = new RouteRef("networking.k8s.io", "Ingress", namespace, name);
        String version = stored.getMetadata().getResourceVersion();
        await(
                "the reconciler caught up with " + ref,
                Duration.ofSeconds(30),
                () -> reconciler().caughtUpWith(ref, version),
                caught -> caught);
    }

    @Test
    void aForgedReviewForKubeSystemIsAllowedUntouchedAndWritesNothing() throws Exception {
        String name = "forged-" + UUID.randomUUID().toString().substring(0, 8);
        AdmissionReviewBuilder review = AdmissionReviewBuilder.forObject(ingress(name, "kube-system"), "kube-system")
                .user("system:serviceaccount:tenant:mallory");
        for (String path : List.of("/mutate", "/validate")) {
            JsonNode answer = post(path, review);
            assertTrue(answer.path("allowed").asBoolean(), path + ": " + answer);
            assertTrue(answer.path("patch").isMissingNode(), path + ": " + answer);
            assertTrue(
                    answer.path("warnings").isMissingNode()
                            || answer.path("warnings").isEmpty(),
                    path + ": " + answer);
        }
        // a route of the same name stored afterwards: once the reconciler has judged it, the review's
        // Certificate would be there if anything had written it, and the reconciler adds none
        storeAndAwaitReconciler(name, "kube-system");
        assertNull(fixture.certificate("kube-system", name + "-tls").get());
        assertEquals(List.of(), events("kube-system", name));
    }

    @Test
    void aNamespaceCarryingTheExemptLabelIsLeftAloneAsTheRegistrationLeavesIt() throws Exception {
        // a namespace of this run, so the registration would send its reviews were it not exempt
        String exempt = routecert.namespace("exempt", Map.of("routecert.dev/exempt", "true"));
        String name = "exempt-" + UUID.randomUUID().toString().substring(0, 8);
        AdmissionReviewBuilder review = AdmissionReviewBuilder.forObject(ingress(name, exempt), exempt)
                .user("system:serviceaccount:tenant:mallory");
        for (String path : List.of("/mutate", "/validate")) {
            JsonNode answer = post(path, review);
            assertTrue(answer.path("allowed").asBoolean(), path + ": " + answer);
            assertTrue(answer.path("patch").isMissingNode(), path + ": " + answer);
        }
        storeAndAwaitReconciler(name, exempt);
        assertNull(fixture.certificate(exempt, name + "-tls").get());
        assertEquals(List.of(), events(exempt, name));
    }

    @Test
    void aReviewWhoseObjectIsInAnotherNamespaceIsDeniedAndWritesNothing() throws Exception {
        String name = "mismatch-" + UUID.randomUUID().toString().substring(0, 8);
        AdmissionReviewBuilder review = AdmissionReviewBuilder.forObject(ingress(name, "kube-system"), "kube-system")
                .namespace(ns);
        for (String path : List.of("/mutate", "/validate")) {
            JsonNode answer = post(path, review);
            assertFalse(answer.path("allowed").asBoolean(), path + ": " + answer);
            JsonNode cause =
                    answer.path("status").path("details").path("causes").path(0);
            assertEquals("metadata.namespace", cause.path("field").asText(), answer.toString());
            assertTrue(cause.path("message").asText().startsWith("[namespace-mismatch] "), answer.toString());
            assertTrue(cause.path("message").asText().contains("(fix: "), answer.toString());
        }
        storeAndAwaitReconciler(name, "kube-system");
        assertNull(fixture.certificate(ns, name + "-tls").get());
        assertNull(fixture.certificate("kube-system", name + "-tls").get());
        assertEquals(List.of(), events(ns, name));
    }

    @Test
    void aRouteStoredInKubeSystemWithoutRoutecertGetsNoCertificate() throws Exception {
        String name = "stored-" + UUID.randomUUID().toString().substring(0, 8);
        storeAndAwaitReconciler(name, "kube-system");
        assertNull(fixture.certificate("kube-system", name + "-tls").get());
        assertEquals(List.of(), events("kube-system", name));
        // the same route where routecert acts does get one, so the reconciler is not idle for want of work
        String control = "control-" + UUID.randomUUID().toString().substring(0, 8);
        fixture.create(ingress(control, ns).toString());
        Ingress stored = fixture.client
                .network()
                .v1()
                .ingresses()
                .inNamespace(ns)
                .withName(control)
                .get();
        assertTrue(stored != null);
        await(
                "the Certificate of the control route",
                Duration.ofSeconds(30),
                () -> fixture.certificate(ns, control + "-tls").get(),
                c -> c != null);
    }
}
