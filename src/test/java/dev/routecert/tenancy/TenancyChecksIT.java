package dev.routecert.tenancy;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The policy file's tenancy lists through the real API server, with kubectl: allowed domains,
 * issuers, Certificate contents and shared hosts. Namespaces are selected by name, as their names
 * are generated; the policy naming them is written once they exist.
 */
class TenancyChecksIT {

    /** This class's own zone: the ITs share one API server, and host ownership is on. */
    private static final String ZONE = "t" + UUID.randomUUID().toString().substring(0, 8) + ".example.com";

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults()
                    .withLeaderElection(false, "routecert", "routecert", Duration.ofSeconds(15)))
            .withClusterIssuers()
            .withPolicyFile("apiVersion: routecert.dev/v1alpha1\nkind: Policy\n");

    private static ClusterFixture fixture;
    private static String shop;
    private static String mtls;
    private static String front;
    private static String policy;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        WebhookUnderTest routecert = KUBE.routecert();
        shop = routecert.namespace("shop");
        mtls = routecert.namespace("mtls");
        front = routecert.namespace("front");
        policy = """
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                tenancy:
                  domains:
                    - namespaceSelector: {}
                      allow: [%1$s]
                  issuers:
                    - namespaceSelector: {}
                      clusterIssuers: [test-ca]
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %2$s}}
                      clusterIssuers: [acme-dns]
                  certificates:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %2$s}}
                      allow: {usages: [client auth]}
                  sharedHosts:
                    - namespaceSelector:
                        matchExpressions:
                          - {key: kubernetes.io/metadata.name, operator: In, values: [%3$s, %4$s]}
                      hosts: [www.%1$s]
                """.formatted(ZONE, mtls, shop, front);
        ClusterFixture.writePolicy(routecert, KUBE.policyFile(), policy);
        System.out.println("policy of tenancy.md:\n" + policy);
    }

    private static String ingress(String name, String host, String annotations) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %1$s
                  annotations: {%3$s}
                spec:
                  rules:
                  - host: %2$s
                    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                  tls: [{hosts: [%2$s], secretName: %1$s-tls}]
                """.formatted(name, host, annotations);
    }

    private static ClusterFixture.Kubectl apply(String namespace, String yaml) {
        ClusterFixture.Kubectl r = fixture.kubectl(yaml, "apply", "-n", namespace, "-f=-");
        System.out.println("kubectl apply -n " + namespace + ": exit " + r.exitCode() + "\n" + r.out() + r.err());
        return r;
    }

    private static GenericKubernetesResource certificate(String namespace, String name) {
        return fixture.certificate(namespace, name).get();
    }

    @Test
    void aNamespaceOutsideItsAllowedDomainsIsDenied() {
        String outside = "shop." + ZONE.replace(".example.com", ".example.org");
        ClusterFixture.Kubectl denied =
                apply(shop, ingress("outside", outside, "cert-manager.io/cluster-issuer: test-ca"));
        assertNotEquals(0, denied.exitCode());
        assertTrue(denied.err().contains("[domain-not-allowed] spec.rules[0].host: " + outside), denied.err());
        assertTrue(denied.err().contains("use a name under " + ZONE), denied.err());
        assertNull(certificate(shop, "outside-tls"));

        ClusterFixture.Kubectl inside =
                apply(shop, ingress("inside", "deep.api." + ZONE, "cert-manager.io/cluster-issuer: test-ca"));
        assertEquals(0, inside.exitCode(), inside.err());
        assertNotNull(certificate(shop, "inside-tls"));
    }

    @Test
    void aClusterIssuerTheNamespaceMayNotUseIsDenied() {
        String host = "acme." + ZONE;
        ClusterFixture.Kubectl denied = apply(shop, ingress("acme", host, "cert-manager.io/cluster-issuer: acme-dns"));
        assertNotEquals(0, denied.exitCode());
        assertTrue(
                denied.err()
                        .contains("[issuer-not-allowed] metadata.annotations[cert-manager.io/cluster-issuer]:"
                                + " ClusterIssuer acme-dns is not an issuer namespace " + shop + " may use"),
                denied.err());
        assertNull(certificate(shop, "acme-tls"));

        ClusterFixture.Kubectl allowed =
                apply(mtls, ingress("acme", "acme-mtls." + ZONE, "cert-manager.io/cluster-issuer: acme-dns"));
        assertEquals(0, allowed.exitCode(), allowed.err());
    }

    @Test
    void clientAuthIsDeniedByDefaultAndAdmittedWhereThePolicyAllowsIt() {
        String annotations =
                "cert-manager.io/cluster-issuer: test-ca, cert-manager.io/usages: 'digital signature, key encipherment, client auth'";
        ClusterFixture.Kubectl denied = apply(shop, ingress("client", "client." + ZONE, annotations));
        assertNotEquals(0, denied.exitCode());
        assertTrue(
                denied.err()
                        .contains("[cert-usages] metadata.annotations[cert-manager.io/usages]: a Certificate namespace "
                                + shop + " may not carry the key usage client auth"),
                denied.err());
        assertNull(certificate(shop, "client-tls"));

        ClusterFixture.Kubectl allowed = apply(mtls, ingress("client", "client-mtls." + ZONE, annotations));
        assertEquals(0, allowed.exitCode(), allowed.err());
        GenericKubernetesResource crt = await(
                "Certificate client-tls",
                Duration.ofSeconds(20),
                () -> certificate(mtls, "client-tls"),
                c -> c != null);
        assertEquals(
                List.of("digital signature", "key encipherment", "client auth"),
                ((Map<?, ?>) crt.getAdditionalProperties().get("spec")).get("usages"));
    }

    @Test
    void twoNamespacesSharingAHostThroughThePolicyAreBothAdmitted() {
        String host = "www." + ZONE;
        ClusterFixture.Kubectl first = apply(shop, ingress("www", host, "cert-manager.io/cluster-issuer: test-ca"));
        assertEquals(0, first.exitCode(), first.err());
        ClusterFixture.Kubectl second = apply(front, ingress("www", host, "cert-manager.io/cluster-issuer: test-ca"));
        assertEquals(0, second.exitCode(), second.err());

        // a name the entry does not list stays the first namespace's
        String own = "own." + ZONE;
        assertEquals(
                0,
                apply(shop, ingress("own", own, "cert-manager.io/cluster-issuer: test-ca"))
                        .exitCode());
        ClusterFixture.Kubectl hijack = apply(front, ingress("own", own, "cert-manager.io/cluster-issuer: test-ca"));
        assertNotEquals(0, hijack.exitCode());
        assertTrue(hijack.err().contains("[host-ownership]"), hijack.err());
    }
}
