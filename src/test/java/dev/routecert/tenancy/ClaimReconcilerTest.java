package dev.routecert.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.CachedKind;
import dev.routecert.certificates.ClusterView;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.time.Await;
import dev.routecert.time.TestClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClaimReconcilerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GRACE = Duration.ofSeconds(60);
    private static final ClaimKey HOST = ClaimKey.parse("shop.example.com").orElseThrow();

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final FakeHostClaimStore store = new FakeHostClaimStore();
    private final Map<String, JsonNode> routes = new ConcurrentHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final ClusterView view = new ClusterView() {
        @Override
        public Optional<JsonNode> get(CachedKind kind, String namespace, String name) {
            return Optional.ofNullable(routes.get(kind + "/" + namespace + "/" + name));
        }

        @Override
        public List<JsonNode> list(CachedKind kind) {
            return List.of();
        }

        @Override
        public boolean allSynced() {
            return true;
        }
    };
    private final ServedIndex index = new ServedIndex(view, RuleSyntax.V3);
    private ClaimReconciler reconciler;

    @BeforeEach
    void setUp() {
        store.now(clock.instant());
        reconciler = new ClaimReconciler(
                new SyncingStore(store),
                index,
                SharedHosts.NEVER,
                (route, uid, type, reason, action, message) ->
                        events.add(reason + " " + route.namespace() + "/" + route.name() + ": " + message),
                GRACE,
                Duration.ofMinutes(10),
                clock,
                () -> true,
                new PrometheusRegistry());
    }

    @AfterEach
    void tearDown() {
        reconciler.close();
    }

    private void route(String namespace, String name, String created, String host) {
        ObjectNode object = JSON.createObjectNode();
        object.putObject("metadata")
                .put("name", name)
                .put("namespace", namespace)
                .put("uid", "uid-" + name)
                .put("creationTimestamp", created);
        object.putObject("spec").putArray("rules").addObject().put("host", host);
        routes.put(CachedKind.INGRESS + "/" + namespace + "/" + name, object);
        reconciler.changed(index.refresh(CachedKind.INGRESS, namespace, name));
    }

    private void delete(String namespace, String name) {
        routes.remove(CachedKind.INGRESS + "/" + namespace + "/" + name);
        reconciler.changed(index.refresh(CachedKind.INGRESS, namespace, name));
    }

    private void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(5), condition, () -> "calls " + store.calls() + ", events " + events);
    }

    private void awaitTimerWithin(Duration within) {
        await(
                "a timer due within " + within,
                () -> reconciler.idle() && clock.pendingTimers().stream().anyMatch(d -> d.compareTo(within) <= 0));
    }

    @Test
    void routesThatExistedBeforeAreIndexedOldestFirstAndTheYoungerReported() {
        route("team-b", "young", "2025-06-01T00:00:00Z", "shop.example.com");
        route("team-a", "old", "2025-01-01T00:00:00Z", "shop.example.com");
        reconciler.start();
        await("the claim", () -> store.stored().containsKey(HOST) && reconciler.idle());
        assertEquals("team-a", store.stored().get(HOST).holder());
        assertEquals(1, events.size(), events.toString());
        assertTrue(events.get(0).startsWith("HostConflict team-b/young: another namespace serves shop.example.com"));
    }

    @Test
    void aClaimNobodyServesIsReleasedOnlyAfterTheGrace() {
        route("team-a", "old", "2025-01-01T00:00:00Z", "shop.example.com");
        reconciler.start();
        await("the claim", () -> store.stored().containsKey(HOST) && reconciler.idle());
        delete("team-a", "old");
        awaitTimerWithin(GRACE.plusSeconds(1));
        clock.advance(GRACE.minusSeconds(5));
        assertTrue(store.stored().containsKey(HOST), "kept within the grace");
        clock.advance(Duration.ofSeconds(6));
        await("released", () -> !store.stored().containsKey(HOST) && reconciler.idle());
        assertTrue(store.calls().contains("delete shop.example.com"));
    }

    @Test
    void aRouteBackWithinTheGraceKeepsTheClaim() {
        route("team-a", "old", "2025-01-01T00:00:00Z", "shop.example.com");
        reconciler.start();
        await("the claim", () -> store.stored().containsKey(HOST) && reconciler.idle());
        delete("team-a", "old");
        awaitTimerWithin(GRACE.plusSeconds(1));
        route("team-a", "new", "2026-01-01T00:00:10Z", "shop.example.com");
        await("idle", reconciler::idle);
        clock.advance(GRACE.plusSeconds(5));
        await("idle", reconciler::idle);
        assertEquals("team-a", store.stored().get(HOST).holder());
        assertFalse(store.calls().contains("delete shop.example.com"));
    }

    @Test
    void aClaimWhoseHolderLeftGoesToTheOldestOtherServerAfterTheGrace() {
        store.put(HOST.name(), "team-a");
        route("team-c", "later", "2025-09-01T00:00:00Z", "shop.example.com");
        route("team-b", "earlier", "2025-06-01T00:00:00Z", "shop.example.com");
        reconciler.start();
        awaitTimerWithin(GRACE.plusSeconds(1));
        assertEquals("team-a", store.stored().get(HOST).holder());
        clock.advance(GRACE.plusSeconds(1));
        await("handed over", () -> store.stored().get(HOST).holder().equals("team-b") && reconciler.idle());
        assertTrue(events.stream().anyMatch(e -> e.startsWith("HostConflict team-c/later")), events.toString());
    }

    /** The reconciler's cache catches up at once after each write. */
    private static final class SyncingStore extends CacheBehind {
        private final FakeHostClaimStore store;

        SyncingStore(FakeHostClaimStore store) {
            super(store);
            this.store = store;
        }

        @Override
        public Optional<HostClaim> cached(ClaimKey key) {
            store.sync();
            return store.cached(key);
        }

        @Override
        public List<HostClaim> cachedZone(String zone) {
            store.sync();
            return store.cachedZone(zone);
        }

        @Override
        public List<HostClaim> cachedAll() {
            store.sync();
            return store.cachedAll();
        }
    }
}
