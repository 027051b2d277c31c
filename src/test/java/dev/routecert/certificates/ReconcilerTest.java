package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.Enforcement;
import dev.routecert.policy.NamespaceRules;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.scope.ScopeFacts;
import dev.routecert.policy.scope.ScopeSettings;
import dev.routecert.time.Await;
import dev.routecert.time.TestClock;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler's decisions per Certificate name, on a fake cache and store, with a test clock: what
 * is due later runs when the test moves the clock, and a check that something did not happen comes
 * after the worker has processed what would have made it happen.
 */
class ReconcilerTest {

    private static final Duration GRACE = Duration.ofSeconds(60);
    private FakeCertificateStore store;
    private final Map<String, JsonNode> routes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private Reconciler reconciler;

    /** The cache: routes from the map above, Certificates from the fake store's server. */
    private final ClusterView view = new ClusterView() {
        @Override
        public Optional<JsonNode> get(CachedKind kind, String namespace, String name) {
            if (kind == CachedKind.CERTIFICATE) {
                return Optional.ofNullable(store.server.get(namespace + "/" + name));
            }
            return Optional.ofNullable(routes.get(kind + "/" + namespace + "/" + name));
        }

        @Override
        public List<JsonNode> list(CachedKind kind) {
            if (kind == CachedKind.CERTIFICATE) {
                return List.copyOf(store.server.values());
            }
            synchronized (routes) {
                return routes.entrySet().stream()
                        .filter(e -> e.getKey().startsWith(kind + "/"))
                        .map(Map.Entry::getValue)
                        .toList();
            }
        }

        @Override
        public boolean allSynced() {
            return true;
        }
    };

    @BeforeEach
    void setUp() {
        store = new FakeCertificateStore();
        store.issuer(new IssuerInfo("ClusterIssuer", "", "ca", IssuerInfo.Type.CA, List.of()));
        reconciler = new Reconciler(
                view,
                store,
                new RoutePolicy(PolicyConfig.defaults()),
                (route, uid, type, reason, action, message) -> events.add(route.name() + " " + reason + ": " + message),
                GRACE,
                Duration.ofHours(1),
                clock,
                registry);
    }

    @AfterEach
    void tearDown() {
        reconciler.close();
    }

    private JsonNode route(String name, String secret, String host, String created) throws Exception {
        JsonNode route = FakeCertificateStore.JSON.readTree("""
                {"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute","metadata":{"name":"%s","namespace":"web",
                 "uid":"uid-%s","resourceVersion":"1","creationTimestamp":"%s",
                 "annotations":{"cert-manager.io/cluster-issuer":"ca"}},
                 "spec":{"routes":[{"match":"Host(`%s`)"}],"tls":{"secretName":"%s"}}}""".formatted(name, name, created, host, secret));
        routes.put(CachedKind.INGRESS_ROUTE + "/web/" + name, route);
        return route;
    }

    /** What admission would have created for a route, without ownerReference. */
    private JsonNode admitted(String routeName, String secret, String host, Instant at) {
        ObjectNode certificate = FakeCertificateStore.JSON.createObjectNode();
        certificate.put("apiVersion", "cert-manager.io/v1").put("kind", "Certificate");
        ObjectNode meta = certificate
                .putObject("metadata")
                .put("name", secret)
                .put("namespace", "web")
                .put("creationTimestamp", at.toString());
        meta.putObject("labels").put(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY);
        meta.putObject("annotations").put(Ownership.ROUTE_ANNOTATION, "traefik.io/IngressRoute/" + routeName);
        ObjectNode spec = certificate.putObject("spec").put("secretName", secret);
        spec.putArray("dnsNames").add(host);
        spec.putObject("issuerRef")
                .put("name", "ca")
                .put("kind", "ClusterIssuer")
                .put("group", "cert-manager.io");
        spec.putArray("usages").add("digital signature").add("key encipherment");
        return store.put(certificate);
    }

