package dev.routecert.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.policy.tenancy.ClaimKey;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two namespaces create routes for the same new host at the same moment, through the API server,
 * many times: each time exactly one is admitted and one claim names it. A wildcard and a name it
 * covers, raced the same way, are never both admitted.
 */
class HostClaimRaceIT {

    private static final int ROUNDS = 60;
    private static final int WILDCARD_ROUNDS = 30;
    private static String claims;

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> {
        claims = fixture.namespace("claims");
        return CertificateOptions.defaults()
                .withLeaderElection(false, "routecert", "routecert-reconciler", Duration.ofSeconds(4))
                .withHostClaims(claims, Duration.ofSeconds(60));
    });

    private static ClusterFixture fixture;
    private static String teamA;
    private static String teamB;
    private static KubernetesClient clientA;
    private static KubernetesClient clientB;
    private static final ExecutorService TWO = Executors.newFixedThreadPool(2);

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        WebhookUnderTest routecert = KUBE.routecert();
        teamA = routecert.namespace("race-a");
        teamB = routecert.namespace("race-b");
        // a client each, so that neither request waits for the other's connection
        clientA = fixture.cluster.newClient();
        clientB = fixture.cluster.newClient();
    }

    @AfterAll
    static void tearDown() {
        TWO.shutdownNow();
        clientA.close();
        clientB.close();
    }

    private static Ingress ingress(String name, String host) {
        return new IngressBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .addNewRule()
                .withHost(host)
                .endRule()
                .endSpec()
                .build();
    }

    /** Creates both at once; true for each one admitted, and any denial must be the ownership one. */
    private static boolean[] race(String hostA, String hostB, String name) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Future<Boolean> a = TWO.submit(() -> create(clientA, teamA, name, hostA, start));
        Future<Boolean> b = TWO.submit(() -> create(clientB, teamB, name, hostB, start));
        return new boolean[] {a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS)};
    }

    private static boolean create(KubernetesClient client, String ns, String name, String host, CyclicBarrier start)
            throws Exception {
        Ingress ingress = ingress(name, host);
        start.await(10, TimeUnit.SECONDS);
        try {
            client.network().v1().ingresses().inNamespace(ns).resource(ingress).create();
            return true;
        } catch (KubernetesClientException e) {
            assertTrue(
                    String.valueOf(e.getMessage()).contains("is served by another namespace"),
                    "denied for another reason: " + e.getMessage());
            return false;
        }
    }

    private static Lease lease(String host) {
        return fixture.client
                .leases()
                .inNamespace(claims)
                .withName(KubeHostClaimStore.leaseName(ClaimKey.parse(host).orElseThrow()))
                .get();
    }

    @Test
    void exactlyOneOfTwoSimultaneousClaimsOnANewHostIsAdmitted() throws Exception {
        List<String> winners = new ArrayList<>();
        long started = System.nanoTime();
        for (int round = 0; round < ROUNDS; round++) {
            String host = "race-" + round + ".example.com";
            boolean[] admitted = race(host, host, "r" + round);
            assertTrue(admitted[0] ^ admitted[1], "round " + round + ": exactly one admitted");
            String winner = admitted[0] ? teamA : teamB;
            assertEquals(winner, lease(host).getSpec().getHolderIdentity(), "round " + round);
            winners.add(winner);
        }
        System.out.printf(
                "HostClaimRaceIT: %d rounds in %d ms; team-a won %d, team-b %d%n",
                ROUNDS,
                (System.nanoTime() - started) / 1_000_000,
                winners.stream().filter(teamA::equals).count(),
                winners.stream().filter(teamB::equals).count());
    }

    @Test
    void aWildcardAndANameItCoversRacedAreNeverBothAdmitted() throws Exception {
        int bothDenied = 0;
        for (int round = 0; round < WILDCARD_ROUNDS; round++) {
            String zone = "wild-" + round + ".example.com";
            boolean[] admitted = race("*." + zone, "api." + zone, "w" + round);
            assertFalse(admitted[0] && admitted[1], "round " + round + ": both admitted");
            if (!admitted[0] && !admitted[1]) {
                bothDenied++;
            }
            // an admitted route holds its claim; a denied one may leave a claim behind when /validate
            // denied it after /mutate claimed, which the reconciler releases after the grace period
            if (admitted[0]) {
                assertEquals(teamA, lease("*." + zone).getSpec().getHolderIdentity(), "round " + round);
            }
            if (admitted[1]) {
                assertEquals(teamB, lease("api." + zone).getSpec().getHolderIdentity(), "round " + round);
            }
        }
        System.out.printf("HostClaimRaceIT: %d wildcard rounds, both denied in %d%n", WILDCARD_ROUNDS, bothDenied);
    }
}
