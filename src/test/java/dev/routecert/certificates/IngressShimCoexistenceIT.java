package dev.routecert.certificates;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.config.CertificateOptions;
import dev.routecert.config.GuardOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.IngressShimReplay;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.routes.RouteKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * routecert beside cert-manager's ingress-shim, through the real API server: the shim's writes are
 * replayed ({@link IngressShimReplay}) before and after routecert's, and neither rewrites what the
 * other wrote, nor does routecert deny a route whose Certificate the shim made.
 */
class IngressShimCoexistenceIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults()
                    .withLeaderElection(true, fixture.namespace("lease"), "routecert", Duration.ofSeconds(4))
                    .withOrphanGracePeriod(Duration.ofSeconds(60)))
            .withClusterIssuers();

    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final String DOMAIN = "shim-coexist.example";
    private static final String EXEMPT = GuardOptions.DEFAULT_EXEMPT_NAMESPACE_LABEL;
    private static ClusterFixture fixture;
    private static WebhookUnderTest routecert;
    private static IngressShimReplay shim;
    private static String ns;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        routecert = KUBE.routecert();
        ns = routecert.namespace("shim");
        shim = new IngressShimReplay(fixture.client);
    }

    @AfterAll
    static void tearDown() {
        shim.close();
    }

    static String ingress(String namespace, String name, String tlsHosts, String extraAnnotations) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  namespace: %s
                  labels: {app: %s}
                  annotations:
                    cert-manager.io/cluster-issuer: test-ca
                    acme.cert-manager.io/http01-ingress-class: traefik
                    %s
                spec:
                  rules: [{host: %s.%s}]
                  tls: %s
                """.formatted(name, namespace, name, extraAnnotations, name, DOMAIN, tlsHosts);
    }

    private static String host(String label) {
        return label + "." + DOMAIN;
    }

    private static JsonNode certificate(String namespace, String name) {
        GenericKubernetesResource c = fixture.certificate(namespace, name).get();
        return c == null ? null : fixture.json(c);
    }

    private static String version(String namespace, String name) {
        return certificate(namespace, name)
                .path("metadata")
                .path("resourceVersion")
                .asText();
    }

    private static Reconciler reconciler() {
        return routecert.routecert().certificates().orElseThrow().reconciler();
    }

    /** Waits until the reconciler has judged the Ingress as stored and the Certificate as stored, with nothing due. */
    private static void awaitReconciled(String namespace, String ingress, String certificate) {
        await(
                "the reconciler caught up with Ingress " + namespace + "/" + ingress + " and Certificate "
                        + certificate,
                SETTLE,
                () -> {
                    String routeVersion = fixture.route(RouteKind.INGRESS, namespace, ingress)
                            .get()
                            .getMetadata()
                            .getResourceVersion();
                    return reconciler()
                                    .caughtUpWith(
                                            new RouteRef(
                                                    RouteKind.INGRESS.group(),
                                                    RouteKind.INGRESS.kind(),
                                                    namespace,
                                                    ingress),
                                            routeVersion)
                            && reconciler()
                                    .caughtUpWithCertificate(namespace, certificate, version(namespace, certificate));
                },
                caughtUp -> caughtUp);
    }

    private static void apply(String yaml) {
        var apply = fixture.kubectl(yaml, "apply", "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
    }

    @Test
    void routecertFirstThenTheShimWritesNothing() {
        String tls = "[{hosts: [" + host("alpha") + "], secretName: alpha-tls}]";
        apply(ingress(ns, "alpha", tls, "cert-manager.io/alt-names: " + host("www-alpha")));
        await(
                "routecert's reconciler made the Ingress the Certificate's controller",
                SETTLE,
                () -> IngressShimReplayAccess.controller(certificate(ns, "alpha-tls")),
                uid -> uid != null);
        awaitReconciled(ns, "alpha", "alpha-tls");
        String before = version(ns, "alpha-tls");

        assertEquals(0, shim.converge(ns, "alpha"), "the shim finds its own Certificate already right");
        assertEquals(before, version(ns, "alpha-tls"));

        JsonNode meta = certificate(ns, "alpha-tls").path("metadata");
        assertEquals("{\"app\":\"alpha\"}", meta.path("labels").toString(), "the Ingress's labels, as the shim's");
        assertEquals(
                "traefik",
                meta.path("annotations")
                        .path("acme.cert-manager.io/http01-override-ingress-class")
                        .asText());
        assertEquals(
                "[\"" + host("alpha") + "\",\"" + host("www-alpha") + "\"]",
                certificate(ns, "alpha-tls").path("spec").path("dnsNames").toString());
    }

    @Test
    void shimFirstThenAnUpdateAddingAHostIsAdmittedAndTheCertificateKeepsTheShimsForm() {
        // routecert neither judges nor reconciles here yet: the shim acts first
        String early = routecert.namespace("shim-early", Map.of(EXEMPT, "true"));
        await("routecert sees " + early + " as exempt", SETTLE, () -> routecert.exempts(early), exempt -> exempt);
        apply(ingress(early, "beta", "[{hosts: [" + host("beta") + "], secretName: beta-tls}]", ""));
        assertEquals(1, shim.converge(early, "beta"), "the shim creates the Certificate");
        assertTrue(shim.events().stream().anyMatch(e -> e.contains("created Certificate \"beta-tls\"")));

        var unexempt = fixture.kubectl("", "label", "namespace", early, EXEMPT + "-");
        assertEquals(0, unexempt.exitCode(), unexempt.err());
        await("routecert acts in " + early, SETTLE, () -> routecert.exempts(early), exempt -> !exempt);
        String updated = ingress(
                early, "beta", "[{hosts: [" + host("beta") + ", " + host("www-beta") + "], secretName: beta-tls}]", "");
        apply(updated); // judged by routecert now: admitted, not denied as a foreign Certificate's

        JsonNode certificate = certificate(early, "beta-tls");
        assertEquals(
                "[\"" + host("beta") + "\",\"" + host("www-beta") + "\"]",
                certificate.path("spec").path("dnsNames").toString(),
                "routecert updated the shim's Certificate in admission");
        assertEquals(
                "{\"app\":\"beta\"}",
                certificate.path("metadata").path("labels").toString());
        assertEquals(0, shim.converge(early, "beta"), "the shim agrees with what routecert wrote");
        awaitReconciled(early, "beta", "beta-tls");
        String after = version(early, "beta-tls");
        assertEquals(0, shim.converge(early, "beta"), "nor does it disagree with the reconciler");
        assertEquals(after, version(early, "beta-tls"));
    }

    @Test
    void aForeignCertificateIsLeftAloneByBoth() {
        fixture.create("""
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata: {name: gamma-tls, namespace: %s}
                spec:
                  secretName: gamma-tls
                  dnsNames: [%s]
                  issuerRef: {name: test-ca, kind: ClusterIssuer}
                """.formatted(ns, host("gamma")));
        String before = version(ns, "gamma-tls");
        apply(ingress(ns, "gamma", "[{hosts: [" + host("gamma") + "], secretName: gamma-tls}]", ""));
        assertEquals(0, shim.converge(ns, "gamma"), "the shim refuses to update a Certificate without owner");
        awaitReconciled(ns, "gamma", "gamma-tls");
        assertEquals(before, version(ns, "gamma-tls"));
        JsonNode meta = certificate(ns, "gamma-tls").path("metadata");
        assertTrue(meta.path("ownerReferences").isMissingNode(), meta.toString());
        assertTrue(meta.path("annotations").path(Ownership.ROUTE_ANNOTATION).isMissingNode(), meta.toString());
    }

    @Test
    void aRepeatedSecretNameIsDeniedWithTheShimsOwnReason() {
        String tls = "[{hosts: [" + host("delta") + "], secretName: delta-tls}, {hosts: [" + host("delta")
                + "], secretName: delta-tls}]";
        String early = fixture.namespace("shim-dup");
        apply(ingress(early, "delta", tls, ""));
        assertEquals(0, shim.converge(early, "delta"));
        String reason = shim.events().stream()
                .filter(e -> e.startsWith("Warning BadConfig: spec.tls"))
                .reduce((a, b) -> b)
                .orElseThrow()
                .substring("Warning BadConfig: ".length());
        assertTrue(fixture.certificate(early, "delta-tls").get() == null, "the shim creates nothing");

        var denied = fixture.kubectl(ingress(ns, "delta", tls, ""), "apply", "-f", "-");
        assertNotEquals(0, denied.exitCode(), "routecert denies it");
        assertTrue(denied.err().contains(reason), "the denial quotes the shim: " + reason + "\n" + denied.err());
        assertTrue(denied.err().contains("creates no Certificate"), denied.err());
    }

    @Test
    void alternatingShimAndReconcilerPassesChangeNothing() {
        String tls = "[{hosts: [" + host("epsilon") + "], secretName: epsilon-tls}]";
        apply(ingress(ns, "epsilon", tls, "acme.cert-manager.io/http01-edit-in-place: \"true\""));
        await(
                "the Ingress controls its Certificate",
                SETTLE,
                () -> IngressShimReplayAccess.controller(certificate(ns, "epsilon-tls")),
                uid -> uid != null);
        awaitReconciled(ns, "epsilon", "epsilon-tls");
        String settled = version(ns, "epsilon-tls");
        for (int pass = 0; pass < 3; pass++) {
            assertEquals(0, shim.converge(ns, "epsilon"), "shim pass " + pass);
            // a route event for the reconciler that changes nothing the Certificate holds
            var touch = fixture.kubectl(
                    "", "annotate", "--overwrite", "-n", ns, "ingress", "epsilon", "example.com/pass=" + pass);
            assertEquals(0, touch.exitCode(), touch.err());
            awaitReconciled(ns, "epsilon", "epsilon-tls");
            assertEquals(settled, version(ns, "epsilon-tls"), "after reconciler pass " + pass);
        }
        JsonNode annotations = certificate(ns, "epsilon-tls").path("metadata").path("annotations");
        assertEquals(
                "epsilon",
                annotations
                        .path("acme.cert-manager.io/http01-override-ingress-name")
                        .asText());
        assertEquals(
                "true",
                annotations.path("cert-manager.io/issue-temporary-certificate").asText());
        assertFalse(annotations.has("example.com/pass"), "not an --extra-certificate-annotations key");
    }

    /** The controller uid of a Certificate, read as the shim reads it. */
    private static final class IngressShimReplayAccess {
        static String controller(JsonNode certificate) {
            if (certificate == null) {
                return null;
            }
            for (JsonNode ref : certificate.path("metadata").path("ownerReferences")) {
                if (ref.path("controller").asBoolean(false)) {
                    return ref.path("uid").asText();
                }
            }
            return null;
        }
    }
}
