package dev.routecert.certificates;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.ApiServerReviews;
import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.routes.RouteKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kubectl against the real API server with routecert registered as its webhook: the Certificate
 * exists when kubectl returns, dry runs write nothing, and the Certificate follows the route.
 */
class CertificateAdmissionIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults()
                    .withLeaderElection(true, fixture.namespace("lease"), "routecert", Duration.ofSeconds(4))
                    .withOrphanGracePeriod(Duration.ofSeconds(60)))
            .withClusterIssuers();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ClusterFixture fixture;
    private static WebhookUnderTest routecert;
    private static String ns;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        routecert = KUBE.routecert();
        ns = routecert.namespace("certs");
    }

    static String ingressRoute(String apiVersion, String name, String hosts, String secret) {
        return """
                apiVersion: %s
                kind: IngressRoute
                metadata:
                  name: %s
                  annotations: {cert-manager.io/cluster-issuer: test-ca}
                spec:
                  routes:
                  - match: %s
                    services: [{name: web, port: 80}]
                  tls: {secretName: %s}
                """.formatted(apiVersion, name, hosts, secret);
    }

    static String ingress(String name, String host, String secret) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  annotations: {cert-manager.io/cluster-issuer: test-ca}
                spec:
                  rules: [{host: %s}]
                  tls: [{hosts: [%s], secretName: %s}]
                """.formatted(name, host, host, secret);
    }

    /** The Certificate the policy plans for a manifest, as routecert must have applied it. */
    private JsonNode plannedSpec(String yaml) throws Exception {
        JsonNode object = fixture.json(fixture.parse(yaml));
        var verdict = new RoutePolicy(PolicyConfig.defaults()).evaluate(PolicyRequest.create(object, ns));
        assertEquals(1, verdict.certificates().size(), verdict.toString());
        return verdict.certificates().get(0).toCertificate().path("spec");
    }

    private JsonNode certificate(String name) {
        GenericKubernetesResource c = fixture.certificate(ns, name).get();
        return c == null ? null : fixture.json(c);
    }

    @ParameterizedTest
    @ValueSource(strings = {"traefik.io/v1alpha1", "traefik.containo.us/v1alpha1"})
    void certificateOfAnIngressRouteExistsWhenKubectlReturns(String apiVersion) throws Exception {
        String name = apiVersion.startsWith("traefik.io") ? "shop" : "legacy-shop";
        String yaml = ingressRoute(
                apiVersion,
                name,
                "Host(`" + name + ".example.com`) || Host(`www." + name + ".example.com`)",
                name + "-tls");
        var apply = fixture.kubectl(yaml, "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());

        JsonNode certificate = certificate(name + "-tls");
        assertNotNull(certificate, "no Certificate right after kubectl returned; stderr: " + apply.err());
        assertEquals(plannedSpec(yaml), certificate.path("spec"));
        assertEquals(
                "routecert",
                certificate
                        .path("metadata")
                        .path("labels")
                        .path("app.kubernetes.io/managed-by")
                        .asText());
        assertEquals(
                apiVersion.replace("/v1alpha1", "") + "/IngressRoute/" + name,
                certificate
                        .path("metadata")
                        .path("annotations")
                        .path("routecert.dev/route")
                        .asText());
        System.out.printf("kubectl apply of %s with the Certificate write took %d ms%n", apiVersion, apply.millis());

        // the reconciler adopts that very Certificate: no delete and re-create on the way
        String routeUid = fixture.client
                .genericKubernetesResources(apiVersion, "IngressRoute")
                .inNamespace(ns)
                .withName(name)
                .get()
                .getMetadata()
                .getUid();
        JsonNode adopted = await(
                "Certificate " + name + "-tls adopted",
                Duration.ofSeconds(30),
                () -> certificate(name + "-tls"),
                c -> c != null
                        && c.path("metadata")
                                .path("ownerReferences")
                                .path(0)
                                .path("uid")
                                .asText()
                                .equals(routeUid));
        assertEquals(
                certificate.path("metadata").path("uid"),
                adopted.path("metadata").path("uid"));
        await(
                "a CertificateAdopted Event",
                Duration.ofSeconds(10),
                () -> events(name),
                list -> list.stream().anyMatch(e -> e.startsWith("CertificateAdopted")));
        assertTrue(
                events(name).stream()
                        .noneMatch(e -> e.startsWith("CertificateDeleted") || e.startsWith("CertificateCreated")),
                events(name).toString());
    }

    @Test
    void certificateOfAnIngressExistsWhenKubectlReturnsAndFollowsHostChanges() throws Exception {
        String yaml = ingress("blog", "blog.example.com", "blog-tls");
        var apply = fixture.kubectl(yaml, "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
        JsonNode created = certificate("blog-tls");
        assertNotNull(created, "no Certificate right after kubectl returned");
        assertEquals(plannedSpec(yaml), created.path("spec"));

        String changed = ingress("blog", "news.example.com", "blog-tls");
        var update = fixture.kubectl(changed, "apply", "-n", ns, "-f", "-");
        assertEquals(0, update.exitCode(), update.err());
        JsonNode updated = certificate("blog-tls");
        assertEquals(
                List.of("news.example.com"),
                List.of(updated.path("spec").path("dnsNames").get(0).asText()));
        assertEquals(plannedSpec(changed), updated.path("spec"));
        assertEquals(
                created.path("metadata").path("uid"), updated.path("metadata").path("uid"), "updated, not replaced");
        // the reconciler, whose cache may still show the old route for a moment, must not flap it back
        awaitReconciled(RouteKind.INGRESS, "blog");
        assertEquals(plannedSpec(changed), certificate("blog-tls").path("spec"));
        assertTrue(
                events("blog").stream()
                        .noneMatch(e -> e.contains("blog.example.com") && e.startsWith("CertificateUpdated")),
                events("blog").toString());
    }

    @Test
    void dryRunWritesNothingAndPrintsTheCertificateItWouldCreate() {
        var dryRun = fixture.kubectl(
                ingress("draft", "draft.example.com", "draft-tls"), "apply", "--dry-run=server", "-n", ns, "-f", "-");
        assertEquals(0, dryRun.exitCode(), dryRun.err());
        assertTrue(
                dryRun.err()
                        .contains("Warning: [dry-run] dry run: routecert would create Certificate " + ns
                                + "/draft-tls (secret draft-tls) for draft.example.com, issuer ClusterIssuer/test-ca"),
                dryRun.err());
        assertNull(fixture.certificate(ns, "draft-tls").get(), "a dry run must not create the Certificate");
    }

    @Test
    void sameReviewTwiceMakesOneCertificate() throws Exception {
        JsonNode object = fixture.json(fixture.parse(ingress("twice", "twice.example.com", "twice-tls")));
        ((ObjectNode) object.path("metadata")).put("namespace", ns);
        JsonNode review = ApiServerReviews.of(RouteKind.INGRESS)
                .uid("7f0d2b4e-1111-4a4a-9c9c-000000000025")
                .namespace(ns)
                .name("twice")
                .object(object)
                .tree();

        JsonNode first = ClusterFixture.mutate(routecert, review);
        assertTrue(first.path("allowed").asBoolean(), first.toString());
        String resourceVersion = certificate("twice-tls")
                .path("metadata")
                .path("resourceVersion")
                .asText();
        JsonNode second = ClusterFixture.mutate(routecert, review);
        assertTrue(second.path("allowed").asBoolean(), second.toString());

        var list = fixture
                .client
                .genericKubernetesResources(ClusterFixture.CERTIFICATES)
                .inNamespace(ns)
                .list()
                .getItems()
                .stream()
                .filter(c -> c.getMetadata().getName().startsWith("twice"))
                .toList();
        assertEquals(1, list.size());
        assertEquals(
                resourceVersion, list.get(0).getMetadata().getResourceVersion(), "the second review changed nothing");
    }

    @Test
    void removingTlsDeletesTheCertificateAndKeepsTheSecret() {
        fixture.client
                .secrets()
                .inNamespace(ns)
                .resource(secret("gone-tls", "gone-tls"))
                .create();
        var apply = fixture.kubectl(ingress("gone", "gone.example.com", "gone-tls"), "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
        assertNotNull(certificate("gone-tls"));
        String secretVersion = fixture.client
                .secrets()
                .inNamespace(ns)
                .withName("gone-tls")
                .get()
                .getMetadata()
                .getResourceVersion();

        var without = fixture.kubectl("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: gone, annotations: {cert-manager.io/cluster-issuer: test-ca}}
                spec: {rules: [{host: gone.example.com}]}
                """, "apply", "-n", ns, "-f", "-");
        assertEquals(0, without.exitCode(), without.err());
        await(
                "Certificate gone-tls deleted after the route dropped its TLS",
                Duration.ofSeconds(30),
                () -> certificate("gone-tls"),
                c -> c == null);
        Secret secret =
                fixture.client.secrets().inNamespace(ns).withName("gone-tls").get();
        assertNotNull(secret, "the Secret must stay");
        assertEquals(secretVersion, secret.getMetadata().getResourceVersion(), "the Secret must be untouched");
        await(
                "a CertificateDeleted Event on the route",
                Duration.ofSeconds(10),
                () -> events("gone"),
                list -> list.stream()
                        .anyMatch(e -> e.startsWith("CertificateDeleted: deleted Certificate " + ns + "/gone-tls")));
    }

    @Test
    void deletingTheRouteGarbageCollectsTheCertificate() {
        var apply = fixture.kubectl(ingress("short", "short.example.com", "short-tls"), "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
        String uid = fixture.client
                .network()
                .v1()
                .ingresses()
                .inNamespace(ns)
                .withName("short")
                .get()
                .getMetadata()
                .getUid();
        JsonNode adopted = await(
                "Certificate short-tls adopted by its Ingress",
                Duration.ofSeconds(30),
                () -> certificate("short-tls"),
                c -> c != null
                        && c.path("metadata")
                                .path("ownerReferences")
                                .path(0)
                                .path("uid")
                                .asText()
                                .equals(uid));
        JsonNode owner = adopted.path("metadata").path("ownerReferences").get(0);
        assertTrue(
                owner.path("controller").asBoolean()
                        && owner.path("blockOwnerDeletion").asBoolean(),
                owner.toString());

        var delete = fixture.kubectl(null, "delete", "ingress", "short", "-n", ns);
        assertEquals(0, delete.exitCode(), delete.err());
        await(
                "Certificate short-tls garbage-collected",
                Duration.ofSeconds(60),
                () -> certificate("short-tls"),
                c -> c == null);
    }

    @Test
    void foreignCertificateThatCoversIsReusedUnchanged() {
        GenericKubernetesResource foreign =
                fixture.client.resource(fixture.parse("""
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata: {name: team-tls, namespace: %s}
                spec:
                  secretName: team-tls
                  dnsNames: ["*.team.example.com"]
                  issuerRef: {name: someone-elses-issuer, kind: ClusterIssuer}
                """.formatted(ns))).create();
        var apply = fixture.kubectl(
                ingressRoute("traefik.io/v1alpha1", "team", "Host(`app.team.example.com`)", "team-tls"),
                "apply",
                "-n",
                ns,
                "-f",
                "-");
        assertEquals(0, apply.exitCode(), apply.err());
        assertTrue(
                apply.err().contains("routecert reuses Certificate " + ns + "/team-tls (not created by routecert"),
                apply.err());
        awaitReconciled(RouteKind.INGRESS_ROUTE, "team"); // a reconciler pass, too, must leave it alone
        GenericKubernetesResource after = fixture.certificate(ns, "team-tls").get();
        assertEquals(
                foreign.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion());
        assertEquals(fixture.json(foreign).path("spec"), fixture.json(after).path("spec"));
        assertEquals(
                fixture.json(foreign).path("metadata").path("labels"),
                fixture.json(after).path("metadata").path("labels"));
    }

    @Test
    void foreignCertificateThatDoesNotCoverDeniesNamingItAndTheMissingNames() {
        GenericKubernetesResource foreign =
                fixture.client.resource(fixture.parse("""
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata: {name: ops-tls, namespace: %s}
                spec:
                  secretName: ops-tls
                  dnsNames: [ops.example.com]
                  issuerRef: {name: someone-elses-issuer, kind: ClusterIssuer}
                """.formatted(ns))).create();
        var apply = fixture.kubectl(
                ingressRoute(
                        "traefik.io/v1alpha1",
                        "ops",
                        "Host(`ops.example.com`) || Host(`admin.example.com`)",
                        "ops-tls"),
                "apply",
                "-n",
                ns,
                "-f",
                "-");
        assertNotEquals(0, apply.exitCode());
        assertTrue(
                apply.err()
                        .contains("Certificate " + ns
                                + "/ops-tls (not created by routecert, so routecert never changes it)"
                                + " does not cover admin.example.com"),
                apply.err());
        assertEquals(
                foreign.getMetadata().getResourceVersion(),
                fixture.certificate(ns, "ops-tls").get().getMetadata().getResourceVersion());
    }

    @Test
    void missingIssuerAndWildcardWithoutDns01AreDenied() {
        var missing = fixture.kubectl(
                ingress("lost", "lost.example.com", "lost-tls")
                        .replace("cluster-issuer: test-ca", "cluster-issuer: no-such-issuer"),
                "apply",
                "-n",
                ns,
                "-f",
                "-");
        assertNotEquals(0, missing.exitCode());
        assertTrue(missing.err().contains("ClusterIssuer no-such-issuer does not exist"), missing.err());

        var http01 = fixture.kubectl(
                ingressRoute("traefik.io/v1alpha1", "wild", "Host(`*.wild.example.com`)", "wild-tls")
                        .replace("cluster-issuer: test-ca", "cluster-issuer: acme-http"),
                "apply",
                "-n",
                ns,
                "-f",
                "-");
        assertNotEquals(0, http01.exitCode());
        assertTrue(
                http01.err()
                        .contains(
                                "ClusterIssuer/acme-http is an ACME issuer without a DNS-01 solver for *.wild.example.com"),
                http01.err());
        var dns01 = fixture.kubectl(
                ingressRoute("traefik.io/v1alpha1", "wild", "Host(`*.wild.example.com`)", "wild-tls")
                        .replace("cluster-issuer: test-ca", "cluster-issuer: acme-dns"),
                "apply",
                "-n",
                ns,
                "-f",
                "-");
        assertEquals(0, dns01.exitCode(), dns01.err());
        assertNotNull(certificate("wild-tls"));
        assertNull(certificate("lost-tls"));
    }

    @Test
    void secretNotWrittenByCertManagerGetsNoCertificateAndStaysUntouched() {
        Secret handmade = fixture.client
                .secrets()
                .inNamespace(ns)
                .resource(secret("handmade-tls", null))
                .create();
        var apply = fixture.kubectl(
                ingress("handmade", "handmade.example.com", "handmade-tls"), "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
        assertTrue(
                apply.err()
                        .contains("Warning: [secret-exists] routecert did not create Certificate " + ns
                                + "/handmade-tls: Secret handmade-tls"
                                + " already exists and was not written by cert-manager"),
                apply.err());
        awaitReconciled(RouteKind.INGRESS, "handmade"); // nor does the reconciler
        assertNull(certificate("handmade-tls"));
        assertEquals(
                handmade.getMetadata().getResourceVersion(),
                fixture.client
                        .secrets()
                        .inNamespace(ns)
                        .withName("handmade-tls")
                        .get()
                        .getMetadata()
                        .getResourceVersion());
    }

    private static Secret secret(String name, String certificateName) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withAnnotations(
                        certificateName == null
                                ? Map.of()
                                : Map.of(Ownership.SECRET_CERTIFICATE_ANNOTATION, certificateName))
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("tls.crt", "")
                .addToData("tls.key", "")
                .build();
    }

    /**
     * Waits until routecert's reconciler has judged the route as it is stored now and has no work
     * due, so that what it would have changed is changed by then.
     */
    private static void awaitReconciled(RouteKind kind, String name) {
        String version = fixture.route(kind, ns, name).get().getMetadata().getResourceVersion();
        Reconciler reconciler =
                routecert.routecert().certificates().orElseThrow().reconciler();
        await(
                "the reconciler caught up with " + kind.kind() + " " + name + " at resourceVersion " + version,
                Duration.ofSeconds(30),
                () -> reconciler.caughtUpWith(new RouteRef(kind.group(), kind.kind(), ns, name), version),
                caughtUp -> caughtUp);
    }

    /** {@code reason: note} of the events.k8s.io Events on a route, oldest first. */
    static List<String> events(ClusterFixture fixture, String namespace, String route) {
        return fixture.client.events().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> route.equals(e.getRegarding().getName()))
                .map(e -> e.getReason() + ": " + e.getNote())
                .toList();
    }

    private List<String> events(String route) {
        return events(fixture, ns, route);
    }
}
