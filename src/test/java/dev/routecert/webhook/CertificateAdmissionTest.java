package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.admission.TestRequests;
import dev.routecert.certificates.FakeCertificateStore;
import dev.routecert.certificates.IssuerInfo;
import dev.routecert.certificates.Ownership;
import dev.routecert.certificates.Predecessors;
import dev.routecert.certificates.SecretState;
import dev.routecert.certificates.StoreException;
import dev.routecert.config.CertificateOptions;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.time.TestClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** /mutate with Certificates: writes, dry run, retries on a stale cache, failures and roll-back, on a fake store. */
class CertificateAdmissionTest {

    private FakeCertificateStore store;
    private CertificateAdmission admission;

    @BeforeEach
    void setUp() {
        store = new FakeCertificateStore();
        store.issuer(new IssuerInfo("ClusterIssuer", "", "letsencrypt", IssuerInfo.Type.ACME, List.of()));
        admission = admission(CertificateOptions.defaults());
    }

    private CertificateAdmission admission(CertificateOptions options) {
        return new CertificateAdmission(
                new RoutePolicy(PolicyConfig.defaults().withDefaultIssuer("letsencrypt", "ClusterIssuer")),
                store,
                options);
    }

    private static AdmissionRequest ingress(String operation, boolean dryRun, String... tls) throws Exception {
        StringBuilder rules = new StringBuilder();
        StringBuilder entries = new StringBuilder();
        for (int i = 0; i < tls.length; i++) {
            String[] secretAndHost = tls[i].split("=");
            rules.append(i == 0 ? "" : ",")
                    .append("{\"host\":\"")
                    .append(secretAndHost[1])
                    .append("\"}");
            entries.append(i == 0 ? "" : ",")
                    .append("{\"secretName\":\"")
                    .append(secretAndHost[0])
                    .append("\",\"hosts\":[\"")
                    .append(secretAndHost[1])
                    .append("\"]}");
        }
        JsonNode object =
                FakeCertificateStore.JSON.readTree("{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\","
                        + "\"metadata\":{\"name\":\"shop\",\"namespace\":\"web\",\"uid\":\"u-shop\"},\"spec\":{\"rules\":["
                        + rules
                        + "],\"tls\":[" + entries + "]}}");
        return TestRequests.of("r-1", object, operation, dryRun);
    }

    @Test
    void createsTheCertificateAndAnswersAfterwards() throws Exception {
        AdmissionDecision decision = admission.review(ingress("CREATE", false, "shop-tls=shop.example.com"));
        assertTrue(decision.allowed(), String.valueOf(decision.status()));
        assertEquals(List.of("create web/shop-tls"), store.writes);
        JsonNode stored = store.server.get("web/shop-tls");
        assertEquals(
                "networking.k8s.io/Ingress/shop",
                stored.path("metadata")
                        .path("annotations")
                        .path("routecert.dev/route")
                        .asText());
        assertTrue(stored.path("metadata").path("ownerReferences").isMissingNode());
    }

    @Test
    void sameReviewTwiceWritesOnce() throws Exception {
        admission.review(ingress("CREATE", false, "shop-tls=shop.example.com"));
        AdmissionDecision again = admission.review(ingress("CREATE", false, "shop-tls=shop.example.com"));
        assertTrue(again.allowed());
        assertEquals(List.of("create web/shop-tls"), store.writes);
    }

    @Test
    void staleCacheLeadsToAFreshReadNotADuplicateOrAnError() throws Exception {
        store.cacheFollowsServer = false;
        admission.review(ingress("CREATE", false, "shop-tls=shop.example.com"));
        AdmissionDecision again = admission.review(ingress("CREATE", false, "shop-tls=shop.example.com"));
        assertTrue(again.allowed(), String.valueOf(again.status()));
        assertEquals(List.of("create web/shop-tls", "create web/shop-tls", "read web/shop-tls"), store.writes);
        assertEquals(1, store.server.size());
    }

    @Test
    void updateAppliesNewHostsAndAdoptsWithTheRouteUid() throws Exception {
        admission.review(ingress("CREATE", false, "shop-tls=shop.example.com"));
        AdmissionDecision decision = admission.review(ingress("UPDATE", false, "shop-tls=www.example.com"));
        assertTrue(decision.allowed());
        assertEquals(List.of("create web/shop-tls", "apply web/shop-tls"), store.writes);
        JsonNode stored = store.server.get("web/shop-tls");
        assertEquals(
                "[\"www.example.com\"]", stored.path("spec").path("dnsNames").toString());
        assertEquals(
                "u-shop",
                stored.path("metadata")
                        .path("ownerReferences")
                        .get(0)
                        .path("uid")
                        .asText());
    }

