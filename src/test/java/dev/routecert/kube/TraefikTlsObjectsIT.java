package dev.routecert.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.config.CertificateOptions;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.routes.RouteKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Traefik's TLS objects through the real API server and kubectl, with the TLSOption and TLSStore
 * CRDs of both groups installed: a route naming a TLSOption that does not exist is denied, and
 * admitted once the TLSOption is created; a {@code tls: {}} route whose hosts the default TLSStore's
 * certificate covers is admitted untouched, and gets no Certificate.
 */
class TraefikTlsObjectsIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture().withClusterIssuers();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ClusterFixture fixture;
    private static WebhookUnderTest routecert;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        routecert = fixture.routecert(
                PolicyConfig.defaults(),
                config -> config.withCertificates(
                        CertificateOptions.defaults().withLeaderElection(false, "", "", Duration.ofSeconds(4))));
    }

    private static ClusterFixture.Kubectl apply(String ns, String yaml, String... flags) {
        List<String> args = new ArrayList<>(List.of("apply", "-n", ns, "-f", "-"));
        args.addAll(List.of(flags));
        return fixture.kubectl(yaml, args.toArray(String[]::new));
    }

    private static String route(String apiVersion, String name, String host, String tls) {
        return """
                apiVersion: %s
                kind: IngressRoute
                metadata:
                  name: %s
                  annotations: {cert-manager.io/cluster-issuer: test-ca}
                spec:
                  routes:
                  - match: Host(`%s`)
                    services: [{name: web, port: 80}]
                  tls: %s
                """.formatted(apiVersion, name, host, tls);
    }

    @Test
    void aRouteNamingAMissingTlsOptionIsDeniedAndAdmittedOnceTheOptionExists() {
        String ns = routecert.namespace("tlsoptions");
        for (String group : new String[] {"traefik.io", "traefik.containo.us"}) {
            String apiVersion = group + "/v1alpha1";
            String option = group.equals("traefik.io") ? "strict" : "legacy-strict";
            String name = option + "-route";
            String route = route(
                    apiVersion,
                    name,
                    name + ".tls-objects-it.example.com",
                    "{secretName: " + name + "-tls, options: {name: " + option + "}}");

            ClusterFixture.Kubectl denied = apply(ns, route);
            assertNotEquals(0, denied.exitCode(), "no TLSOption " + option + " yet");
            assertTrue(denied.err().contains("[tls-options-missing]"), denied.err());
            assertTrue(denied.err().contains("TLSOption " + ns + "/" + option + " does not exist"), denied.err());

            ClusterFixture.Kubectl created = apply(ns, """
                    apiVersion: %s
                    kind: TLSOption
                    metadata: {name: %s}
                    spec: {minVersion: VersionTLS12, sniStrict: true}
                    """.formatted(apiVersion, option));
            assertEquals(0, created.exitCode(), created.err());
            // the TLSOption reaches routecert's cache an instant after kubectl returns
            ClusterFixture.await(
                    "a dry run admitted once the TLSOption is cached",
                    Duration.ofSeconds(30),
                    () -> apply(ns, route, "--dry-run=server"),
                    r -> r.exitCode() == 0);
            ClusterFixture.Kubectl applied = apply(ns, route);
            assertEquals(0, applied.exitCode(), applied.err());
            assertNotNull(fixture.certificate(ns, name + "-tls").get(), "the route gets its Certificate");
        }
    }

    @Test
    void anEmptyTlsRouteCoveredByTheDefaultStoreGetsNoPatchAndNoCertificate() throws Exception {
        String storeNs = routecert.namespace("tlsstore");
        String ns = routecert.namespace("covered");
        // the Certificate that writes the default store's Secret says which names the Secret holds
        ClusterFixture.Kubectl certificate = apply(storeNs, """
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata: {name: wildcard}
                spec:
                  secretName: wildcard-tls
                  dnsNames: ["*.store.tls-objects-it.example.com"]
                  issuerRef: {name: test-ca, kind: ClusterIssuer, group: cert-manager.io}
                """);
        assertEquals(0, certificate.exitCode(), certificate.err());
        ClusterFixture.Kubectl store = apply(storeNs, """
                apiVersion: traefik.io/v1alpha1
                kind: TLSStore
                metadata: {name: default}
                spec: {defaultCertificate: {secretName: wildcard-tls}}
                """);
        assertEquals(0, store.exitCode(), store.err());

        String covered = route("traefik.io/v1alpha1", "covered", "shop.store.tls-objects-it.example.com", "{}");
        JsonNode dryRun = ClusterFixture.await(
                "a dry run left untouched once the store and its Certificate are cached",
                Duration.ofSeconds(30),
                () -> {
                    ClusterFixture.Kubectl r = apply(ns, covered, "--dry-run=server", "-o", "json");
                    try {
                        return r.exitCode() == 0 ? JSON.readTree(r.out()) : null;
                    } catch (Exception e) {
                        return null;
                    }
                },
                o -> o != null && !o.path("spec").path("tls").has("secretName"));
        assertFalse(dryRun.path("spec").path("tls").has("secretName"));

        ClusterFixture.Kubectl applied = apply(ns, covered);
        assertEquals(0, applied.exitCode(), applied.err());
        JsonNode stored = fixture.json(
                fixture.route(RouteKind.INGRESS_ROUTE, ns, "covered").get());
        assertFalse(stored.path("spec").path("tls").has("secretName"), "no secretName defaulted: " + stored);
        assertNull(fixture.certificate(ns, "covered-tls").get(), "no Certificate for a covered route");

        // a host the store's certificate does not cover is planned as before
        ClusterFixture.Kubectl other =
                apply(ns, route("traefik.io/v1alpha1", "uncovered", "shop.other.tls-objects-it.example.com", "{}"));
        assertEquals(0, other.exitCode(), other.err());
        assertNotNull(fixture.certificate(ns, "uncovered-tls").get(), "the uncovered route gets its Certificate");
    }
}
