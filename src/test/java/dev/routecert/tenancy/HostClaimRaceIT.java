package dev.routecert.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.Routecert;
import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.time.Await;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * covers, raced the same way, are never both admitted. Two routecert replicas (one Lease, one
 * leader) answer behind one registration, the API server's connections dealt to them in turn, and
 * each round records which replica answered each of its two claiming reviews (/mutate).
 */
class HostClaimRaceIT {

    private static final int ROUNDS = 60;
    private static final int WILDCARD_ROUNDS = 30;
    private static String claims;

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> {
                claims = fixture.namespace("claims");
                // as deployed: both replicas stand for one Lease in the claims namespace
                return CertificateOptions.defaults()
                        .withLeaderElection(true, claims, "routecert", Duration.ofSeconds(4))
                        .withHostClaims(claims, Duration.ofSeconds(60));
            })
            .withReplicas(2);

    private static ClusterFixture fixture;
    private static List<Routecert> replicas;
    private static String teamA;
    private static String teamB;
    private static KubernetesClient clientA;
    private static KubernetesClient clientB;
    private static final ExecutorService TWO = Executors.newFixedThreadPool(2);

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        WebhookUnderTest routecert = KUBE.routecert();
        replicas = routecert.replicas();
        assertEquals(2, replicas.size());
        Await.until("a replica leads", Duration.ofSeconds(30), () -> !leader().isEmpty());
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

    private static String leader() {
        Lease lease = fixture.client
                .leases()
                .inNamespace(claims)
                .withName("routecert")
                .get();
        return lease == null || lease.getSpec().getHolderIdentity() == null
                ? ""
                : lease.getSpec().getHolderIdentity();
    }

    /** Whether each create was admitted, and how many /mutate reviews of the round each replica answered. */
    private record Round(boolean a, boolean b, long[] mutated) {

        boolean split() {
            return Arrays.stream(mutated).allMatch(n -> n > 0);
        }
    }

    /** Creates both at once; any denial must be the ownership one. */
    private static Round race(String hostA, String hostB, String name) throws Exception {
        long[] before = mutateReviews();
        CyclicBarrier start = new CyclicBarrier(2);
        Future<Boolean> a = TWO.submit(() -> create(clientA, teamA, name, hostA, start));
        Future<Boolean> b = TWO.submit(() -> create(clientB, teamB, name, hostB, start));
        boolean admittedA = a.get(30, TimeUnit.SECONDS);
        boolean admittedB = b.get(30, TimeUnit.SECONDS);
        // a replica counts a review just after sending its answer, so the count may trail the create
        long[] mutated = new long[replicas.size()];
        Await.until(
                "both /mutate reviews counted",
                Duration.ofSeconds(10),
                () -> {
                    long[] now = mutateReviews();
                    for (int i = 0; i < now.length; i++) {
                        mutated[i] = now[i] - before[i];
                    }
                    return Arrays.stream(mutated).sum() >= 2;
                },
                () -> Arrays.toString(mutated));
        return new Round(admittedA, admittedB, mutated);
    }

    /** Each replica's controller_runtime_webhook_requests_total for /mutate, all outcomes. */
    private static long[] mutateReviews() {
        long[] counts = new long[replicas.size()];
        for (int i = 0; i < counts.length; i++) {
            for (String line : new String(replicas.get(i).metrics().scrape(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("controller_runtime_webhook_requests_total{")
                        && line.contains("webhook=\"/mutate\"")) {
                    counts[i] += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return counts;
    }

    /** Rounds whose two /mutate reviews went to different replicas, and /mutate reviews per replica. */
    private static final class Spread {
        int rounds;
        int split;
        final long[] perReplica = new long[2];

        void add(Round round) {
            rounds++;
            if (round.split()) {
                split++;
            }
            for (int i = 0; i < perReplica.length; i++) {
                perReplica[i] += round.mutated()[i];
            }
        }

        /**
         * Both replicas took part: each answered at least a quarter of the reviews, and at least half
         * the pairs were answered one by each. The API server picks among its kept-alive connections
         * itself, so the test asks for a majority rather than every round.
         */
        void assertBothReplicasAnswered() {
            long total = Arrays.stream(perReplica).sum();
            for (int i = 0; i < perReplica.length; i++) {
                assertTrue(perReplica[i] * 4 >= total, "replica " + i + " answered too few: " + this);
            }
            assertTrue(split * 2 >= rounds, "too few rounds split over the replicas: " + this);
        }

        @Override
        public String toString() {
            return "two reviews on different replicas in %d of %d rounds; /mutate reviews per replica %s"
                    .formatted(split, rounds, Arrays.toString(perReplica));
        }
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
        Spread spread = new Spread();
        long started = System.nanoTime();
        for (int round = 0; round < ROUNDS; round++) {
            String host = "race-" + round + ".example.com";
            Round raced = race(host, host, "r" + round);
            assertTrue(raced.a() ^ raced.b(), "round " + round + ": exactly one admitted");
            String winner = raced.a() ? teamA : teamB;
            assertEquals(winner, lease(host).getSpec().getHolderIdentity(), "round " + round);
            winners.add(winner);
            spread.add(raced);
        }
        System.out.printf(
                "HostClaimRaceIT: %d rounds in %d ms; team-a won %d, team-b %d; %s; proxy connections %s%n",
                ROUNDS,
                (System.nanoTime() - started) / 1_000_000,
                winners.stream().filter(teamA::equals).count(),
                winners.stream().filter(teamB::equals).count(),
                spread,
                Arrays.toString(KUBE.routecert().proxy().orElseThrow().connections()));
        spread.assertBothReplicasAnswered();
    }

    @Test
    void aWildcardAndANameItCoversRacedAreNeverBothAdmitted() throws Exception {
        int bothDenied = 0;
        Spread spread = new Spread();
        for (int round = 0; round < WILDCARD_ROUNDS; round++) {
            String zone = "wild-" + round + ".example.com";
            Round raced = race("*." + zone, "api." + zone, "w" + round);
            spread.add(raced);
            boolean[] admitted = {raced.a(), raced.b()};
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
        System.out.printf(
                "HostClaimRaceIT: %d wildcard rounds, both denied in %d; %s%n", WILDCARD_ROUNDS, bothDenied, spread);
        spread.assertBothReplicasAnswered();
    }
}
