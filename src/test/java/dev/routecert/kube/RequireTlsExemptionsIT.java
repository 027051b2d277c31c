package dev.routecert.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.config.CertificateOptions;
import dev.routecert.policy.PolicyConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --require-tls} through the real API server and kubectl: cert-manager's HTTP-01 solver
 * Ingresses and routes that only redirect to HTTPS (their Middleware applied first) are admitted
 * without TLS; a route whose Middleware routecert has not seen is denied with a fix that says so.
 */
class RequireTlsExemptionsIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture();

    private static ClusterFixture fixture;
    private static String ns;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        WebhookUnderTest routecert = fixture.routecert(
                PolicyConfig.defaults().withRequireTls(true),
                config -> config.withCertificates(
                        CertificateOptions.defaults().withLeaderElection(false, "", "", Duration.ofSeconds(4))));
        ns = routecert.namespace("requiretls");
    }

    private static ClusterFixture.Kubectl apply(String yaml, String... flags) {
        List<String> args = new ArrayList<>(List.of("apply", "-n", ns, "-f", "-"));
        args.addAll(List.of(flags));
        return fixture.kubectl(yaml, args.toArray(String[]::new));
    }

    static String middleware(String apiVersion, String name) {
        return """
                apiVersion: %s
                kind: Middleware
                metadata: {name: %s}
                spec: {redirectScheme: {scheme: https, permanent: true}}
                """.formatted(apiVersion, name);
    }

    static String redirectRoute(String apiVersion, String name, String middleware) {
        return """
                apiVersion: %s
                kind: IngressRoute
                metadata: {name: %s}
                spec:
                  entryPoints: [web]
                  routes:
                  - match: Host(`shop.example.com`)
                    middlewares: [{name: %s}]
                    services: [{name: web, port: 80}]
                """.formatted(apiVersion, name, middleware);
    }

    @Test
    void anHttp01SolverIngressIsAdmittedWithoutTls() {
        ClusterFixture.Kubectl solver = apply("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: cm-acme-http-solver-abcde
                  labels: {acme.cert-manager.io/http01-solver: "true"}
                spec:
                  rules:
                  - host: shop.example.com
                    http:
                      paths:
                      - path: /.well-known/acme-challenge/token
                        pathType: ImplementationSpecific
                        backend: {service: {name: cm-acme-http-solver-abcde, port: {number: 8089}}}
                """);
        assertEquals(0, solver.exitCode(), solver.err());
        ClusterFixture.Kubectl plain = apply("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: plain}
                spec: {rules: [{host: shop.example.com}]}
                """);
        assertNotEquals(0, plain.exitCode(), "without the label, TLS is required");
        assertTrue(plain.err().contains("TLS is required by policy"), plain.err());
    }

    @Test
    void aRedirectOnlyIngressRouteIsAdmittedOnceItsMiddlewareIsApplied() {
        for (String group : new String[] {"traefik.io", "traefik.containo.us"}) {
            String apiVersion = group + "/v1alpha1";
            String name = group.equals("traefik.io") ? "to-https" : "legacy-to-https";
            ClusterFixture.Kubectl mw = apply(middleware(apiVersion, name));
            assertEquals(0, mw.exitCode(), mw.err());
            String route = redirectRoute(apiVersion, name + "-route", name);
            // the Middleware reaches routecert's cache an instant after kubectl returns
            ClusterFixture.await(
                    "a dry run admitted once the Middleware is cached",
                    Duration.ofSeconds(30),
                    () -> apply(route, "--dry-run=server"),
                    r -> r.exitCode() == 0);
            ClusterFixture.Kubectl applied = apply(route);
            assertEquals(0, applied.exitCode(), applied.err());
        }
    }

    @Test
    void withoutItsMiddlewareTheRouteIsDeniedAndTheFixSaysToApplyItFirst() {
        ClusterFixture.Kubectl denied = apply(redirectRoute("traefik.io/v1alpha1", "early", "not-yet"));
        assertNotEquals(0, denied.exitCode());
        assertTrue(denied.err().contains("TLS is required by policy"), denied.err());
        assertTrue(
                denied.err().contains("apply its Middleware " + ns + "/not-yet first, then this route"), denied.err());
    }
}