    private void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(5), condition, () -> "writes " + store.writes + ", events " + events);
    }

    /** Waits until the worker has processed more than {@code before} keys and has nothing due. */
    private void awaitProcessedSince(long before) {
        await("the reconciler processed its work", () -> reconciler.processed() > before && reconciler.idle());
    }

    /** Waits until the worker has nothing due and a timer of the reconciler's falls due within {@code within}. */
    private void awaitTimerWithin(Duration within) {
        await(
                "a timer due within " + within,
                () -> reconciler.idle() && clock.pendingTimers().stream().anyMatch(d -> d.compareTo(within) <= 0));
    }

    private JsonNode stored(String name) {
        return store.server.get("web/" + name);
    }

    @Test
    void adoptsACertificateWhoseRouteIsCachedBeforeItsEventIsHandled() throws Exception {
        reconciler.start();
        awaitProcessedSince(0); // the first full pass finds nothing
        // admission created the Certificate; the route is stored and cached, but only the Certificate's event arrives
        // first
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z");
        JsonNode certificate = admitted("shop", "shop-tls", "shop.example.com", clock.instant());
        reconciler.onChange(CachedKind.CERTIFICATE, certificate);
        await(
                "adopted",
                () -> stored("shop-tls") != null
                        && stored("shop-tls")
                                .path("metadata")
                                .path("ownerReferences")
                                .path(0)
                                .path("uid")
                                .asText()
                                .equals("uid-shop"));
        assertTrue(store.writes.stream().noneMatch(w -> w.startsWith("delete")), store.writes.toString());
        assertEquals(List.of("apply web/shop-tls"), store.writes);
    }

    @Test
    void aCertificateItsRouteControlsIsThatRoutesOwnWhoeverWroteIt() throws Exception {
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z");
        // written by another controller (cert-manager's ingress-shim writes so): no mark of routecert's,
        // its own labels, a controller ownerReference to the route, and a name the route no longer serves
        ObjectNode certificate = FakeCertificateStore.JSON.createObjectNode();
        certificate.put("apiVersion", "cert-manager.io/v1").put("kind", "Certificate");
        ObjectNode meta =
                certificate.putObject("metadata").put("name", "shop-tls").put("namespace", "web");
        meta.putObject("labels").put("app", "shop");
        meta.putArray("ownerReferences")
                .addObject()
                .put("apiVersion", "traefik.io/v1alpha1")
                .put("kind", "IngressRoute")
                .put("name", "shop")
                .put("uid", "uid-shop")
                .put("controller", true);
        ObjectNode spec = certificate.putObject("spec").put("secretName", "shop-tls");
        spec.putArray("dnsNames").add("old.example.com");
        spec.putObject("issuerRef").put("name", "ca").put("kind", "ClusterIssuer");
        store.put(certificate);
        reconciler.start();
        await(
                "updated as the route's own",
                () -> stored("shop-tls")
                        .path("spec")
                        .path("dnsNames")
                        .toString()
                        .equals("[\"shop.example.com\"]"));
        assertEquals(List.of("apply web/shop-tls"), store.writes);
        assertTrue(events.stream().noneMatch(e -> e.contains("not created by routecert")), events.toString());
        assertEquals(
                "traefik.io/IngressRoute/shop",
                stored("shop-tls")
                        .path("metadata")
                        .path("annotations")
                        .path(Ownership.ROUTE_ANNOTATION)
                        .asText());
    }

    @Test
    void switchboardsCertificateUnderItsOwnNameIsTakenOverNeitherDuplicatedNorDeleted() throws Exception {
        route("shop", "shop-cert", "shop.example.com", "2026-01-01T00:00:00Z");
        JsonNode before =
                store.put(CertificatePlannerTest.switchboards("shop", "uid-shop", "shop-cert", "old.example.com"));
        reconciler.start();
        await(
                "updated in place",
                () -> stored("shop-tls").at("/spec/dnsNames").toString().equals("[\"shop.example.com\"]"));
        await("idle", reconciler::idle);
        assertEquals(List.of("apply web/shop-tls"), store.writes, "no Certificate named after the Secret, no delete");
        JsonNode after = stored("shop-tls");
        assertEquals(before.at("/metadata/uid"), after.at("/metadata/uid"));
        assertEquals("shop-cert", after.at("/spec/secretName").asText());
        assertEquals(
                "switchboard",
                after.at("/metadata/labels/kubernetes.io~1managed-by").asText());
        assertEquals(
                "routecert",
                after.at("/metadata/labels/app.kubernetes.io~1managed-by").asText());
        assertEquals(
                List.of("shop CertificateAdopted: took over Certificate web/shop-tls from switchboard, keeping its name"
                        + " and its Secret shop-cert: now Certificate web/shop-tls (secret shop-cert) for"
                        + " shop.example.com, issuer ClusterIssuer/ca"),
                events);
        // a full pass later: the taken-over Certificate is up to date, neither an orphan nor written again
        clock.advance(GRACE.multipliedBy(2));
        long seen = reconciler.processed();
        reconciler.policyChanged();
        awaitProcessedSince(seen);
        assertEquals(List.of("apply web/shop-tls"), store.writes);
    }

    @Test
    void aSwitchboardCertificateThatAppearsLaterIsTakenOverByItsRoute() throws Exception {
        reconciler.start();
        awaitProcessedSince(0);
        route("shop", "shop-cert", "shop.example.com", "2026-01-01T00:00:00Z");
        JsonNode sb =
                store.put(CertificatePlannerTest.switchboards("shop", "uid-shop", "shop-cert", "old.example.com"));
        // the route's event came first in the cluster, but the reconciler hears of the Certificate first
        long seen = reconciler.processed();
        reconciler.onChange(CachedKind.CERTIFICATE, sb);
        awaitProcessedSince(seen);
        await(
                "updated in place",
                () -> stored("shop-tls").at("/spec/dnsNames").toString().equals("[\"shop.example.com\"]"));
        assertTrue(store.writes.stream().noneMatch(w -> w.contains("shop-cert")), store.writes.toString());
    }

    @Test
    void leavesExcludedNamespacesAloneWhateverTheyHold() throws Exception {
        reconciler.close();
        reconciler = new Reconciler(
                view,
                store,
                new RoutePolicy(PolicyConfig.defaults()),
                (route, uid, type, reason, action, message) -> events.add(route.name() + " " + reason + ": " + message),
                GRACE,
                Duration.ofHours(1),
                clock,
                new PrometheusRegistry(),
                new WriteGuard(List.of("web"), "", WriteGuard.NamespaceLabels.NONE));
        // a stored route that would get a Certificate anywhere else, and an orphan that would be deleted
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z");
        admitted("gone", "gone-tls", "gone.example.com", clock.instant().minus(GRACE.multipliedBy(2)));
        reconciler.start();
        awaitProcessedSince(0);
        long firstPass = reconciler.processed();
        reconciler.onChange(CachedKind.INGRESS_ROUTE, routes.get(CachedKind.INGRESS_ROUTE + "/web/shop"));
        reconciler.onChange(CachedKind.CERTIFICATE, stored("gone-tls"));
        clock.advance(Duration.ofHours(1)); // and a resync
        awaitProcessedSince(firstPass);
        assertTrue(reconciler.caughtUpWith(new RouteRef("traefik.io", "IngressRoute", "web", "shop"), "1"));
        assertEquals(List.of(), store.writes);
        assertEquals(List.of(), events);
        assertTrue(stored("gone-tls") != null);
    }

    /** The route as stored, but any read of its spec throws, as a check with a bug would. */
    private static JsonNode specThrows(JsonNode route) {
        ObjectNode broken = new ObjectNode(FakeCertificateStore.JSON.getNodeFactory()) {
            @Override
            public JsonNode get(String field) {
                if (field.equals("spec")) {
                    throw new IllegalStateException("broken check");
                }
                return super.get(field);
            }

            @Override
            public JsonNode path(String field) {
                JsonNode value = get(field);
                return value == null ? MissingNode.getInstance() : value;
            }
        };
        broken.setAll((ObjectNode) route);
        return broken;
    }

    @Test
    void aRouteWhoseCheckThrowsIsSkippedWithOneWarningAndThePassGoesOn() throws Exception {
        JsonNode broken = specThrows(route("broken", "broken-tls", "broken.example.com", "2026-01-01T00:00:00Z"));
        routes.put(CachedKind.INGRESS_ROUTE + "/web/broken", broken);
        admitted("broken", "broken-tls", "broken.example.com", clock.instant().minus(GRACE.multipliedBy(2)));
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z");
        reconciler.start();
        await("the pass went on to the next route", () -> stored("shop-tls") != null);
        awaitProcessedSince(0);
        long firstPass = reconciler.processed();
        clock.advance(Duration.ofHours(1)); // the resync: a second full pass meets the same failure
        awaitProcessedSince(firstPass);
        assertTrue(stored("broken-tls") != null, "the unjudged route's Certificate is left as it is");
        assertEquals(List.of("create web/shop-tls"), store.writes);
        List<String> warnings = events.stream()
                .filter(e -> e.startsWith("broken CertificateFailed: routecert could not check this route"))
                .toList();
        assertEquals(1, warnings.size(), events.toString());
        assertTrue(warnings.getFirst().contains("IllegalStateException"), warnings.getFirst());
    }

    @Test
    void orphanIsDeletedOnlyOnceTheGracePeriodHasPassed() throws Exception {
        reconciler.start();
        JsonNode certificate = admitted("ghost", "ghost-tls", "ghost.example.com", clock.instant());
        reconciler.onChange(CachedKind.CERTIFICATE, certificate);
        // the reconciler has looked at it and set itself a timer for the end of the grace period
        awaitTimerWithin(GRACE.plusSeconds(1));
        assertEquals(List.of(), store.writes, "within the grace period the route may still come");
        clock.advance(GRACE.plusSeconds(1)); // past the grace period: its timer fires, no event needed
        await("orphan deleted", () -> stored("ghost-tls") == null);
    }

    @Test
    void sharedCertificateIsHandedOverWhenItsOwnerDropsIt() throws Exception {
        route("alpha", "shared-tls", "a.example.com", "2026-01-01T00:00:00Z");
        route("beta", "shared-tls", "a.example.com", "2026-01-01T00:00:05Z");
        reconciler.start();
        await(
                "created for the older route",
                () -> stored("shared-tls") != null
                        && stored("shared-tls")
                                .path("metadata")
                                .path("annotations")
                                .path(Ownership.ROUTE_ANNOTATION)
                                .asText()
                                .equals("traefik.io/IngressRoute/alpha"));
        routes.remove(CachedKind.INGRESS_ROUTE + "/web/alpha");
        reconciler.onChange(
                CachedKind.INGRESS_ROUTE,
                FakeCertificateStore.JSON.readTree("{\"metadata\":{\"name\":\"alpha\",\"namespace\":\"web\"}}"));
        await(
                "taken over by beta",
                () -> stored("shared-tls") != null
                        && stored("shared-tls")
                                .path("metadata")
                                .path("annotations")
                                .path(Ownership.ROUTE_ANNOTATION)
                                .asText()
                                .equals("traefik.io/IngressRoute/beta"));
        assertTrue(store.writes.stream().noneMatch(w -> w.startsWith("delete")), store.writes.toString());
        await(
                "a CertificateUpdated Event on beta", // recorded right after the write
                () -> events.stream()
                        .anyMatch(e -> e.startsWith("beta CertificateUpdated: took over from IngressRoute web/alpha")));
    }

    @Test
    void aRouteThatOptsOutKeepsItsCertificateAndAnOptedOutRouteGetsNone() throws Exception {
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z");
        JsonNode fresh = route("fresh", "fresh-tls", "fresh.example.com", "2026-01-01T00:00:00Z");
        ((ObjectNode) fresh.path("metadata").path("annotations")).put("routecert.dev/ignore", "true");
        reconciler.start();
        await("created", () -> stored("shop-tls") != null);
        ObjectNode ignored = route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z")
                .deepCopy();
        ((ObjectNode) ignored.path("metadata").path("annotations")).put("routecert.dev/ignore", "true");
        ((ObjectNode) ignored.get("metadata")).put("resourceVersion", "2");
        routes.put(CachedKind.INGRESS_ROUTE + "/web/shop", ignored);
        long before = reconciler.processed();
        reconciler.onChange(CachedKind.INGRESS_ROUTE, ignored);
        awaitProcessedSince(before);
        assertTrue(reconciler.caughtUpWith(new RouteRef("traefik.io", "IngressRoute", "web", "shop"), "2"));
        assertNotNull(stored("shop-tls"), "kept until the route is deleted: the garbage collector deletes it then");
        assertNull(stored("fresh-tls"), "an opted-out route gets no Certificate");
        assertFalse(events.stream().anyMatch(e -> e.contains("CertificateDeleted")), events.toString());
    }

    @Test
    void aNamespaceLabelChangeJudgesItsRoutesAgainUnderItsNewPolicy() throws Exception {
        // the policy file's stand-in: opting out is forbidden where the namespace is labelled strict
        Map<String, String> labels = new ConcurrentHashMap<>();
        reconciler.close();
        reconciler = new Reconciler(
                view,
                store,
                new RoutePolicy(
                        PolicyConfig.defaults(), ScopeSettings.everything(), ScopeFacts.NONE, (NamespaceRules.Source)
                                ns -> new NamespaceRules(
                                        Enforcement.DEFAULT, !"strict".equals(labels.get("compliance")))),
                (route, uid, type, reason, action, message) -> events.add(route.name() + " " + reason + ": " + message),
                GRACE,
                Duration.ofHours(1),
                clock,
                new PrometheusRegistry());
        JsonNode fresh = route("fresh", "fresh-tls", "fresh.example.com", "2026-01-01T00:00:00Z");
        ((ObjectNode) fresh.path("metadata").path("annotations")).put("routecert.dev/ignore", "true");
        JsonNode namespace = FakeCertificateStore.JSON.readTree("{\"metadata\":{\"name\":\"web\"}}");
        reconciler.onChange(CachedKind.NAMESPACE, namespace);
        long before = reconciler.processed();
        reconciler.start();
        awaitProcessedSince(before);
        assertNull(stored("fresh-tls"), "opted out");

        labels.put("compliance", "strict");
        reconciler.onChange(
                CachedKind.NAMESPACE,
                FakeCertificateStore.JSON.readTree(
                        "{\"metadata\":{\"name\":\"web\",\"labels\":{\"compliance\":\"strict\"}}}"));
        await("created once opting out is forbidden there", () -> stored("fresh-tls") != null);
    }

    @Test
    void aPolicyReloadStartsAFullPass() throws Exception {
        reconciler.start();
        awaitProcessedSince(-1);
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z"); // no event: only a pass finds it
        reconciler.policyChanged();
        await("created by the pass", () -> stored("shop-tls") != null);
    }

    @Test
    void certificateIsDeletedWhenItsRouteDropsTlsAndNoOtherRouteNeedsIt() throws Exception {
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z");
        reconciler.start();
        await("created", () -> stored("shop-tls") != null);
        ObjectNode withoutTls = route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z")
                .deepCopy();
        ((ObjectNode) withoutTls.get("spec")).remove("tls");
        ((ObjectNode) withoutTls.get("metadata")).put("resourceVersion", "2");
        routes.put(CachedKind.INGRESS_ROUTE + "/web/shop", withoutTls);
        reconciler.onChange(CachedKind.INGRESS_ROUTE, withoutTls);
        await("deleted", () -> stored("shop-tls") == null);
        await(
                "a CertificateDeleted Event",
                () -> events.contains("shop CertificateDeleted: deleted Certificate"
                        + " web/shop-tls (the route no longer needs it); Secret shop-tls stays"));
    }

    @Test
    void foreignCertificateIsNeverWrittenAndAnUncoveredRouteGetsOneWarning() throws Exception {
        ObjectNode foreign = FakeCertificateStore.JSON.createObjectNode();
        foreign.putObject("metadata").put("name", "shop-tls").put("namespace", "web");
        foreign.putObject("spec")
                .put("secretName", "shop-tls")
                .putArray("dnsNames")
                .add("other.example.com");
        store.put(foreign);
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z");
        reconciler.start();
        await("warned", () -> events.stream().anyMatch(e -> e.startsWith("shop CertificateFailed")));
        awaitProcessedSince(0);
        long before = reconciler.processed();
        reconciler.onChange(CachedKind.CERTIFICATE, stored("shop-tls"));
        awaitProcessedSince(before);
        assertEquals(List.of(), store.writes);
        assertEquals(1, events.size(), events.toString());
    }

    /** Waits until the worker is idle with its earliest timer (the 1 h resync aside) due in exactly {@code delay}. */
    private void awaitRetryIn(Duration delay) {
        await(
                "a retry due in " + delay,
                () -> reconciler.idle() && clock.pendingTimers().get(0).equals(delay));
    }

    @Test
    void aConflictWithAnotherWriterIsRetriedWithoutAWarningEvent() throws Exception {
        store.failures.put(
                "web/shop-tls",
                new StoreException(
                        StoreException.Kind.CONFLICT,
                        "the API server answered 409: the object has been modified",
                        null));
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z");
        reconciler.start();
        awaitRetryIn(Duration.ofSeconds(1));
        assertEquals(List.of(), events);
        store.failures.clear();
        clock.advance(Duration.ofSeconds(1));
        await("created on the retry", () -> stored("shop-tls") != null);
    }

    @Test
    void failedWritesAreRetriedWithADoublingDelayThatStartsAgainAfterASuccess() throws Exception {
        StoreException unavailable = new StoreException(
                StoreException.Kind.UNAVAILABLE,
                "could not write web/shop-tls: the API server cannot be reached",
                null);
        store.failures.put("web/shop-tls", unavailable);
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z");
        reconciler.start();
        for (int seconds : new int[] {1, 2, 4, 8}) {
            awaitRetryIn(Duration.ofSeconds(seconds));
            clock.advance(Duration.ofSeconds(seconds));
        }
        awaitRetryIn(Duration.ofSeconds(16));
        assertEquals(5, store.writes.size(), store.writes.toString());
        store.failures.clear();
        clock.advance(Duration.ofSeconds(16));
        await("created once the API server answers", () -> stored("shop-tls") != null);

        // the success reset the backoff: the next failure is retried after the shortest delay again
        store.failures.put("web/shop-tls", unavailable);
        ObjectNode moved = route("shop", "shop-tls", "www.example.com", "2026-01-01T00:00:00Z")
                .deepCopy();
        ((ObjectNode) moved.get("metadata")).put("resourceVersion", "2");
        routes.put(CachedKind.INGRESS_ROUTE + "/web/shop", moved);
        reconciler.onChange(CachedKind.INGRESS_ROUTE, moved);
        awaitRetryIn(Duration.ofSeconds(1));

        String scrape = scrape();
        assertTrue(scrape.contains("workqueue_retries_total{name=\"reconciler\"} 6.0"), scrape);
        assertTrue(scrape.contains("workqueue_depth{name=\"reconciler\"} 0.0"), scrape);
        for (String metric : List.of(
                "workqueue_adds_total{name=\"reconciler\"}",
                "workqueue_queue_duration_seconds_count{name=\"reconciler\"}",
                "workqueue_work_duration_seconds_count{name=\"reconciler\"}",
                "workqueue_unfinished_work_seconds{name=\"reconciler\"}",
                "workqueue_longest_running_processor_seconds{name=\"reconciler\"}")) {
            assertTrue(scrape.contains(metric), metric + " in " + scrape);
        }
    }

    private String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString();
    }
}
