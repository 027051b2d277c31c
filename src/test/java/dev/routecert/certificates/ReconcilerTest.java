package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconciler's decisions per Certificate name, on a fake cache and store, with a controlled clock. */
class ReconcilerTest {

    private static final Duration GRACE = Duration.ofSeconds(60);
    private FakeCertificateStore store;
    private final Map<String, JsonNode> routes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
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
                now::get);
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
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within 5 s; writes " + store.writes + ", events " + events);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private JsonNode stored(String name) {
        return store.server.get("web/" + name);
    }

    @Test
    void adoptsACertificateWhoseRouteIsCachedBeforeItsEventIsHandled() throws Exception {
        reconciler.start();
        Thread.sleep(100); // the first full pass finds nothing
        // admission created the Certificate; the route is stored and cached, but only the Certificate's event arrives
        // first
        route("shop", "shop-tls", "shop.example.com", "2026-01-01T00:00:00Z");
        JsonNode certificate = admitted("shop", "shop-tls", "shop.example.com", now.get());
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
    void orphanIsDeletedOnlyOnceTheGracePeriodHasPassed() throws Exception {
        reconciler.start();
        JsonNode certificate = admitted("ghost", "ghost-tls", "ghost.example.com", now.get());
        reconciler.onChange(CachedKind.CERTIFICATE, certificate);
        Thread.sleep(300);
        assertEquals(List.of(), store.writes, "within the grace period the route may still come");
        now.set(now.get().plus(GRACE).plusSeconds(1));
        reconciler.onChange(CachedKind.CERTIFICATE, certificate);
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
        reconciler.onChange(CachedKind.CERTIFICATE, stored("shop-tls"));
        Thread.sleep(200);
        assertEquals(List.of(), store.writes);
        assertEquals(1, events.size(), events.toString());
    }
}
