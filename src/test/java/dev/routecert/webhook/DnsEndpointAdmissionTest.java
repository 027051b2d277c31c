package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.admission.TestRequests;
import dev.routecert.certificates.StoreException;
import dev.routecert.config.CertificateOptions;
import dev.routecert.config.DnsOptions;
import dev.routecert.dns.DnsMetrics;
import dev.routecert.dns.DnsTargetSource;
import dev.routecert.dns.FakeDnsEndpointStore;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.time.TestClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DNSEndpoints written during admission, against a store in memory. */
class DnsEndpointAdmissionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeDnsEndpointStore store;
    private AtomicInteger innerCalls;
    private DnsMetrics metrics;

    @BeforeEach
    void setUp() {
        store = new FakeDnsEndpointStore();
        innerCalls = new AtomicInteger();
        metrics = new DnsMetrics(new PrometheusRegistry());
    }

    private DnsEndpointAdmission admission(CertificateOptions.WriteFailure failure, List<String> targets) {
        return admission(failure, targets, List.of("switchboard"));
    }

    private DnsEndpointAdmission admission(
            CertificateOptions.WriteFailure failure, List<String> targets, List<String> adoptFrom) {
        AdmissionPolicy inner = request -> {
            innerCalls.incrementAndGet();
            return AdmissionDecision.allow(List.of("inner warning"));
        };
        return new DnsEndpointAdmission(
                inner,
                new RoutePolicy(PolicyConfig.defaults()),
                RuleSyntax.V3,
                store,
                DnsTargetSource.fixed(targets),
                new DnsOptions(true, DnsOptions.DEFAULT_KINDS, null, targets, DnsOptions.DEFAULT_TTL),
                adoptFrom,
                CertificateOptions.defaults().withWriteFailure(failure),
                new TestClock(Instant.parse("2026-01-01T00:00:00Z")),
                metrics);
    }

    private DnsEndpointAdmission admission() {
        return admission(CertificateOptions.WriteFailure.DENY, List.of("192.0.2.1"));
    }

    private static AdmissionRequest route(String operation, boolean dryRun, String annotations) throws Exception {
        JsonNode object = JSON.readTree("""
                {"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute",
                 "metadata":{"name":"web","namespace":"shop","uid":"u-web","annotations":{%s}},
                 "spec":{"entryPoints":["websecure"],
                         "routes":[{"match":"Host(`web.example.com`)","kind":"Rule"}]}}""".formatted(annotations));
        return TestRequests.of("r-1", object, operation, dryRun);
    }

    @Test
    void createsTheDnsEndpointAfterTheInnerAdmissionAndKeepsItsWarnings() throws Exception {
        AdmissionDecision decision = admission().review(route("CREATE", false, ""));
        assertTrue(decision.allowed(), String.valueOf(decision.status()));
        assertEquals(List.of("inner warning"), decision.warnings());
        assertEquals(List.of("create shop/web-ir"), store.writes);
        JsonNode stored = store.server.get("shop/web-ir");
        assertEquals(
                "routecert",
                stored.path("metadata")
                        .path("labels")
                        .path("app.kubernetes.io/managed-by")
                        .asText());
        assertEquals(
                "traefik.io/IngressRoute/web",
                stored.path("metadata")
                        .path("annotations")
                        .path("routecert.dev/route")
                        .asText());
        assertTrue(stored.path("metadata").path("ownerReferences").isMissingNode(), "no uid yet on a CREATE");
        assertEquals(1.0, metrics.count("create", "success"));
    }

    @Test
    void anUpdateSetsTheOwnerAndTheSameReviewTwiceWritesOnce() throws Exception {
        admission().review(route("CREATE", false, ""));
        admission().review(route("UPDATE", false, ""));
        admission().review(route("UPDATE", false, ""));
        assertEquals(List.of("create shop/web-ir", "apply shop/web-ir"), store.writes);
        assertEquals(
                "u-web",
                store.server
                        .get("shop/web-ir")
                        .path("metadata")
                        .path("ownerReferences")
                        .get(0)
                        .path("uid")
                        .asText());
    }

    @Test
    void aDryRunShowsTheRecordAndWritesNothing() throws Exception {
        AdmissionDecision decision = admission().review(route("CREATE", true, ""));
        assertTrue(decision.allowed());
        assertEquals(List.of(), store.writes);
        assertTrue(
                decision.warnings()
                        .contains("[dry-run] dry run: routecert would create DNSEndpoint shop/web-ir (web.example.com A"
                                + " 192.0.2.1 ttl 300s)"),
                decision.warnings().toString());
    }

    @Test
    void aBadAnnotationDeniesBeforeAnythingIsWritten() throws Exception {
        AdmissionDecision decision =
                admission().review(route("CREATE", false, "\"external-dns.alpha.kubernetes.io/ttl\":\"soon\""));
        assertFalse(decision.allowed());
        assertEquals(0, innerCalls.get(), "the Certificate admission did not run");
        assertEquals(List.of(), store.writes);
        assertEquals(
                "metadata.annotations[external-dns.alpha.kubernetes.io/ttl]",
                decision.status().causes().get(0).field());
    }

    @Test
    void aFailedWriteDeniesOrWarnsAsConfigured() throws Exception {
        store.failNextWrite = new StoreException(StoreException.Kind.UNAVAILABLE, "the API server is away", null);
        AdmissionDecision denied = admission().review(route("CREATE", false, ""));
        assertFalse(denied.allowed());
        assertTrue(
                denied.status().message().contains("the API server is away"),
                denied.status().message());
        assertEquals(1.0, metrics.count("create", "unavailable"));

        store.failNextWrite = new StoreException(StoreException.Kind.TIMEOUT, "deadline passed", null);
        AdmissionDecision warned = admission(CertificateOptions.WriteFailure.WARN, List.of("192.0.2.1"))
                .review(route("CREATE", false, ""));
        assertTrue(warned.allowed());
        assertTrue(
                warned.warnings().stream().anyMatch(w -> w.startsWith("[dns-endpoint-write]")),
                warned.warnings().toString());
    }

    @Test
    void aForeignDnsEndpointIsReportedAndLeftAlone() throws Exception {
        ObjectNode foreign = (ObjectNode) JSON.readTree("""
                {"apiVersion":"externaldns.k8s.io/v1alpha1","kind":"DNSEndpoint",
                 "metadata":{"name":"web-ir","namespace":"shop"},
                 "spec":{"endpoints":[{"dnsName":"web.example.com","recordType":"A","targets":["10.0.0.1"]}]}}""");
        store.put(foreign);
        JsonNode before = store.server.get("shop/web-ir").deepCopy();
        AdmissionDecision decision = admission().review(route("UPDATE", false, ""));
        assertTrue(decision.allowed());
        assertEquals(List.of(), store.writes);
        assertEquals(before, store.server.get("shop/web-ir"));
        assertTrue(
                decision.warnings().stream().anyMatch(w -> w.startsWith("[dns-endpoint-foreign]")),
                decision.warnings().toString());
    }

    @Test
    void switchboardsDnsEndpointIsTakenOverUnderItsOwnName() throws Exception {
        ObjectNode made = (ObjectNode) JSON.readTree("""
                {"apiVersion":"externaldns.k8s.io/v1alpha1","kind":"DNSEndpoint",
                 "metadata":{"name":"web","namespace":"shop","labels":{"kubernetes.io/managed-by":"switchboard"},
                   "ownerReferences":[{"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute","name":"web",
                                       "uid":"u-web","controller":true}]},
                 "spec":{"endpoints":[{"dnsName":"web.example.com","recordType":"A","targets":["192.0.2.1"],
                                       "recordTTL":300}]}}""");
        store.put(made);
        AdmissionDecision decision = admission().review(route("UPDATE", false, ""));
        assertTrue(decision.allowed());
        assertEquals(List.of("apply shop/web"), store.writes);
        assertFalse(store.server.containsKey("shop/web-ir"), "no second DNSEndpoint");
        assertEquals(1.0, metrics.count("adopt", "success"));
        // the next review finds it routecert's own: nothing to write
        admission().review(route("UPDATE", false, ""));
        assertEquals(List.of("apply shop/web"), store.writes);
        // nor once --adopt-from no longer names switchboard: it is routecert's, under the route's name
        admission(CertificateOptions.WriteFailure.DENY, List.of("192.0.2.1"), List.of())
                .review(route("UPDATE", false, ""));
        assertEquals(List.of("apply shop/web"), store.writes);
        assertFalse(store.server.containsKey("shop/web-ir"), "no second DNSEndpoint");
    }

    @Test
    void aSwitchboardDnsEndpointOfAnotherRouteIsNotTakenOver() throws Exception {
        ObjectNode other = (ObjectNode) JSON.readTree("""
                {"apiVersion":"externaldns.k8s.io/v1alpha1","kind":"DNSEndpoint",
                 "metadata":{"name":"web","namespace":"shop","labels":{"kubernetes.io/managed-by":"switchboard"},
                   "ownerReferences":[{"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute","name":"web",
                                       "uid":"u-an-older-web","controller":true}]},
                 "spec":{"endpoints":[]}}""");
        store.put(other);
        admission().review(route("UPDATE", false, ""));
        assertEquals(List.of("create shop/web-ir"), store.writes);
    }
}
