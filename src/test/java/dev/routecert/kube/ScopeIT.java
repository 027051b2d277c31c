package dev.routecert.kube;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.certificates.Reconciler;
import dev.routecert.certificates.RouteRef;
import dev.routecert.config.CertificateOptions;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.scope.ScopeSettings;
import dev.routecert.routes.RouteKind;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --ingress-classes=traefik} through the real API server and kubectl: objects of another class
 * are admitted untouched and get no Certificate, the same objects of class traefik are judged.
 */
class ScopeIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture().withClusterIssuers();

    private static ClusterFixture fixture;
    private static WebhookUnderTest routecert;
    private static String ns;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        fixture.clusterScoped(ingressClass("traefik", "traefik.io/ingress-controller", false));
        fixture.clusterScoped(ingressClass("nginx", "k8s.io/ingress-nginx", false));
        routecert = fixture.routecert(
                PolicyConfig.defaults(),
                config -> config.withCertificates(
                                CertificateOptions.defaults().withLeaderElection(false, "", "", Duration.ofSeconds(4)))
                        .withScope(ScopeSettings.classes("traefik")));
        ns = routecert.namespace("scope");
    }

    static String ingressClass(String name, String controller, boolean isDefault) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: %s
                  annotations: {ingressclass.kubernetes.io/is-default-class: "%s"}
                spec: {controller: %s}
                """.formatted(name, isDefault, controller);
    }

    /** An Ingress whose TLS does not cover its host, with {@code classLines} in its spec and metadata. */
    static String uncovered(String name, String specClass, String annotations) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  annotations: {cert-manager.io/cluster-issuer: test-ca%s}
                spec:
                  %s
                  rules: [{host: shop.example.com}]
                  tls: [{hosts: [other.example.com], secretName: %s-tls}]
                """.formatted(name, annotations, specClass, name);
    }

    static String covered(String name, String specClass) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  annotations: {cert-manager.io/cluster-issuer: test-ca}
                spec:
                  %s
                  rules: [{host: %s.example.com}]
                  tls: [{hosts: [%s.example.com], secretName: %s-tls}]
                """.formatted(name, specClass, name, name, name);
    }

    private static ClusterFixture.Kubectl apply(String yaml) {
        return fixture.kubectl(yaml, "apply", "-n", ns, "-f", "-");
    }

    /** Waits until the reconciler has judged the Ingress as stored and has nothing due. */
    static void awaitReconciled(WebhookUnderTest webhook, ClusterFixture fixture, String namespace, String name) {
        String version = fixture.route(RouteKind.INGRESS, namespace, name)
                .get()
                .getMetadata()
                .getResourceVersion();
        Reconciler reconciler = webhook.routecert().certificates().orElseThrow().reconciler();
        await(
                "the reconciler caught up with Ingress " + name + " at resourceVersion " + version,
                Duration.ofSeconds(30),
                () -> reconciler.caughtUpWith(new RouteRef("networking.k8s.io", "Ingress", namespace, name), version),
                caughtUp -> caughtUp);
    }

    @Test
    void anIngressOfAnotherClassIsAdmittedUntouchedAndGetsNoCertificate() {
        ClusterFixture.Kubectl nginx = apply(uncovered("nginx-bad", "ingressClassName: nginx", ""));
        assertEquals(0, nginx.exitCode(), nginx.err());
        assertEquals("", nginx.err(), "no warning");
        ClusterFixture.Kubectl good = apply(covered("nginx-good", "ingressClassName: nginx"));
        assertEquals(0, good.exitCode(), good.err());
        awaitReconciled(routecert, fixture, ns, "nginx-bad");
        awaitReconciled(routecert, fixture, ns, "nginx-good");
        assertNull(fixture.certificate(ns, "nginx-bad-tls").get());
        assertNull(fixture.certificate(ns, "nginx-good-tls").get(), "not even a valid route of another class");
    }

    @Test
    void theSameIngressOfClassTraefikIsDeniedAndAValidOneGetsItsCertificate() {
        ClusterFixture.Kubectl traefik = apply(uncovered("traefik-bad", "ingressClassName: traefik", ""));
        assertNotEquals(0, traefik.exitCode());
        assertTrue(traefik.err().contains("shop.example.com is served by"), traefik.err());
        ClusterFixture.Kubectl good = apply(covered("traefik-good", "ingressClassName: traefik"));
        assertEquals(0, good.exitCode(), good.err());
        assertNotNull(fixture.certificate(ns, "traefik-good-tls").get(), "created during admission");
    }

    @Test
    void theClassAnnotationAloneDecides() {
        ClusterFixture.Kubectl nginx = apply(uncovered("annotated-nginx", "", ", kubernetes.io/ingress.class: nginx"));
        assertEquals(0, nginx.exitCode(), nginx.err());
        ClusterFixture.Kubectl traefik =
                apply(uncovered("annotated-traefik", "", ", kubernetes.io/ingress.class: traefik"));
        assertNotEquals(0, traefik.exitCode());
        assertTrue(traefik.err().contains("shop.example.com is served by"), traefik.err());
        ClusterFixture.Kubectl route = fixture.kubectl("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata:
                  name: annotated-route
                  annotations: {kubernetes.io/ingress.class: nginx}
                spec:
                  routes: [{match: Host(`shop.example.com`), services: [{name: web, port: 80}]}]
                  tls: {secretName: x-tls, domains: [{main: other.example.com}]}
                """, "apply", "-n", ns, "-f", "-");
        assertEquals(0, route.exitCode(), "an IngressRoute of another class: " + route.err());
    }

    @Test
    void aClasslessIngressFollowsTheDefaultClass() {
        // made default only for this test: the API server gives classless Ingresses the default class
        fixture.clusterScoped(ingressClass("traefik", "traefik.io/ingress-controller", true));
        try {
            String classless = uncovered("classless", "", "");
            await(
                    "a classless Ingress denied while traefik is the default class",
                    Duration.ofSeconds(30),
                    () -> fixture.kubectl(classless, "apply", "--dry-run=server", "-n", ns, "-f", "-"),
                    r -> r.exitCode() != 0 && r.err().contains("shop.example.com is served by"));
            ClusterFixture.Kubectl apply = apply(classless);
            assertNotEquals(0, apply.exitCode());
        } finally {
            fixture.clusterScoped(ingressClass("traefik", "traefik.io/ingress-controller", false));
        }
        fixture.clusterScoped(ingressClass("nginx", "k8s.io/ingress-nginx", true));
        try {
            String classless = uncovered("classless-nginx", "", "");
            await(
                    "a classless Ingress admitted while nginx is the default class",
                    Duration.ofSeconds(30),
                    () -> fixture.kubectl(classless, "apply", "--dry-run=server", "-n", ns, "-f", "-"),
                    r -> r.exitCode() == 0);
            assertEquals(0, apply(classless).exitCode());
        } finally {
            fixture.clusterScoped(ingressClass("nginx", "k8s.io/ingress-nginx", false));
        }
    }
}
