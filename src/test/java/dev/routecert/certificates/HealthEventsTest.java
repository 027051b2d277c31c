package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.time.TestClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events on certificate health changes, once per change, with the test clock driving expiry. */
class HealthEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, JsonNode> objects = new LinkedHashMap<>();
    private final List<String> recorded = new ArrayList<>();
    private final ClusterView view = new ClusterView() {
        @Override
        public Optional<JsonNode> get(CachedKind kind, String namespace, String name) {
            return Optional.ofNullable(objects.get(kind + "/" + namespace + "/" + name));
        }

        @Override
        public List<JsonNode> list(CachedKind kind) {
            return objects.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(kind + "/"))
                    .map(Map.Entry::getValue)
                    .toList();
        }

        @Override
        public boolean allSynced() {
            return true;
        }
    };

    private TestClock clock;
    private PrometheusRegistry registry;
    private HealthEvents health;

    @BeforeEach
    void setUp() throws Exception {
        clock = new TestClock(Instant.parse("2026-12-05T08:00:00Z"));
        registry = new PrometheusRegistry();
        health = new HealthEvents(
                view,
                (route, uid, type, reason, action, message) ->
                        recorded.add(type + " " + reason + " " + route.name() + " " + uid + ": " + message),
                clock,
                Duration.ofDays(14),
                registry,
                Runnable::run);
        objects.put(
                "INGRESS/web/shop",
                JSON.readTree("{\"metadata\":{\"namespace\":\"web\",\"name\":\"shop\",\"uid\":\"u1\"}}"));
    }

    private JsonNode certificate(String status) throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree("""
                {"metadata":{"namespace":"web","name":"shop-tls",
                  "labels":{"app.kubernetes.io/managed-by":"routecert"},
                  "annotations":{"routecert.dev/route":"networking.k8s.io/Ingress/shop"}},
                 "spec":{"secretName":"shop-tls","dnsNames":["shop.example.com"]}}""");
        c.set("status", JSON.readTree(status));
        objects.put("CERTIFICATE/web/shop-tls", c);
        return c;
    }

    private static String ready(String notAfter) {
        return """
                {"conditions":[{"type":"Ready","status":"True","reason":"Ready","message":"up to date"}],
                 "notAfter":"%s"}""".formatted(notAfter);
    }

    private Map<String, Double> gauge() {
        Map<String, Double> values = new TreeMap<>();
        registry.scrape().stream()
                .filter(s -> s.getMetadata().getName().equals("routecert_route_certificates"))
                .forEach(s -> ((GaugeSnapshot) s)
                        .getDataPoints()
                        .forEach(d -> values.put(d.getLabels().get("health"), d.getValue())));
        return values;
    }

    @Test
    void eachChangeIsOneEventAndAResyncOfTheSameStateIsNone() throws Exception {
        certificate("{}");
        health.start();
        assertEquals(List.of(), recorded, "the first sighting is no change");
        assertEquals(1.0, gauge().get("pending"));

        health.onChange(CachedKind.CERTIFICATE, certificate("""
                {"conditions":[{"type":"Ready","status":"False","reason":"Failed","message":"order invalid"}]}"""));
        health.onChange(CachedKind.CERTIFICATE, objects.get("CERTIFICATE/web/shop-tls"));
        assertEquals(
                List.of("Warning NotReady shop u1: Certificate web/shop-tls is not Ready: Failed: order invalid"),
                recorded);

        health.onChange(CachedKind.CERTIFICATE, certificate(ready("2027-03-01T00:00:00Z")));
        assertEquals(2, recorded.size());
        assertTrue(
                recorded.get(1).startsWith("Normal Ready shop u1: Certificate web/shop-tls is Ready"), recorded.get(1));
        assertEquals(1.0, gauge().get("healthy"));
        assertEquals(0.0, gauge().get("not-ready"));

        health.onChange(CachedKind.CERTIFICATE, certificate("""
                {"conditions":[{"type":"Ready","status":"True","reason":"Ready","message":"ok"},
                  {"type":"Issuing","status":"False","reason":"Failed","message":"rate limited"}],
                 "failedIssuanceAttempts":1,"lastFailureTime":"2026-12-05T07:59:00Z","notAfter":"2027-03-01T00:00:00Z"}"""));
        assertEquals(3, recorded.size());
        assertTrue(recorded.get(2).startsWith("Warning Failed shop u1: cert-manager failed to issue"), recorded.get(2));
        assertEquals(1.0, gauge().get("renewal-failing"));
    }

    @Test
    void eachChangeOfAQuickSeriesIsSeenThoughTheCacheIsAlreadyPastIt() throws Exception {
        certificate(ready("2027-03-01T00:00:00Z"));
        health.start();
        JsonNode notReady = certificate("""
                {"conditions":[{"type":"Ready","status":"False","reason":"Failed","message":"x"}]}""");
        JsonNode readyAgain = certificate(ready("2027-03-01T00:00:00Z")); // the cache holds this one
        health.onChange(CachedKind.CERTIFICATE, notReady);
        health.onChange(CachedKind.CERTIFICATE, readyAgain);
        assertEquals(
                List.of("Warning NotReady", "Normal Ready"),
                recorded.stream().map(e -> e.substring(0, e.indexOf(" shop"))).toList());
    }

    @Test
    void expiryIsNoticedAsTheClockPasses() throws Exception {
        certificate(ready("2026-12-20T08:00:00Z"));
        health.start();
        assertEquals(List.of(), recorded);
        clock.advance(Duration.ofHours(23));
        assertEquals(List.of(), recorded, "15 days left and a day later 14 days and 1 hour: outside the window");
        clock.advance(Duration.ofHours(2));
        assertEquals(1, recorded.size(), recorded.toString());
        assertTrue(
                recorded.get(0).startsWith("Warning Expiring shop u1: the certificate of Certificate web/shop-tls"),
                recorded.get(0));
        clock.advance(Duration.ofHours(1));
        assertEquals(1, recorded.size(), "still expiring: no second Event");
        clock.advance(Duration.ofDays(14));
        assertEquals(1, recorded.size(), "expired is the same state; cert-manager's Ready goes False with Expired");
    }

    @Test
    void aCertificateOfNoRouteAndALeaderThatStopsReportNothing() throws Exception {
        ObjectNode other = (ObjectNode) certificate("{}");
        // no route annotation and no controller: the Certificate of no route
        ((ObjectNode) other.path("metadata")).remove(List.of("labels", "annotations"));
        health.start();
        health.onChange(CachedKind.CERTIFICATE, certificate("""
                {"conditions":[{"type":"Ready","status":"False","reason":"Failed","message":"x"}]}"""));
        assertEquals(List.of(), recorded, "the second is the first sighting of a routecert Certificate");
        health.stop();
        assertEquals(Map.of(), gauge());
        health.onChange(CachedKind.CERTIFICATE, certificate(ready("2027-03-01T00:00:00Z")));
        assertEquals(List.of(), recorded, "not leading");
    }

    @Test
    void anIngressShimCertificateBelongsToItsControllerIngress() throws Exception {
        JsonNode shim = JSON.readTree("""
                {"metadata":{"namespace":"web","name":"x-tls","ownerReferences":[
                  {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","name":"shop","uid":"u1","controller":true}]},
                 "spec":{"secretName":"x-tls"}}""");
        assertEquals(
                Optional.of(new RouteRef("networking.k8s.io", "Ingress", "web", "shop")), HealthEvents.routeOf(shim));
    }
}
