package dev.routecert.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.CachedKind;
import dev.routecert.certificates.WriteGuard;
import dev.routecert.config.DnsOptions;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.routes.RouteKind;
import dev.routecert.time.Await;
import dev.routecert.time.TestClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader gives every stored route that admission would give one its DNSEndpoint, keeps routecert's
 * in step with the targets and the routes, and leaves what is not its to touch.
 */
class DnsFollowerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeDnsEndpointStore store;
    private Map<String, JsonNode> routes;
    private List<String> targets;
    private List<String> events;
    private DnsFollower follower;
    private DnsMetrics metrics;
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private static final Duration GRACE = Duration.ofSeconds(30);
    private volatile boolean synced = true;
    private volatile RouteJudge.Judgement judgement;

    @BeforeEach
    void setUp() {
        store = new FakeDnsEndpointStore();
        routes = new LinkedHashMap<>();
        targets = new CopyOnWriteArrayList<>(List.of("192.0.2.1"));
        events = new ArrayList<>();
        metrics = new DnsMetrics(new PrometheusRegistry());
        judgement = RouteJudge.Judgement.WRITE;
        follower = follower(List.of("switchboard"));
    }

    private DnsFollower follower(List<String> adoptFrom) {
        DnsTargetSource source = new DnsTargetSource() {
            @Override
            public List<String> targets() {
                return List.copyOf(targets);
            }

            @Override
            public String describe() {
                return "Service traefik/traefik";
            }
        };
        return new DnsFollower(
                store,
                new DnsFollower.RouteLookup() {
                    @Override
                    public Optional<JsonNode> route(RouteKind kind, String namespace, String name) {
                        return Optional.ofNullable(routes.get(namespace + "/" + name));
                    }

                    @Override
                    public List<JsonNode> all(RouteKind kind) {
                        return kind == RouteKind.INGRESS_ROUTE ? List.copyOf(routes.values()) : List.of();
                    }
                },
                source,
                (kind, route, deadline) -> judgement,
                new DnsFollower.Settings(
                        new DnsOptions(
                                true, DnsOptions.DEFAULT_KINDS, "traefik/traefik", List.of(), DnsOptions.DEFAULT_TTL),
                        adoptFrom,
                        RuleSyntax.V3,
                        GRACE,
                        Duration.ofMinutes(10),
                        WriteGuard.NONE),
                clock,
                (route, uid, type, reason, action, message) -> events.add(reason + " " + route.name()),
                metrics,
                () -> synced);
    }

    private void route(String name, String host) throws Exception {
        routes.put("shop/" + name, JSON.readTree("""
                {"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute",
                 "metadata":{"name":"%s","namespace":"shop","uid":"u-%s"},
                 "spec":{"routes":[{"match":"Host(`%s`)","kind":"Rule"}]}}""".formatted(name, name, host)));
    }

    private void endpoint(String name, String labels, String annotations, String owners, String target)
            throws Exception {
        store.put((ObjectNode) JSON.readTree("""
                {"apiVersion":"externaldns.k8s.io/v1alpha1","kind":"DNSEndpoint",
                 "metadata":{"name":"%s","namespace":"shop","labels":{%s},"annotations":{%s},"ownerReferences":[%s]},
                 "spec":{"endpoints":[{"dnsName":"web.example.com","recordType":"A","targets":["%s"],"recordTTL":300}]}}""".formatted(name, labels, annotations, owners, target)));
    }

    /** Waits for the worker thread to write route web's DNSEndpoint. */
    private void awaitRecordOfWeb(String what) {
        Await.until(what, Duration.ofSeconds(5), () -> store.server.containsKey("shop/web-ir"), () -> store.writes);
    }

    private String targetsOf(String key) {
        return store.server
                .get(key)
                .path("spec")
                .path("endpoints")
                .get(0)
                .path("targets")
                .toString();
    }

    private static final String OURS = "\"app.kubernetes.io/managed-by\":\"routecert\"";
    private static final String FOR_WEB = "\"routecert.dev/route\":\"traefik.io/IngressRoute/web\"";

    @Test
    void anOrphanWithoutOwnerGoesAfterTheGraceOnceTheCachesAreSyncedAndAnOwnedOneIsLeftToTheCollector()
            throws Exception {
        // written during admissions whose routes were never stored: the created one has no owner
        endpoint("gone-ir", OURS, "\"routecert.dev/route\":\"traefik.io/IngressRoute/gone\"", "", "192.0.2.1");
        ((ObjectNode) store.server.get("shop/gone-ir").path("metadata"))
                .put("creationTimestamp", clock.instant().toString());
        endpoint(
                "owned-ir",
                OURS,
                "\"routecert.dev/route\":\"traefik.io/IngressRoute/owned\"",
                "{\"apiVersion\":\"traefik.io/v1alpha1\",\"kind\":\"IngressRoute\",\"name\":\"owned\",\"uid\":\"u-o\","
                        + "\"controller\":true}",
                "192.0.2.1");
        ((ObjectNode) store.server.get("shop/owned-ir").path("metadata"))
                .put(
                        "creationTimestamp",
                        clock.instant().minus(Duration.ofDays(1)).toString());

        follower.followAll();
        assertTrue(store.server.containsKey("shop/gone-ir"), "within the grace its route may still be stored");
        clock.advance(GRACE);
        synced = false;
        follower.followAll();
        assertTrue(store.server.containsKey("shop/gone-ir"), "a route not listed yet may only be unseen");
        synced = true;
        follower.followAll();
        assertFalse(store.server.containsKey("shop/gone-ir"));
        assertTrue(store.server.containsKey("shop/owned-ir"), "the garbage collector deletes it with its route");
        assertEquals(1.0, metrics.follows("deleted"));
    }

    @Test
    void aRouteEventGivesTheDnsEndpointItsOwnerAndTheCurrentTargets() throws Exception {
        route("web", "web.example.com");
        endpoint("web-ir", OURS, FOR_WEB, "", "192.0.2.1");
        follower.follow(RouteKind.INGRESS_ROUTE, "shop", "web");
        assertEquals(List.of("apply shop/web-ir"), store.writes);
        assertEquals(
                "u-web",
                store.server
                        .get("shop/web-ir")
                        .path("metadata")
                        .path("ownerReferences")
                        .get(0)
                        .path("uid")
                        .asText());
        assertEquals(List.of("DNSEndpointCreated web"), events, "written during admission, owned now");
        assertEquals(1.0, metrics.follows("updated"));

        follower.follow(RouteKind.INGRESS_ROUTE, "shop", "web");
        assertEquals(List.of("apply shop/web-ir"), store.writes, "nothing changed: nothing written");
    }

    @Test
    void newTargetsReachEveryDnsEndpointOfRoutecertsAndNoOther() throws Exception {
        route("web", "web.example.com");
        route("shop", "web.example.com");
        endpoint("web-ir", OURS, FOR_WEB, "", "192.0.2.1");
        endpoint("shop-ir", "\"team\":\"shop\"", "", "", "192.0.2.1");
        targets.clear();
        targets.add("192.0.2.9");
        follower.followAll();
        assertEquals("[\"192.0.2.9\"]", targetsOf("shop/web-ir"));
        assertEquals("[\"192.0.2.1\"]", targetsOf("shop/shop-ir"), "a foreign one is not followed");
        assertEquals(List.of("apply shop/web-ir"), store.writes);
        assertEquals(
                List.of("DNSEndpointCreated web", "DNSEndpointSkipped shop"),
                events,
                "the route whose name a foreign one holds hears of it");
    }

    @Test
    void aStoredRouteWithoutItsDnsEndpointGetsOneOwnedByTheRoute() throws Exception {
        route("web", "web.example.com");
        follower.follow(RouteKind.INGRESS_ROUTE, "shop", "web");
        assertEquals(List.of("create shop/web-ir"), store.writes);
        JsonNode created = store.server.get("shop/web-ir");
        assertEquals(
                "u-web",
                created.path("metadata")
                        .path("ownerReferences")
                        .get(0)
                        .path("uid")
                        .asText());
        assertEquals(
                "routecert",
                created.path("metadata")
                        .path("labels")
                        .path("app.kubernetes.io/managed-by")
                        .asText());
        assertEquals("[\"192.0.2.1\"]", targetsOf("shop/web-ir"));
        assertEquals(List.of("DNSEndpointCreated web"), events);
        assertEquals(1.0, metrics.follows("created"));
    }

    @Test
    void aFullPassCreatesEveryMissingOneFromOneListWithoutReadingThemOneByOne() throws Exception {
        route("web", "web.example.com");
        route("shop", "shop.example.com");
        route("api", "api.example.com");
        endpoint("web-ir", OURS, FOR_WEB, "", "192.0.2.1");
        follower.followAll();
        assertEquals(List.of("apply shop/web-ir", "create shop/shop-ir", "create shop/api-ir"), store.writes);
        assertEquals(1, store.lists);
        assertEquals(0, store.reads, "every route was weighed against the list");

        store.writes.clear();
        follower.followAll();
        assertEquals(List.of(), store.writes, "all in step: nothing written");
    }

    @Test
    void oneWrittenByAdmissionAfterTheListIsUpdatedNotCreatedTwice() throws Exception {
        route("web", "web.example.com");
        // admission writes the DNSEndpoint between the pass's list and its create
        store.beforeNextWrite = () -> {
            try {
                endpoint("web-ir", OURS, FOR_WEB, "", "192.0.2.7");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        follower.followAll();
        assertEquals(List.of("apply shop/web-ir"), store.writes);
        assertEquals("[\"192.0.2.1\"]", targetsOf("shop/web-ir"));
        assertEquals(0.0, metrics.follows("failed"));
    }

    @Test
    void aRouteRoutecertLeavesAloneGetsNoDnsEndpointAndItsOldOneIsNotTouched() throws Exception {
        judgement = new RouteJudge.Judgement(RouteJudge.Outcome.LEAVE, "opted out");
        route("web", "web.example.com");
        route("api", "api.example.com");
        endpoint("web-ir", OURS, FOR_WEB, "", "192.0.2.9");
        follower.followAll();
        follower.follow(RouteKind.INGRESS_ROUTE, "shop", "web");
        assertEquals(List.of(), store.writes);
        assertEquals(List.of(), events);
        assertEquals("[\"192.0.2.9\"]", targetsOf("shop/web-ir"));
    }

    @Test
    void aRefusedRouteGetsNoRecordAndOneWarningUntilItMayHaveOne() throws Exception {
        judgement = new RouteJudge.Judgement(RouteJudge.Outcome.REFUSE, "web.example.com is claimed by namespace bank");
        route("web", "web.example.com");
        follower.followAll();
        follower.followAll();
        assertEquals(List.of(), store.writes);
        assertEquals(List.of("DNSEndpointSkipped web"), events, "a resync does not repeat the same warning");

        judgement = RouteJudge.Judgement.WRITE;
        follower.followAll();
        assertEquals(List.of("create shop/web-ir"), store.writes);
    }

    @Test
    void aStoredRouteWithABadExternalDnsAnnotationIsWarnedAboutNotPublished() throws Exception {
        route("web", "web.example.com");
        ((ObjectNode) routes.get("shop/web").path("metadata"))
                .putObject("annotations")
                .put("external-dns.alpha.kubernetes.io/ttl", "soon");
        follower.follow(RouteKind.INGRESS_ROUTE, "shop", "web");
        assertEquals(List.of(), store.writes);
        assertEquals(List.of("DNSEndpointSkipped web"), events);
    }

    @Test
    void aNamespaceChangePlansEveryRouteAgainOnTheLeader() throws Exception {
        route("web", "web.example.com");
        judgement = new RouteJudge.Judgement(RouteJudge.Outcome.LEAVE, "namespace shop opted out");
        follower.start();
        try {
            Await.until("the first pass", Duration.ofSeconds(5), () -> store.lists == 1);
            follower.onChange(
                    CachedKind.NAMESPACE,
                    JSON.readTree("{\"metadata\":{\"name\":\"shop\",\"labels\":{\"team\":\"shop\"}}}"));
            judgement = RouteJudge.Judgement.WRITE; // the namespace's opt-out label was removed
            follower.onChange(CachedKind.NAMESPACE, JSON.readTree("{\"metadata\":{\"name\":\"shop\"}}"));
            awaitRecordOfWeb("the DNSEndpoint of the route");
        } finally {
            follower.stop();
        }
    }

    @Test
    void aGoneRouteTakesItsDnsEndpointAlongAndLeavesOthers() throws Exception {
        endpoint("web-ir", OURS, FOR_WEB, "", "192.0.2.1");
        endpoint("web", "\"team\":\"shop\"", "", "", "192.0.2.1");
        follower.follow(RouteKind.INGRESS_ROUTE, "shop", "web");
        assertEquals(List.of("delete shop/web-ir"), store.writes);
        assertEquals(1.0, metrics.follows("deleted"));
        assertTrue(store.server.containsKey("shop/web"));
    }

    @Test
    void switchboardsDnsEndpointIsTakenOverWhenTheRouteIsSeen() throws Exception {
        route("web", "web.example.com");
        endpoint(
                "web",
                "\"kubernetes.io/managed-by\":\"switchboard\"",
                "",
                "{\"apiVersion\":\"traefik.io/v1alpha1\",\"kind\":\"IngressRoute\",\"name\":\"web\",\"uid\":\"u-web\","
                        + "\"controller\":true}",
                "192.0.2.1");
        follower.follow(RouteKind.INGRESS_ROUTE, "shop", "web");
        assertEquals(List.of("apply shop/web"), store.writes);
        assertFalse(store.server.containsKey("shop/web-ir"));
        assertEquals(List.of("DNSEndpointAdopted web"), events);
        assertEquals(1.0, metrics.follows("adopted"));
        assertEquals(
                "routecert",
                store.server
                        .get("shop/web")
                        .path("metadata")
                        .path("labels")
                        .path("app.kubernetes.io/managed-by")
                        .asText());
    }

    @Test
    void aResyncAskedForBeforeLeadingDoesNotSwallowTheFirstPass() throws Exception {
        route("web", "web.example.com");
        follower.resync(); // a standby hears of a Service or policy change
        follower.start();
        try {
            awaitRecordOfWeb("the first pass as leader");
        } finally {
            follower.stop();
        }
    }

    @Test
    void nothingIsJudgedBeforeTheCachesHaveListedEverythingAndThePassComesOnceTheyHave() throws Exception {
        route("web", "web.example.com");
        synced = false;
        follower.followAll();
        follower.follow(RouteKind.INGRESS_ROUTE, "shop", "web");
        assertEquals(0, store.lists);
        assertEquals(List.of(), store.writes);

        follower.start();
        try {
            synced = true;
            clock.advance(Duration.ofSeconds(5)); // the pass that found them unsynced is tried again
            awaitRecordOfWeb("the pass once synced");
        } finally {
            follower.stop();
        }
    }

    @Test
    void aNameItsNamespaceMayNotPublishTakesRoutecertsRecordAwayAndNoOneElses() throws Exception {
        judgement = new RouteJudge.Judgement(
                RouteJudge.Outcome.WITHDRAW, "[host-ownership] web.example.com is served by another namespace");
        route("web", "web.example.com");
        route("api", "web.example.com");
        endpoint("web-ir", OURS, FOR_WEB, "", "192.0.2.1");
        endpoint("api-ir", "\"team\":\"shop\"", "", "", "192.0.2.1");
        follower.followAll();
        assertEquals(List.of("delete shop/web-ir"), store.writes);
        assertTrue(store.server.containsKey("shop/api-ir"), "not routecert's: left as it is");
        assertEquals(List.of("DNSEndpointDeleted web", "DNSEndpointSkipped api"), events);

        follower.followAll();
        assertEquals(List.of("delete shop/web-ir"), store.writes);
        assertEquals(2, events.size(), "said once");
    }

    @Test
    void aRouteRoutecertWouldDenyKeepsItsRecordInStepButGetsNoNewOne() throws Exception {
        judgement = new RouteJudge.Judgement(RouteJudge.Outcome.REFUSE, "[tls-hosts] not covered");
        route("web", "web.example.com");
        route("api", "api.example.com");
        endpoint("web-ir", OURS, FOR_WEB, "", "192.0.2.1");
        targets.clear();
        targets.add("192.0.2.9");
        follower.followAll();
        assertEquals(List.of("apply shop/web-ir"), store.writes, "the Service moved: the record follows");
        assertEquals("[\"192.0.2.9\"]", targetsOf("shop/web-ir"));
        assertFalse(store.server.containsKey("shop/api-ir"));
        assertTrue(events.containsAll(List.of("DNSEndpointSkipped web", "DNSEndpointSkipped api")), events.toString());
    }

    @Test
    void aRouteLeftAloneLosesItsRecordOnceItPublishesANameTheRouteServesNoMore() throws Exception {
        judgement = new RouteJudge.Judgement(RouteJudge.Outcome.LEAVE, "opted out");
        route("web", "other.example.com");
        endpoint("web-ir", OURS, FOR_WEB, "", "192.0.2.1"); // publishes web.example.com
        follower.follow(RouteKind.INGRESS_ROUTE, "shop", "web");
        assertEquals(List.of("delete shop/web-ir"), store.writes);
        assertEquals(List.of("DNSEndpointDeleted web"), events);
    }

    @Test
    void anOrphanWrittenAgainSinceTheListIsNotDeleted() throws Exception {
        endpoint("gone-ir", OURS, "\"routecert.dev/route\":\"traefik.io/IngressRoute/gone\"", "", "192.0.2.1");
        ((ObjectNode) store.server.get("shop/gone-ir").path("metadata"))
                .put(
                        "creationTimestamp",
                        clock.instant().minus(Duration.ofDays(1)).toString());
        // admission writes it again for a route of that name the cache does not hold yet
        store.beforeNextWrite = () -> store.put(store.server.get("shop/gone-ir"));
        follower.followAll();
        assertTrue(store.server.containsKey("shop/gone-ir"));
        assertEquals(List.of(), store.writes);
    }

    @Test
    void aRecordTakenOverUnderTheRoutesNameStaysTheOneAfterAdoptFromIsEmptied() throws Exception {
        route("web", "shop.example.com");
        endpoint(
                "web",
                OURS,
                FOR_WEB,
                "{\"apiVersion\":\"traefik.io/v1alpha1\",\"kind\":\"IngressRoute\",\"name\":\"web\",\"uid\":\"u-web\","
                        + "\"controller\":true}",
                "192.0.2.1"); // switchboard's, taken over earlier: routecert's now, under the route's name
        DnsFollower after = follower(List.of());
        after.followAll();
        assertEquals(List.of("apply shop/web"), store.writes, "no second record beside it");
        assertFalse(store.server.containsKey("shop/web-ir"));
        assertEquals(
                "shop.example.com",
                store.server
                        .get("shop/web")
                        .path("spec")
                        .path("endpoints")
                        .get(0)
                        .path("dnsName")
                        .asText());
    }

    @Test
    void twoWarningsOfOneRouteAreEachSaidOnceNotInTurnOnEveryPass() throws Exception {
        judgement = new RouteJudge.Judgement(RouteJudge.Outcome.REFUSE, "[tls-hosts] not covered");
        route("web", "web.example.com");
        endpoint("web-ir", "\"team\":\"shop\"", "", "", "192.0.2.1");
        for (int i = 0; i < 3; i++) {
            follower.follow(RouteKind.INGRESS_ROUTE, "shop", "web"); // the foreign one read, then the refusal
        }
        assertEquals(List.of("DNSEndpointSkipped web", "DNSEndpointSkipped web"), events);
    }
}
