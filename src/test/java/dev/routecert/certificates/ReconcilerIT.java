package dev.routecert.certificates;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.routes.RouteKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reconciler on its own (no webhook registered): routes that existed before routecert, hand
 * edits and deletions, and many routes sharing one secretName.
 */
class ReconcilerIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture().withClusterIssuers();

    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static ClusterFixture fixture;
    private static String ns;
    private static WebhookUnderTest webhook;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        ns = fixture.namespace("reconcile");
        // routes that exist before routecert is installed
        fixture.create(route("early", "Host(`early.example.com`)", "early-tls", null));
        fixture.create(route("bare", "Host(`bare.example.com`)", "bare-tls", null)
                .replace("cert-manager.io/cluster-issuer", "x"));
        // registered, but the webhook applies to none of this test's namespaces: only the reconciler acts here
        webhook = fixture.routecert(CertificateOptions.defaults()
                .withLeaderElection(false, "routecert", "routecert", Duration.ofSeconds(15))
                .withOrphanGracePeriod(Duration.ofSeconds(5)));
    }

    private static boolean caughtUp(Reconciler reconciler, String route) {
        String version = fixture.route(RouteKind.INGRESS_ROUTE, ns, route)
                .get()
                .getMetadata()
                .getResourceVersion();
        return reconciler.caughtUpWith(
                new RouteRef(RouteKind.INGRESS_ROUTE.group(), RouteKind.INGRESS_ROUTE.kind(), ns, route), version);
    }

    static String route(String name, String match, String secret, String domains) {
        return """
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata:
                  name: %s
                  namespace: %s
                  annotations: {cert-manager.io/cluster-issuer: acme-dns}
                spec:
                  routes:
                  - match: %s
                    services: [{name: web, port: 80}]
                  tls:
                    secretName: %s%s
                """.formatted(
                        name, ns, match, secret, domains == null ? "" : "\n    domains: [{main: \"" + domains + "\"}]");
    }

    private static JsonNode certificate(String name) {
        GenericKubernetesResource c = fixture.certificate(ns, name).get();
        return c == null ? null : fixture.json(c);
    }

    private static List<String> events(String route) {
        return CertificateAdmissionIT.events(fixture, ns, route);
    }

    @Test
    void createsTheCertificateOfARouteThatExistedBeforeRoutecertAndRecordsAnEvent() {
        String uid = fixture.client
                .genericKubernetesResources("traefik.io/v1alpha1", "IngressRoute")
                .inNamespace(ns)
                .withName("early")
                .get()
                .getMetadata()
                .getUid();
        JsonNode created = await(
                "Certificate early-tls created and owned by its route",
                SETTLE,
                () -> certificate("early-tls"),
                c -> c != null
                        && c.path("metadata")
                                .path("ownerReferences")
                                .path(0)
                                .path("uid")
                                .asText()
                                .equals(uid));
        assertEquals(
                "[\"early.example.com\"]", created.path("spec").path("dnsNames").toString());
        await(
                "a CertificateCreated Event on the route",
                SETTLE,
                () -> events("early"),
                list -> list.contains("CertificateCreated: created Certificate " + ns
                        + "/early-tls (secret early-tls) for" + " early.example.com, issuer ClusterIssuer/acme-dns"));
        var event = fixture.client.events().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "early".equals(e.getRegarding().getName()))
                .findFirst()
                .orElseThrow();
        assertEquals(KubeRouteEvents.CONTROLLER, event.getReportingController());
        assertEquals(uid, event.getRegarding().getUid());
        assertEquals(null, certificate("bare-tls"), "a route that names no issuer gets no Certificate");
    }

    @Test
    void restoresACertificateDeletedOrEditedByHand() {
        fixture.create(route("kept", "Host(`kept.example.com`)", "kept-tls", null));
        await("Certificate kept-tls created", SETTLE, () -> certificate("kept-tls"), c -> c != null);

        fixture.certificate(ns, "kept-tls").edit(c -> {
            c.<Map<String, Object>>get("spec").put("dnsNames", List.of("evil.example.com"));
            return c;
        });
        await(
                "dnsNames put back",
                SETTLE,
                () -> certificate("kept-tls"),
                c -> c != null && c.path("spec").path("dnsNames").toString().equals("[\"kept.example.com\"]"));

        String uid = certificate("kept-tls").path("metadata").path("uid").asText();
        fixture.certificate(ns, "kept-tls").delete();
        await(
                "Certificate kept-tls recreated",
                SETTLE,
                () -> certificate("kept-tls"),
                c -> c != null && !c.path("metadata").path("uid").asText().equals(uid));
    }

    @Test
    void routesSharingASecretNameShareOneCertificateThatOutlivesItsFirstOwner() {
        fixture.create(route("alpha", "Host(`alpha.shared.example.com`)", "shared-tls", "*.shared.example.com"));
        JsonNode first = await(
                "shared Certificate owned by alpha",
                SETTLE,
                () -> certificate("shared-tls"),
                c -> c != null
                        && c.path("metadata")
                                .path("annotations")
                                .path("routecert.dev/route")
                                .asText()
                                .equals("traefik.io/IngressRoute/alpha"));
        ClusterFixture.sleep(1_100); // creationTimestamp has one-second resolution: make beta clearly younger
        fixture.create(route("beta", "Host(`beta.shared.example.com`)", "shared-tls", "*.shared.example.com"));
        fixture.create(route("gamma", "Host(`gamma.other.example.com`)", "shared-tls", "*.other.example.com"));
        await(
                "a Warning Event on gamma, which the shared Certificate does not cover",
                SETTLE,
                () -> events("gamma"),
                list -> list.stream()
                        .anyMatch(e -> e.startsWith("CertificateFailed: Certificate " + ns
                                + "/shared-tls does not cover *.other.example.com")));
        JsonNode unchanged = certificate("shared-tls");
        assertEquals(first.path("spec"), unchanged.path("spec"), "beta and gamma must not take the Certificate over");
        assertEquals(
                first.path("metadata").path("uid"), unchanged.path("metadata").path("uid"));

        fixture.client
                .genericKubernetesResources("traefik.io/v1alpha1", "IngressRoute")
                .inNamespace(ns)
                .withName("alpha")
                .delete();
        JsonNode taken = await(
                "beta owns the shared Certificate once alpha is gone",
                Duration.ofSeconds(60),
                () -> certificate("shared-tls"),
                c -> c != null
                        && c.path("metadata")
                                .path("annotations")
                                .path("routecert.dev/route")
                                .asText()
                                .equals("traefik.io/IngressRoute/beta")
                        && !c.path("metadata")
                                .path("ownerReferences")
                                .path(0)
                                .path("uid")
                                .asText()
                                .isEmpty());
        assertEquals(
                "[\"*.shared.example.com\"]",
                taken.path("spec").path("dnsNames").toString());
        // settled: the reconciler has judged this very version of the Certificate and both routes, and wrote nothing
        Reconciler reconciler = webhook.routecert().certificates().orElseThrow().reconciler();
        String version = taken.path("metadata").path("resourceVersion").asText();
        await(
                "the reconciler judged shared-tls at resourceVersion " + version + " and the routes beta and gamma",
                SETTLE,
                () -> reconciler.caughtUpWithCertificate(ns, "shared-tls", version)
                        && caughtUp(reconciler, "beta")
                        && caughtUp(reconciler, "gamma"),
                caughtUp -> caughtUp);
        JsonNode settled = certificate("shared-tls");
        assertTrue(
                settled != null
                        && settled.path("metadata")
                                .path("resourceVersion")
                                .equals(taken.path("metadata").path("resourceVersion")),
                "the shared Certificate must settle, not flap: " + settled);
    }
}