    @Test
    void dryRunWritesNothingAndDescribesTheCertificate() throws Exception {
        AdmissionDecision decision = admission.review(ingress("CREATE", true, "shop-tls=shop.example.com"));
        assertTrue(decision.allowed());
        assertEquals(List.of(), store.writes);
        assertEquals(
                List.of(
                        "[dry-run] dry run: routecert would create Certificate web/shop-tls (secret shop-tls) for shop.example.com,"
                                + " issuer ClusterIssuer/letsencrypt"),
                decision.warnings());
    }

    @Test
    void failedWriteDeniesWithTheReasonAndDeletesWhatTheReviewCreated() throws Exception {
        store.failures.put(
                "web/second-tls",
                new StoreException(
                        StoreException.Kind.REJECTED,
                        "could not create Certificate web/second-tls: the API server answered 422: spec.duration invalid",
                        null));
        AdmissionDecision decision =
                admission.review(ingress("CREATE", false, "first-tls=a.example.com", "second-tls=b.example.com"));
        assertFalse(decision.allowed());
        assertEquals(403, decision.status().code());
        assertEquals(
                "routecert could not write the Certificate this object needs, so nothing was changed: could not create"
                        + " Certificate web/second-tls: the API server answered 422: spec.duration invalid",
                decision.status().message());
        assertEquals("spec.tls[1].secretName", decision.status().causes().get(0).field());
        assertEquals(List.of("create web/first-tls", "create web/second-tls", "delete web/first-tls"), store.writes);
        assertEquals(0, store.server.size());
    }

    @Test
    void warnModeAdmitsWithAWarningWhenTheWriteFails() throws Exception {
        store.failures.put(
                "web/shop-tls",
                new StoreException(
                        StoreException.Kind.TIMEOUT,
                        "could not create Certificate web/shop-tls: the API server did not answer within 3000ms",
                        null));
        AdmissionDecision decision = admission(
                        CertificateOptions.defaults().withWriteFailure(CertificateOptions.WriteFailure.WARN))
                .review(ingress("CREATE", false, "shop-tls=shop.example.com"));
        assertTrue(decision.allowed());
        assertEquals(
                List.of(
                        "[certificate-write] routecert admitted this object without its Certificate web/shop-tls (could not create Certificate"
                                + " web/shop-tls: the API server did not answer within 3000ms); routecert's reconciler retries it"),
                decision.warnings());
    }

    @Test
    void existingSecretNotWrittenByCertManagerIsLeftAlone() throws Exception {
        store.secrets.put("web/shop-tls", new SecretState(true, null));
        AdmissionDecision decision = admission.review(ingress("CREATE", false, "shop-tls=shop.example.com"));
        assertTrue(decision.allowed());
        assertEquals(List.of(), store.writes);
        assertTrue(
                decision.warnings()
                        .get(0)
                        .startsWith(
                                "[secret-exists] routecert did not create Certificate web/shop-tls: Secret shop-tls already"
                                        + " exists and was not written by cert-manager"),
                decision.warnings().toString());
        store.secrets.put("web/shop-tls", new SecretState(true, "shop-tls"));
        assertTrue(admission
                .review(ingress("CREATE", false, "shop-tls=shop.example.com"))
                .allowed());
        assertEquals(List.of("create web/shop-tls"), store.writes);
    }

    @Test
    void everyDenialIsListedAtOnce() throws Exception {
        for (String name : List.of("first-tls", "second-tls")) {
            ObjectNode foreign = FakeCertificateStore.JSON.createObjectNode();
            foreign.putObject("metadata").put("name", name).put("namespace", "web");
            foreign.putObject("spec")
                    .put("secretName", name)
                    .putArray("dnsNames")
                    .add("x.example.com");
            store.put(foreign);
        }
        AdmissionDecision decision =
                admission.review(ingress("CREATE", false, "first-tls=a.example.com", "second-tls=b.example.com"));
        assertFalse(decision.allowed());
        assertEquals(
                List.of("spec.tls[0].secretName", "spec.tls[1].secretName"),
                decision.status().causes().stream()
                        .map(AdmissionDecision.Cause::field)
                        .toList());
        assertTrue(
                decision.status().message().contains("Certificate web/first-tls"),
                decision.status().message());
        assertTrue(
                decision.status().message().contains("a.example.com"),
                decision.status().message());
        assertEquals(List.of(), store.writes);
    }

