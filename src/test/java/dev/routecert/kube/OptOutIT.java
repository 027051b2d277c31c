package dev.routecert.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.certificates.Reconciler;
import dev.routecert.certificates.RouteRef;
import dev.routecert.config.CertificateOptions;
import dev.routecert.files.MountedVolume;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.routes.RouteKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code routecert.dev/ignore: "true"} through the real API server and kubectl: it skips a bad route,
 * except in a namespace whose policy file override ({@code optOut.allowed: false}, selected by a
 * label) forbids it.
 */
class OptOutIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture().withClusterIssuers();

    static final String POLICY = """
            apiVersion: routecert.dev/v1alpha1
            kind: Policy
            optOut: {allowed: true}
            overrides:
              - namespaceSelector: {matchLabels: {compliance: strict}}
                optOut: {allowed: false}
            """;

    private static ClusterFixture fixture;
    private static WebhookUnderTest routecert;
    private static String ns;
    private static String strict;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        MountedVolume policy = fixture.policyVolume(POLICY);
        routecert = fixture.routecert(
                PolicyConfig.defaults(),
                config -> config.withCertificates(
                                CertificateOptions.defaults().withLeaderElection(false, "", "", Duration.ofSeconds(4)))
                        .withPolicyFile(policy.file("policy.yaml"), Duration.ofMillis(200)));
        ns = routecert.namespace("optout");
        strict = routecert.namespace("strict", Map.of("compliance", "strict"));
    }

    /** Each test serves a host of its own: host ownership holds across namespaces, opted out or not. */
    static String covered(String name, String ignore) {
        return """
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata:
                  name: %s
                  annotations: {cert-manager.io/cluster-issuer: test-ca, routecert.dev/ignore: "%s"}
                spec:
                  routes: [{match: Host(`%s.shop.example.com`), services: [{name: web, port: 80}]}]
                  tls: {secretName: %s-tls, domains: [{main: other.example.com, sans: [%s.shop.example.com]}]}
                """.formatted(name, ignore, name, name, name);
    }

    static String bad(String name, String ignore) {
        return """
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata:
                  name: %s
                  annotations: {cert-manager.io/cluster-issuer: test-ca, routecert.dev/ignore: "%s"}
                spec:
                  routes: [{match: Host(`%s.shop.example.com`), services: [{name: web, port: 80}]}]
                  tls: {secretName: %s-tls, domains: [{main: other.example.com}]}
                """.formatted(name, ignore, name, name);
    }

    @Test
    void theAnnotationSkipsABadRouteWhichGetsNoCertificate() {
        ClusterFixture.Kubectl apply = fixture.kubectl(bad("ignored", "true"), "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
        assertEquals("", apply.err(), "no warning");
        String version = fixture.route(RouteKind.INGRESS_ROUTE, ns, "ignored")
                .get()
                .getMetadata()
                .getResourceVersion();
        Reconciler reconciler =
                routecert.routecert().certificates().orElseThrow().reconciler();
        ClusterFixture.await(
                "the reconciler caught up with the ignored route",
                Duration.ofSeconds(30),
                () -> reconciler.caughtUpWith(new RouteRef("traefik.io", "IngressRoute", ns, "ignored"), version),
                caughtUp -> caughtUp);
        assertNull(fixture.certificate(ns, "ignored-tls").get());
    }

    @Test
    void anOptedOutRouteIsStillHeldToHostOwnership() {
        ClusterFixture.Kubectl owner = fixture.kubectl(covered("held", "true"), "apply", "-n", strict, "-f", "-");
        assertEquals(0, owner.exitCode(), owner.err());
        ClusterFixture.Kubectl hijack = fixture.kubectl(bad("held", "true"), "apply", "-n", ns, "-f", "-");
        assertNotEquals(0, hijack.exitCode(), "opting out skips no isolation check");
        assertTrue(
                hijack.err()
                        .contains("[host-ownership] spec.routes[0].match: held.shop.example.com is served by"
                                + " another namespace"),
                hijack.err());
    }

    @Test
    void anotherValueIsCheckedWithAWarning() {
        ClusterFixture.Kubectl apply = fixture.kubectl(bad("other-value", "yes"), "apply", "-n", ns, "-f", "-");
        assertNotEquals(0, apply.exitCode());
        assertTrue(apply.err().contains("other-value.shop.example.com is served by this route"), apply.err());
    }

    @Test
    void whereOptingOutIsForbiddenTheRouteIsCheckedAndWarned() {
        ClusterFixture.Kubectl denied = fixture.kubectl(bad("strict", "true"), "apply", "-n", strict, "-f", "-");
        assertNotEquals(0, denied.exitCode(), "the same route is denied there");
        assertTrue(denied.err().contains("strict.shop.example.com is served by this route"), denied.err());
        ClusterFixture.Kubectl good = fixture.kubectl(covered("good", "true"), "apply", "-n", strict, "-f", "-");
        assertEquals(0, good.exitCode(), good.err());
        assertTrue(
                good.err()
                        .contains("Warning: [opt-out-forbidden] metadata.annotations[routecert.dev/ignore]:"
                                + " routecert.dev/ignore is not"
                                + " allowed in namespace " + strict + "; routecert checks this object"),
                good.err());
    }
}
