package dev.routecert.certificates;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.routes.RouteKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * IngressRouteTCP through kubectl and the real API server, with routecert registered as
 * {@code manifests/} registers it: a route that terminates TLS has its Certificate when kubectl
 * returns and loses it with the route; passthrough gets none; HostSNI without TLS is denied.
 */
class IngressRouteTcpIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults()
                    .withLeaderElection(true, fixture.namespace("lease"), "routecert", Duration.ofSeconds(4))
                    .withOrphanGracePeriod(Duration.ofSeconds(60)))
            .withClusterIssuers();

    private static ClusterFixture fixture;
    private static String ns;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        WebhookUnderTest routecert = KUBE.routecert();
        ns = routecert.namespace("tcp");
    }

    /** Host names are unique to this class: host ownership spans the namespaces of one API server. */
    private static String tcpRoute(RouteKind kind, String name, String match, String tls) {
        return """
                apiVersion: %s
                kind: IngressRouteTCP
                metadata:
                  name: %s
                  annotations: {cert-manager.io/cluster-issuer: test-ca}
                spec:
                  entryPoints: [postgres]
                  routes:
                  - match: %s
                    services: [{name: pg, port: 5432}]
                %s""".formatted(kind.apiVersion(), name, match, tls == null ? "" : "  tls: " + tls + "\n");
    }

    private JsonNode certificate(String name) {
        GenericKubernetesResource c = fixture.certificate(ns, name).get();
        return c == null ? null : fixture.json(c);
    }

    @ParameterizedTest
    @EnumSource(
            value = RouteKind.class,
            names = {"INGRESS_ROUTE_TCP", "INGRESS_ROUTE_TCP_LEGACY"})
    void terminatingRouteHasItsCertificateWhenKubectlReturnsAndLosesItWithTheRoute(RouteKind kind) throws Exception {
        String name = kind == RouteKind.INGRESS_ROUTE_TCP ? "pg" : "legacy-pg";
        String yaml = tcpRoute(kind, name, "HostSNI(`" + name + ".tcpit.example.com`)", "{}");
        var apply = fixture.kubectl(yaml, "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());

        // tls: {} got the default secretName by the patch, and the Certificate is the planned one
        JsonNode object = fixture.json(fixture.route(kind, ns, name).get());
        String secretName = object.path("spec").path("tls").path("secretName").asText();
        assertEquals(name + "-tls", secretName, object.toString());
        JsonNode certificate = certificate(secretName);
        assertNotNull(certificate, "no Certificate right after kubectl returned; stderr: " + apply.err());
        var verdict = new RoutePolicy(PolicyConfig.defaults()).evaluate(PolicyRequest.create(object, ns));
        assertEquals(1, verdict.certificates().size(), verdict.toString());
        assertEquals(verdict.certificates().get(0).toCertificate().path("spec"), certificate.path("spec"));
        assertEquals(
                name + ".tcpit.example.com",
                certificate.path("spec").path("dnsNames").path(0).asText());
        assertEquals(
                kind.group() + "/IngressRouteTCP/" + name,
                certificate
                        .path("metadata")
                        .path("annotations")
                        .path("routecert.dev/route")
                        .asText());

        System.out.printf(
                "kubectl apply of an IngressRouteTCP (%s) with the patch and the Certificate write took %d ms%n",
                kind.apiVersion(), apply.millis());

        // the reconciler, which watches IngressRouteTCPs too, adopts it; then the route's deletion removes it
        String uid = object.path("metadata").path("uid").asText();
        await(
                "Certificate " + secretName + " adopted by the IngressRouteTCP",
                Duration.ofSeconds(30),
                () -> certificate(secretName),
                c -> c != null
                        && c.path("metadata")
                                .path("ownerReferences")
                                .path(0)
                                .path("uid")
                                .asText()
                                .equals(uid));
        var delete = fixture.kubectl(null, "delete", "ingressroutetcps." + kind.group(), name, "-n", ns);
        assertEquals(0, delete.exitCode(), delete.err());
        await(
                "Certificate " + secretName + " garbage-collected",
                Duration.ofSeconds(60),
                () -> certificate(secretName),
                c -> c == null);
    }

    @Test
    void passthroughGetsNoCertificateAndASecretNameThereIsAWarning() {
        var apply = fixture.kubectl(
                tcpRoute(
                        RouteKind.INGRESS_ROUTE_TCP,
                        "through",
                        "HostSNI(`through.tcpit.example.com`)",
                        "{passthrough: true, secretName: through-tls}"),
                "apply",
                "-n",
                ns,
                "-f",
                "-");
        assertEquals(0, apply.exitCode(), apply.err());
        assertTrue(apply.err().contains("[tls-passthrough-secret]"), apply.err());
        assertTrue(apply.err().contains("never reads secretName"), apply.err());
        assertNull(certificate("through-tls"), "passthrough needs no Certificate");
    }

    @Test
    void hostSniWithoutTlsIsDeniedWithTraefiksReason() {
        var apply = fixture.kubectl(
                tcpRoute(RouteKind.INGRESS_ROUTE_TCP_LEGACY, "plain", "HostSNI(`plain.tcpit.example.com`)", null),
                "apply",
                "-n",
                ns,
                "-f",
                "-");
        assertNotEquals(0, apply.exitCode(), apply.out());
        assertTrue(apply.err().contains("admission webhook \"mutate.routecert.dev\" denied the request"), apply.err());
        assertTrue(apply.err().contains("has HostSNI matcher, but no TLS on router"), apply.err());
        assertNull(
                fixture.route(RouteKind.INGRESS_ROUTE_TCP_LEGACY, ns, "plain").get());
        System.out.println(
                "kubectl apply of a denied IngressRouteTCP:\n" + apply.err().strip());
    }
}
