package dev.routecert.certificates;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.config.CertificateOptions;
import dev.routecert.config.GuardOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.policy.CertificateTemplate;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.routes.RouteKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Moving from switchboard, through kubectl and the real API server: an IngressRoute with the
 * Certificate and Secret switchboard made for it, in a namespace routecert does not act in yet; then
 * routecert acts there (with a Certificate template), the route is applied, and the same Certificate
 * is taken over: same uid, same Secret, no second Certificate for that Secret, the template's fields
 * on it.
 */
class SwitchboardMigrationIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture().withClusterIssuers();

    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final String EXEMPT = GuardOptions.DEFAULT_EXEMPT_NAMESPACE_LABEL;
    /** Host names unique to this class: host ownership spans the namespaces of one API server. */
    private static final String DOMAIN = "sbmig-it.example";

    private static final String TEMPLATE = """
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata:
              labels: {team: platform}
            spec:
              issuerRef: {name: test-ca, kind: ClusterIssuer}
              duration: 2160h
              privateKey: {rotationPolicy: Always}
            """;

    private static ClusterFixture fixture;
    private static WebhookUnderTest routecert;

    @BeforeAll
    static void setUp() throws Exception {
        fixture = KUBE.fixture();
        CertificateTemplate.Parsed template = CertificateTemplate.parse(fixture.json(fixture.parse(TEMPLATE)));
        assertEquals(List.of(), template.problems());
        routecert = fixture.routecert(
                PolicyConfig.defaults().withCertificateTemplate(template.template()),
                config -> config.withCertificates(CertificateOptions.defaults()
                        .withLeaderElection(false, "routecert", "routecert", Duration.ofSeconds(15))
                        .withOrphanGracePeriod(Duration.ofSeconds(60))));
    }

    private static String route(String namespace, String... hosts) {
        StringBuilder match = new StringBuilder();
        for (String h : hosts) {
            match.append(match.isEmpty() ? "" : " || ")
                    .append("Host(`")
                    .append(h)
                    .append("`)");
        }
        return """
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: shop, namespace: %s}
                spec:
                  routes:
                  - match: %s
                    services: [{name: shop, port: 80}]
                  tls: {secretName: shop-cert}
                """.formatted(namespace, match);
    }

    private static List<JsonNode> certificatesWriting(String namespace, String secret) {
        return fixture
                .client
                .genericKubernetesResources(ClusterFixture.CERTIFICATES)
                .inNamespace(namespace)
                .list()
                .getItems()
                .stream()
                .map(fixture::json)
                .filter(c -> c.at("/spec/secretName").asText().equals(secret))
                .toList();
    }

    @Test
    void switchboardsCertificateIsTakenOverWithNoSecondCertificateForItsSecret() {
        String ns = routecert.namespace("sbmig", Map.of(EXEMPT, "true"));
        await("routecert sees " + ns + " as exempt", SETTLE, () -> routecert.exempts(ns), exempt -> exempt);
        String host = "shop." + DOMAIN;

        // what switchboard left: the route, its Certificate <route>-tls and the Secret cert-manager wrote
        var applied = fixture.kubectl(route(ns, host), "apply", "-f", "-");
        assertEquals(0, applied.exitCode(), applied.err());
        String routeUid = fixture.route(RouteKind.INGRESS_ROUTE, ns, "shop")
                .get()
                .getMetadata()
                .getUid();
        var created = fixture.kubectl("""
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata:
                  name: shop-tls
                  namespace: %s
                  labels: {kubernetes.io/managed-by: switchboard}
                  ownerReferences:
                  - {apiVersion: traefik.io/v1alpha1, kind: IngressRoute, name: shop, uid: %s, controller: true, blockOwnerDeletion: true}
                spec:
                  secretName: shop-cert
                  dnsNames: [%s]
                  issuerRef: {kind: ClusterIssuer, name: test-ca}
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: shop-cert
                  namespace: %s
                  annotations: {cert-manager.io/certificate-name: shop-tls}
                type: kubernetes.io/tls
                data: {tls.crt: Y2VydA==, tls.key: a2V5}
                """.formatted(ns, routeUid, host, ns), "create", "-f", "-");
        assertEquals(0, created.exitCode(), created.err());
        JsonNode before = fixture.json(fixture.certificate(ns, "shop-tls").get());
        String secretVersion = fixture.client
                .secrets()
                .inNamespace(ns)
                .withName("shop-cert")
                .get()
                .getMetadata()
                .getResourceVersion();

        // routecert now acts in the namespace: its reconciler takes the Certificate over as it stands
        var unexempt = fixture.kubectl("", "label", "namespace", ns, EXEMPT + "-");
        assertEquals(0, unexempt.exitCode(), unexempt.err());
        JsonNode taken = await(
                "routecert takes over " + ns + "/shop-tls",
                SETTLE,
                () -> fixture.json(fixture.certificate(ns, "shop-tls").get()),
                c -> c.at("/metadata/annotations/routecert.dev~1route")
                        .asText()
                        .equals("traefik.io/IngressRoute/shop"));
        assertEquals(before.at("/metadata/uid"), taken.at("/metadata/uid"), "the same Certificate");
        assertEquals("2160h0m0s", taken.at("/spec/duration").asText(), "the template's duration");
        assertEquals(1, certificatesWriting(ns, "shop-cert").size());

        // the route applied with one more host: the taken-over Certificate has it when kubectl returns
        String www = "www.shop." + DOMAIN;
        var apply = fixture.kubectl(route(ns, host, www), "apply", "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
        System.out.println("kubectl apply of the route switchboard served: "
                + apply.out().strip() + " " + apply.err().strip());

        JsonNode after = fixture.json(fixture.certificate(ns, "shop-tls").get());
        assertEquals(before.at("/metadata/uid"), after.at("/metadata/uid"), "the same Certificate");
        assertEquals("shop-cert", after.at("/spec/secretName").asText());
        assertEquals(
                "[\"" + host + "\",\"" + www + "\"]", after.at("/spec/dnsNames").toString());
        assertEquals("2160h0m0s", after.at("/spec/duration").asText(), "the template's duration");
        assertEquals("Always", after.at("/spec/privateKey/rotationPolicy").asText());
        assertEquals("platform", after.at("/metadata/labels/team").asText());
        assertEquals(
                "switchboard",
                after.at("/metadata/labels/kubernetes.io~1managed-by").asText());
        assertEquals(
                "routecert",
                after.at("/metadata/labels/app.kubernetes.io~1managed-by").asText());
        assertEquals(
                "traefik.io/IngressRoute/shop",
                after.at("/metadata/annotations/routecert.dev~1route").asText());
        assertNull(fixture.certificate(ns, "shop-cert").get(), "no Certificate named after the Secret");
        assertEquals(1, certificatesWriting(ns, "shop-cert").size());

        // the reconciler, once it has judged the route and the Certificate, changes nothing
        Reconciler reconciler =
                routecert.routecert().certificates().orElseThrow().reconciler();
        RouteRef ref = new RouteRef("traefik.io", "IngressRoute", ns, "shop");
        await(
                "the reconciler caught up with the route and the Certificate",
                SETTLE,
                () -> reconciler.caughtUpWith(
                                ref,
                                fixture.route(RouteKind.INGRESS_ROUTE, ns, "shop")
                                        .get()
                                        .getMetadata()
                                        .getResourceVersion())
                        && reconciler.caughtUpWithCertificate(
                                ns,
                                "shop-tls",
                                fixture.certificate(ns, "shop-tls")
                                        .get()
                                        .getMetadata()
                                        .getResourceVersion()),
                caughtUp -> caughtUp);
        assertEquals(1, certificatesWriting(ns, "shop-cert").size(), "still one Certificate for the Secret");
        assertEquals(
                after.at("/metadata/uid"),
                fixture.json(fixture.certificate(ns, "shop-tls").get()).at("/metadata/uid"));
        assertEquals(
                secretVersion,
                fixture.client
                        .secrets()
                        .inNamespace(ns)
                        .withName("shop-cert")
                        .get()
                        .getMetadata()
                        .getResourceVersion(),
                "the Secret, and the certificate in it, untouched");
    }
}