    @Test
    void aCertificateWrittenAheadOfARouteUpdateIsStampedWithTheClocksTime() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
        CertificateAdmission timed = new CertificateAdmission(
                new RoutePolicy(PolicyConfig.defaults().withDefaultIssuer("letsencrypt", "ClusterIssuer")),
                store,
                CertificateOptions.defaults(),
                clock);
        AdmissionRequest update = ingress("UPDATE", false, "shop-tls=shop.example.com");
        ((ObjectNode) update.object().path("metadata")).put("resourceVersion", "7");
        AdmissionDecision decision = timed.review(update);
        assertTrue(decision.allowed(), decision.toString());
        assertEquals(
                "7 2026-03-01T12:00:00Z",
                store.server
                        .get("web/shop-tls")
                        .path("metadata")
                        .path("annotations")
                        .path(Ownership.WRITTEN_AHEAD_ANNOTATION)
                        .asText());
    }

    private static AdmissionRequest ingressRoute(boolean dryRun, String... hosts) throws Exception {
        StringBuilder match = new StringBuilder();
        for (String h : hosts) {
            match.append(match.isEmpty() ? "" : " || ")
                    .append("Host(`")
                    .append(h)
                    .append("`)");
        }
        JsonNode object = FakeCertificateStore.JSON.readTree("""
                {"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute",
                 "metadata":{"name":"shop","namespace":"web","uid":"u-shop","resourceVersion":"7"},
                 "spec":{"routes":[{"match":"%s","services":[{"name":"shop","port":80}]}],
                         "tls":{"secretName":"shop-cert"}}}""".formatted(match));
        return TestRequests.of("r-2", object, "UPDATE", dryRun);
    }

    /** As switchboard leaves it: named after the route, its label, the route as controller, the route's Secret. */
    private void switchboardsCertificate() throws Exception {
        switchboardsCertificate(true);
    }

    private void switchboardsCertificate(boolean owned) throws Exception {
        ObjectNode certificate = (ObjectNode) FakeCertificateStore.JSON.readTree("""
                {"apiVersion":"cert-manager.io/v1","kind":"Certificate",
                 "metadata":{"name":"shop-tls","namespace":"web","labels":{"kubernetes.io/managed-by":"switchboard"},
                  "ownerReferences":[{"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute","name":"shop",
                                      "uid":"u-shop","controller":true,"blockOwnerDeletion":true}]},
                 "spec":{"secretName":"shop-cert","dnsNames":["shop.example.com"],
                         "issuerRef":{"kind":"ClusterIssuer","name":"letsencrypt"}}}""");
        if (!owned) {
            ((ObjectNode) certificate.get("metadata")).remove("ownerReferences");
        }
        store.put(certificate);
    }

    @Test
    void switchboardsCertificateIsUpdatedUnderItsNameNotDuplicatedForTheSecret() throws Exception {
        switchboardsCertificate();
        AdmissionDecision decision = admission.review(ingressRoute(false, "shop.example.com", "www.shop.example.com"));
        assertTrue(decision.allowed(), String.valueOf(decision.status()));
        assertEquals(List.of("apply web/shop-tls"), store.writes, "no Certificate shop-cert for the same Secret");
        JsonNode stored = store.server.get("web/shop-tls");
        assertEquals(
                "[\"shop.example.com\",\"www.shop.example.com\"]",
                stored.at("/spec/dnsNames").toString());
        assertEquals("shop-cert", stored.at("/spec/secretName").asText());
        assertEquals(
                "switchboard",
                stored.at("/metadata/labels/kubernetes.io~1managed-by").asText());
        assertTrue(
                decision.warnings().stream()
                        .anyMatch(w ->
                                w.startsWith("[certificate-adopted] routecert takes over Certificate web/shop-tls")),
                decision.warnings().toString());
    }

    @Test
    void aDryRunNamesSwitchboardsCertificateAndWritesNothing() throws Exception {
        switchboardsCertificate();
        AdmissionDecision decision = admission.review(ingressRoute(true, "shop.example.com", "www.shop.example.com"));
        assertTrue(decision.allowed());
        assertEquals(List.of(), store.writes);
        assertTrue(
                decision.warnings().stream()
                        .anyMatch(
                                w -> w.startsWith(
                                        "[dry-run] dry run: routecert would update Certificate web/shop-tls (secret shop-cert)")),
                decision.warnings().toString());
    }

    @Test
    void withoutAnOwnerReferenceTheLabelDecides() throws Exception {
        switchboardsCertificate(false);
        store.secrets.put("web/shop-cert", new SecretState(true, "shop-tls"));
        AdmissionDecision taken = admission.review(ingressRoute(false, "shop.example.com"));
        assertTrue(taken.allowed());
        assertEquals(List.of("apply web/shop-tls"), store.writes, "switchboard's by its name and label");

        setUp();
        admission = admission.withPredecessors(Predecessors.NONE);
        switchboardsCertificate(false);
        store.secrets.put("web/shop-cert", new SecretState(true, "shop-tls"));
        AdmissionDecision foreign = admission.review(ingressRoute(false, "shop.example.com"));
        assertTrue(foreign.allowed());
        assertTrue(
                store.writes.stream().noneMatch(w -> w.startsWith("apply") || w.startsWith("create")),
                store.writes.toString());
        assertFalse(
                store.server.containsKey("web/shop-cert"),
                "the Secret is cert-manager's for shop-tls: no second Certificate");
        assertTrue(
                foreign.warnings().stream().anyMatch(w -> w.startsWith("[secret-exists]")),
                foreign.warnings().toString());
    }
}
