package dev.routecert.tenancy;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.policy.tenancy.ClaimKey;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Host ownership through the real API server, with kubectl: hijacks denied, claims indexed and released. */
class HostOwnershipIT {

    private static String claims;

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> {
        claims = fixture.namespace("claims");
        return CertificateOptions.defaults()
                .withLeaderElection(false, "routecert", "routecert-reconciler", Duration.ofSeconds(4))
                .withHostClaims(claims, Duration.ofSeconds(2));
    });

    private static ClusterFixture fixture;
    private static WebhookUnderTest routecert;
    private static String teamA;
    private static String teamB;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        routecert = KUBE.routecert();
        teamA = routecert.namespace("team-a");
        teamB = routecert.namespace("team-b");
    }

    private static String ingress(String name, String host) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s}
                spec:
                  rules:
                  - host: "%s"
                    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                """.formatted(name, host);
    }

    private static String ingressRoute(String name, String host) {
        return """
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: %s}
                spec:
                  routes:
                  - match: Host(`%s`)
                    services: [{name: web, port: 80}]
                """.formatted(name, host);
    }

    private static ClusterFixture.Kubectl apply(String namespace, String yaml, String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "apply";
        args[1] = "-n";
        args[2] = namespace;
        args[3] = "-f=-";
        System.arraycopy(more, 0, args, 4, more.length);
        return fixture.kubectl(yaml, args);
    }

    private static Lease lease(String host) {
        return fixture.client
                .leases()
                .inNamespace(claims)
                .withName(KubeHostClaimStore.leaseName(ClaimKey.parse(host).orElseThrow()))
                .get();
    }

    private static String fresh(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aHijackFromAnotherNamespaceIsDeniedNamingTheHost() {
        String host = fresh("shop") + ".example.com";
        ClusterFixture.Kubectl first = apply(teamA, ingress("shop", host));
        assertEquals(0, first.exitCode(), first.err());
        Lease claim = lease(host);
        assertEquals(teamA, claim.getSpec().getHolderIdentity());
        assertEquals(host, claim.getMetadata().getAnnotations().get(KubeHostClaimStore.HOST_ANNOTATION));

        ClusterFixture.Kubectl hijack = apply(teamB, ingressRoute("shop", host));
        assertNotEquals(0, hijack.exitCode());
        assertTrue(
                hijack.err().contains("[host-ownership] ")
                        && hijack.err().contains(host + " is served by another namespace"),
                hijack.err());
        assertTrue(hijack.err().contains("spec.routes[0].match"), hijack.err());
        assertTrue(hijack.err().contains("use another host, or ask the platform team to share " + host), hijack.err());
        assertEquals(teamA, lease(host).getSpec().getHolderIdentity());

        // the owner changes its own route freely, without a call for the claim it holds
        assertEquals(0, apply(teamA, ingressRoute("shop-too", host)).exitCode());
        // the listing tenancy.md shows
        System.out.println(fixture.kubectl(
                        null,
                        "get",
                        "leases",
                        "-n",
                        claims,
                        "-l",
                        "routecert.dev/claim=host",
                        "-o",
                        "custom-columns=HOST:.metadata.annotations.routecert\\.dev/host,NAMESPACE:.spec.holderIdentity,ROUTE:.metadata.annotations.routecert\\.dev/route")
                .out());
    }

    @Test
    void aWildcardAndTheNamesItCoversAreOneClaimInBothDirections() {
        String zone = fresh("zone") + ".example.com";
        assertEquals(0, apply(teamA, ingress("wild", "*." + zone)).exitCode());
        ClusterFixture.Kubectl specific = apply(teamB, ingress("one", "api." + zone));
        assertNotEquals(0, specific.exitCode());
        assertTrue(specific.err().contains("api." + zone + " is served by another namespace"), specific.err());
        assertEquals(0, apply(teamB, ingress("deeper", "a.api." + zone)).exitCode(), "a wildcard covers one label");

        String other = fresh("zone") + ".example.com";
        assertEquals(0, apply(teamA, ingress("one", "api." + other)).exitCode());
        ClusterFixture.Kubectl wildcard = apply(teamB, ingress("wild", "*." + other));
        assertNotEquals(0, wildcard.exitCode());
        assertTrue(wildcard.err().contains("*." + other + " is served by another namespace"), wildcard.err());
        assertNull(lease("*." + other), "the denied review left no claim");
    }

    @Test
    void aServerSideDryRunWritesNoClaim() {
        String host = fresh("dry") + ".example.com";
        ClusterFixture.Kubectl dry = apply(teamA, ingress("dry", host), "--dry-run=server");
        assertEquals(0, dry.exitCode(), dry.err());
        assertTrue(dry.err().contains("dry run: routecert would claim " + host + " for namespace " + teamA), dry.err());
        assertNull(lease(host));
    }

    @Test
    void theClaimIsReleasedAfterTheGraceOnceTheOwnerRouteIsGoneAndTheOtherNamespaceMayTakeIt() {
        String host = fresh("moving") + ".example.com";
        assertEquals(0, apply(teamA, ingress("moving", host)).exitCode());
        assertNotEquals(0, apply(teamB, ingress("moving", host)).exitCode());
        assertEquals(
                0,
                fixture.kubectl(null, "delete", "ingress", "moving", "-n", teamA)
                        .exitCode());
        await("the claim released", Duration.ofSeconds(30), () -> lease(host), lease -> lease == null);
        ClusterFixture.Kubectl taken = apply(teamB, ingress("moving", host));
        assertEquals(0, taken.exitCode(), taken.err());
        assertEquals(teamB, lease(host).getSpec().getHolderIdentity());
    }

    @Test
    void routesStoredWithoutAReviewAreIndexedOldestFirstAndTheYoungerGetsAnEvent() {
        // namespaces outside the webhook's selector: stored as routecert's reviews never saw them
        String older = fixture.namespace("before-a");
        String younger = fixture.namespace("before-b");
        String host = fresh("before") + ".example.com";
        assertEquals(0, apply(older, ingress("old", host)).exitCode());
        Instant created = Instant.parse(fixture.client
                .network()
                .v1()
                .ingresses()
                .inNamespace(older)
                .withName("old")
                .get()
                .getMetadata()
                .getCreationTimestamp());
        // creation timestamps have whole seconds: the younger route must be a second younger
        await("a second later", Duration.ofSeconds(5), Instant::now, now -> now.isAfter(created.plusSeconds(1)));
        assertEquals(0, apply(younger, ingress("young", host)).exitCode());

        await("the claim for the oldest", Duration.ofSeconds(30), () -> lease(host), l -> l != null);
        assertEquals(older, lease(host).getSpec().getHolderIdentity());
        List<Event> events = await(
                "a HostConflict Event on the younger route",
                Duration.ofSeconds(30),
                () -> fixture.client.events().v1().events().inNamespace(younger).list().getItems().stream()
                        .filter(e -> ClaimReconciler.CONFLICT_REASON.equals(e.getReason()))
                        .toList(),
                list -> !list.isEmpty());
        assertEquals("young", events.get(0).getRegarding().getName());
        assertTrue(
                events.get(0).getNote().contains("another namespace serves " + host),
                events.get(0).getNote());
        assertEquals(
                1,
                fixture.client
                        .network()
                        .v1()
                        .ingresses()
                        .inNamespace(younger)
                        .list()
                        .getItems()
                        .size(),
                "left unchanged");
    }
}
