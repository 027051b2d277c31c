package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.admission.TestRequests;
import dev.routecert.certificates.FakeCertificateStore;
import dev.routecert.certificates.IssuerInfo;
import dev.routecert.certificates.SecretState;
import dev.routecert.config.CertificateOptions;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.time.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Health warnings in /mutate: from the cached Certificate and the Secret's metadata, never about what the request writes. */
class HealthWarningsTest {

    private static final String NOT_READY = """
            {"conditions":[{"type":"Ready","status":"False","reason":"Failed",
              "message":"The certificate request has failed to complete and will be retried"}]}""";

    private FakeCertificateStore store;
    private TestClock clock;

    @BeforeEach
    void setUp() {
        store = new FakeCertificateStore();
        store.issuer(new IssuerInfo("ClusterIssuer", "", "letsencrypt", IssuerInfo.Type.ACME, List.of()));
        clock = new TestClock(Instant.parse("2026-12-05T08:00:00Z"));
    }

    private CertificateAdmission admission(PolicyConfig config) {
        return new CertificateAdmission(new RoutePolicy(config), store, CertificateOptions.defaults(), clock)
                .withHealth(new HealthWarnings(store, clock, Duration.ofDays(14), RuleSyntax.V3));
    }

    private static AdmissionRequest ingress(String operation, boolean dryRun, String... hosts) throws Exception {
        String list = "\"" + String.join("\",\"", hosts) + "\"";
        StringBuilder rules = new StringBuilder();
        for (String h : hosts) {
            rules.append(rules.isEmpty() ? "" : ",")
                    .append("{\"host\":\"")
                    .append(h)
                    .append("\"}");
        }
        JsonNode object = FakeCertificateStore.JSON.readTree(
                "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\",\"metadata\":{\"name\":\"shop\","
                        + "\"namespace\":\"web\",\"uid\":\"u-shop\"},\"spec\":{\"rules\":[" + rules
                        + "],\"tls\":[{\"secretName\":\"shop-tls\",\"hosts\":[" + list + "]}]}}");
        return TestRequests.of("r-1", object, operation, dryRun);
    }

    private void setStatus(String status) throws Exception {
        ObjectNode stored = (ObjectNode) store.server.get("web/shop-tls");
        stored.set("status", FakeCertificateStore.JSON.readTree(status));
        store.syncCache();
    }

    private static List<String> health(AdmissionDecision decision) {
        return decision.warnings().stream()
                .filter(w -> w.startsWith("[certificate-") || w.startsWith("[secret-"))
                .toList();
    }

    @Test
    void theCertificateWrittenInThisRequestIsNeverCalledNotReady() throws Exception {
        CertificateAdmission admission =
                admission(PolicyConfig.defaults().withDefaultIssuer("letsencrypt", "ClusterIssuer"));
        AdmissionDecision created = admission.review(ingress("CREATE", false, "shop.example.com"));
        assertTrue(created.allowed());
        assertEquals(List.of(), health(created));

        setStatus(NOT_READY);
        AdmissionDecision again = admission.review(ingress("CREATE", false, "shop.example.com"));
        assertEquals(1, health(again).size(), again.warnings().toString());
        assertTrue(health(again)
                .get(0)
                .startsWith("[certificate-not-ready] spec.tls[0].secretName: Certificate"
                        + " web/shop-tls is not Ready: Failed: The certificate request"));

        // a new host: routecert updates the Certificate in this request, so its old state is no news
        AdmissionDecision changed =
                admission.review(ingress("UPDATE", false, "shop.example.com", "www.shop.example.com"));
        assertEquals(List.of(), health(changed), changed.warnings().toString());
        AdmissionDecision dryRun =
                admission.review(ingress("UPDATE", true, "shop.example.com", "new.shop.example.com"));
        assertEquals(List.of(), health(dryRun), dryRun.warnings().toString());
    }

