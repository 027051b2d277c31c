package dev.routecert.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.RouteRef;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.policy.tenancy.SameClaimRule.Server;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.routes.RouteKind;
import dev.routecert.time.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HostOwnershipTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeHostClaimStore store = new FakeHostClaimStore();
    private final Map<ClaimKey, List<Server>> servers = new HashMap<>();
    private final HostOwnership ownership =
            new HostOwnership(store, key -> servers.getOrDefault(key, List.of()), SharedHosts.NEVER, RuleSyntax.V3);
    private final TestClock clock = new TestClock(Instant.parse("2025-01-01T00:00:00Z"));

    private static ObjectNode ingress(String namespace, String... hosts) {
        ObjectNode object = JSON.createObjectNode();
        object.put("apiVersion", "networking.k8s.io/v1").put("kind", "Ingress");
        object.putObject("metadata").put("name", "web").put("namespace", namespace);
        ArrayNode rules = object.putObject("spec").putArray("rules");
        for (String host : hosts) {
            rules.addObject().put("host", host);
        }
        return object;
    }

    private HostOwnership.Outcome review(String namespace, HostOwnership.Mode mode, String... hosts) {
        return ownership.review(
                RouteKind.INGRESS,
                ingress(namespace, hosts),
                new RouteRef("networking.k8s.io", "Ingress", namespace, "web"),
                mode,
                Deadline.in(Duration.ofSeconds(3), clock));
    }

    @Test
    void aHostHeldByAnotherNamespaceIsDeniedNamingTheHostWithoutAnyCall() {
        store.put("shop.example.com", "team-a");
        HostOwnership.Outcome outcome = review("team-b", HostOwnership.Mode.CLAIM, "shop.example.com");
        assertFalse(outcome.allowed());
        assertEquals("spec.rules[0].host", outcome.conflicts().get(0).field());
        assertTrue(outcome.conflicts().get(0).message().startsWith("shop.example.com is served by another namespace"));
        assertTrue(outcome.conflicts().get(0).hint().contains("use another host"));
        assertFalse(outcome.conflicts().get(0).message().contains("team-a"), "the owner's namespace is not disclosed");
        assertEquals(List.of(), store.calls());
    }

    @Test
    void aNamespaceHoldingEveryNameCostsNoCall() {
        store.put("shop.example.com", "team-a");
        assertTrue(
                review("team-a", HostOwnership.Mode.CLAIM, "shop.example.com").allowed());
        assertEquals(List.of(), store.calls());
    }

    @Test
    void aNewNameIsCreatedThenItsWildcardReadFromTheApiServer() {
        HostOwnership.Outcome outcome = review("team-a", HostOwnership.Mode.CLAIM, "shop.example.com");
        assertTrue(outcome.allowed());
        assertEquals(1, outcome.created().size());
        assertEquals(List.of("create shop.example.com team-a", "read *.example.com"), store.calls());
        assertEquals("team-a", store.stored().get(key("shop.example.com")).holder());
    }

    @Test
    void aWildcardAndTheNamesItCoversAreOneClaimInBothDirections() {
        store.put("*.example.com", "team-a");
        assertFalse(
                review("team-b", HostOwnership.Mode.CLAIM, "shop.example.com").allowed());
        assertTrue(review("team-b", HostOwnership.Mode.CLAIM, "a.b.example.com").allowed(), "one label only");
        store.sync();
        assertFalse(
                review("team-c", HostOwnership.Mode.CLAIM, "*.b.example.com").allowed());
        assertFalse(
                review("team-a", HostOwnership.Mode.CLAIM, "*.b.example.com").allowed());
        assertTrue(review("team-b", HostOwnership.Mode.CLAIM, "*.b.example.com").allowed());
    }

    @Test
    void aWildcardSeenOnlyByTheApiServerDeniesAndTheNewClaimIsRolledBack() {
        store.put("*.example.com", "team-a");
        HostOwnership behind =
                new HostOwnership(new CacheBehind(store), key -> List.of(), SharedHosts.NEVER, RuleSyntax.V3);
        HostOwnership.Outcome outcome = behind.review(
                RouteKind.INGRESS,
                ingress("team-b", "shop.example.com"),
                new RouteRef("networking.k8s.io", "Ingress", "team-b", "web"),
                HostOwnership.Mode.CLAIM,
                Deadline.in(Duration.ofSeconds(3), clock));
        assertFalse(outcome.allowed());
        assertEquals(
                List.of("create shop.example.com team-b", "read *.example.com", "delete shop.example.com"),
                store.calls());
        assertFalse(store.stored().containsKey(key("shop.example.com")));
    }

    @Test
    void aDryRunWritesNothingAndSaysWhatItWouldClaim() {
        HostOwnership.Outcome outcome = review("team-a", HostOwnership.Mode.DRY_RUN, "shop.example.com");
        assertTrue(outcome.allowed());
        assertEquals(
                List.of("[dry-run] dry run: routecert would claim shop.example.com for namespace team-a"),
                outcome.notices());
        assertEquals(List.of(), store.calls());
    }

    @Test
    void validateOnlyReads() {
        store.put("shop.example.com", "team-a");
        CacheBehind behind = new CacheBehind(store);
        HostOwnership readOnly = new HostOwnership(behind, key -> List.of(), SharedHosts.NEVER, RuleSyntax.V3);
        HostOwnership.Outcome outcome = readOnly.review(
                RouteKind.INGRESS,
                ingress("team-b", "shop.example.com", "new.example.com"),
                new RouteRef("networking.k8s.io", "Ingress", "team-b", "web"),
                HostOwnership.Mode.READ_ONLY,
                Deadline.in(Duration.ofSeconds(3), clock));
        assertFalse(outcome.allowed());
        assertEquals(List.of("read new.example.com", "read shop.example.com"), store.calls());
    }

    @Test
    void sharingLetsTwoNamespacesServeOneHost() {
        store.put("shop.example.com", "team-a");
        HostOwnership shared = new HostOwnership(
                store,
                key -> List.of(),
                (a, b, host) -> host.equals("shop.example.com") && (a + b).contains("team-a"),
                RuleSyntax.V3);
        assertTrue(shared.review(
                        RouteKind.INGRESS,
                        ingress("team-b", "shop.example.com"),
                        new RouteRef("networking.k8s.io", "Ingress", "team-b", "web"),
                        HostOwnership.Mode.CLAIM,
                        Deadline.in(Duration.ofSeconds(3), clock))
                .allowed());
        assertEquals(List.of(), store.calls());
    }

    @Test
    void beforeAnyClaimTheNamespaceThatServedFirstOwnsTheName() {
        servers.put(
                key("shop.example.com"),
                List.of(new Server("team-a", Instant.parse("2024-01-01T00:00:00Z"), "Ingress team-a/old")));
        assertFalse(
                review("team-b", HostOwnership.Mode.CLAIM, "shop.example.com").allowed());
        assertTrue(
                review("team-a", HostOwnership.Mode.CLAIM, "shop.example.com").allowed());
    }

    @Test
    void twoNamespacesClaimingOneNewNameAtOnceEndWithExactlyOneAdmitted() throws Exception {
        for (int round = 0; round < 20; round++) {
            String host = "r" + round + ".example.com";
            CyclicBarrier bothAtCreate = new CyclicBarrier(2);
            store.beforeCall(call -> {
                if (call.startsWith("create ")) {
                    await(bothAtCreate);
                }
            });
            List<HostOwnership.Outcome> outcomes = race(
                    () -> review("team-a", HostOwnership.Mode.CLAIM, host),
                    () -> review("team-b", HostOwnership.Mode.CLAIM, host));
            long admitted =
                    outcomes.stream().filter(HostOwnership.Outcome::allowed).count();
            assertEquals(1, admitted, "round " + round + ": " + outcomes);
            String winner = outcomes.get(0).allowed() ? "team-a" : "team-b";
            assertEquals(winner, store.stored().get(key(host)).holder());
        }
    }

    @Test
    void aWildcardAndANameItCoversClaimedAtOnceAreNeverBothAdmitted() throws Exception {
        // both create before either reads: the interleaving in which only the reads after the writes decide
        for (int round = 0; round < 20; round++) {
            String zone = "z" + round + ".example.com";
            CyclicBarrier bothCreated = new CyclicBarrier(2);
            store.beforeCall(call -> {
                if (call.startsWith("read ") || call.startsWith("list ")) {
                    await(bothCreated);
                }
            });
            List<HostOwnership.Outcome> outcomes = race(
                    () -> review("team-a", HostOwnership.Mode.CLAIM, "*." + zone),
                    () -> review("team-b", HostOwnership.Mode.CLAIM, "shop." + zone));
            assertFalse(outcomes.get(0).allowed() && outcomes.get(1).allowed(), "round " + round);
            // a denied review withdrew its claim; the claims left are the admitted one's
            List<String> left = store.stored().values().stream()
                    .filter(c -> c.key().name().endsWith("." + zone))
                    .map(HostClaim::holder)
                    .toList();
            List<String> admitted = new ArrayList<>();
            if (outcomes.get(0).allowed()) {
                admitted.add("team-a");
            }
            if (outcomes.get(1).allowed()) {
                admitted.add("team-b");
            }
            assertEquals(admitted, left, "round " + round + ": " + outcomes);
        }
        // one after the other: the second is denied by what the first wrote
        store.beforeCall(call -> {});
        assertTrue(review("team-a", HostOwnership.Mode.CLAIM, "*.y.example.com").allowed());
        assertFalse(
                review("team-b", HostOwnership.Mode.CLAIM, "shop.y.example.com").allowed());
        assertTrue(
                review("team-b", HostOwnership.Mode.CLAIM, "shop.x.example.com").allowed());
        assertFalse(
                review("team-a", HostOwnership.Mode.CLAIM, "*.x.example.com").allowed());
    }

    private static ClaimKey key(String name) {
        return ClaimKey.parse(name).orElseThrow();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Review {
        HostOwnership.Outcome run();
    }

    private static List<HostOwnership.Outcome> race(Review a, Review b) throws Exception {
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<HostOwnership.Outcome> first = two.submit(a::run);
            Future<HostOwnership.Outcome> second = two.submit(b::run);
            List<HostOwnership.Outcome> out = new ArrayList<>();
            out.add(first.get(20, TimeUnit.SECONDS));
            out.add(second.get(20, TimeUnit.SECONDS));
            return out;
        } finally {
            two.shutdownNow();
        }
    }
}