    @Test
    void aSecretNothingCreatesAndOneIssuedForOtherNames() throws Exception {
        CertificateAdmission admission = admission(PolicyConfig.defaults());
        AdmissionDecision missing = admission.review(ingress("CREATE", false, "shop.example.com"));
        assertTrue(missing.allowed());
        assertEquals(1, health(missing).size(), missing.warnings().toString());
        assertTrue(health(missing)
                .get(0)
                .startsWith("[secret-missing] spec.tls[0].secretName: Secret web/shop-tls"
                        + " does not exist and nothing will create it"));

        store.secrets.put(
                "web/shop-tls", new SecretState(true, null, Map.of("cert-manager.io/alt-names", "old.example.com")));
        AdmissionDecision stale = admission.review(ingress("CREATE", true, "shop.example.com"));
        assertTrue(stale.allowed());
        assertEquals(1, health(stale).size(), stale.warnings().toString());
        assertTrue(
                health(stale).get(0).startsWith("[secret-not-covering]"),
                health(stale).toString());
    }

    @Test
    void aCertificateAppliedJustBeforeItsRouteIsNotYetCachedAndStillCounts() throws Exception {
        // one kubectl apply of a hand-written Certificate and its Ingress: the cache has not seen it yet
        store.cacheFollowsServer = false;
        store.put(FakeCertificateStore.JSON.readTree("""
                {"apiVersion":"cert-manager.io/v1","kind":"Certificate",
                 "metadata":{"name":"shop","namespace":"web"},
                 "spec":{"secretName":"shop-tls","dnsNames":["shop.example.com"],
                   "issuerRef":{"name":"letsencrypt","kind":"ClusterIssuer"}}}"""));
        AdmissionDecision decision =
                admission(PolicyConfig.defaults()).review(ingress("CREATE", false, "shop.example.com"));
        assertTrue(decision.allowed());
        assertEquals(1, health(decision).size(), decision.warnings().toString());
        assertTrue(
                health(decision)
                        .get(0)
                        .startsWith("[certificate-not-ready] spec.tls[0].secretName: Certificate web/shop"
                                + " is not Ready yet"),
                "the Certificate on the server will create the Secret, it is not missing: " + health(decision));
        assertTrue(store.writes.contains("list web"), store.writes.toString());

        // and when the API server cannot be asked, nothing false is said either
        store.server.clear();
        store.failLists = true;
        AdmissionDecision unknown =
                admission(PolicyConfig.defaults()).review(ingress("CREATE", false, "shop.example.com"));
        assertEquals(List.of(), health(unknown), unknown.warnings().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"traefik.io", "traefik.containo.us"})
    void anIngressRouteOfEitherGroupHearsOfItsSecret(String group) throws Exception {
        JsonNode object = FakeCertificateStore.JSON.readTree("{\"apiVersion\":\"" + group + "/v1alpha1\","
                + "\"kind\":\"IngressRoute\",\"metadata\":{\"name\":\"r\",\"namespace\":\"web\"},"
                + "\"spec\":{\"routes\":[{\"match\":\"Host(`r.example.com`)\",\"kind\":\"Rule\","
                + "\"services\":[{\"name\":\"s\",\"port\":80}]}],\"tls\":{\"secretName\":\"r-tls\"}}}");
        AdmissionRequest request = new AdmissionRequest(
                "r-2",
                group,
                "v1alpha1",
                "IngressRoute",
                "ingressroutes",
                "",
                "r",
                "web",
                "CREATE",
                "alice",
                false,
                object,
                null);
        store.secrets.put(
                "web/r-tls", new SecretState(true, null, Map.of("cert-manager.io/alt-names", "other.example.com")));
        AdmissionDecision decision = admission(PolicyConfig.defaults()).review(request);
        assertTrue(decision.allowed(), decision.toString());
        assertEquals(1, health(decision).size(), decision.warnings().toString());
        assertTrue(
                health(decision)
                        .get(0)
                        .startsWith("[secret-not-covering] spec.tls.secretName: the certificate in"
                                + " Secret web/r-tls is for other.example.com"),
                health(decision).get(0));
    }
}
