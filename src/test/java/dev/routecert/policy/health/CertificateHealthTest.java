package dev.routecert.policy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.policy.Check;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.routes.RouteKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each health rule on the facts cert-manager leaves: Certificate status and Secret annotations. */
class CertificateHealthTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");
    private static final Duration WINDOW = Duration.ofDays(14);
    private static final TlsSecretUse SHOP =
            new TlsSecretUse("shop-tls", "spec.tls[0].secretName", List.of("shop.example.com"));

    private static CertificateStatus certificate(String status) throws Exception {
        return CertificateStatus.from(JSON.readTree("""
                {"metadata":{"namespace":"web","name":"shop-tls"},
                 "spec":{"secretName":"shop-tls","dnsNames":["shop.example.com"]},
                 "status":%s}""".formatted(status)));
    }

    private static final String READY = """
            {"conditions":[{"type":"Ready","status":"True","reason":"Ready",
              "message":"Certificate is up to date and has not expired"}],
             "notAfter":"2027-02-01T00:00:00Z"}""";

    private static List<HealthFinding> assess(CertificateStatus c, SecretMetadata secret) {
        return CertificateHealth.assess(
                "web",
                List.of(SHOP),
                c == null ? Map.of() : Map.of("shop-tls", c),
                Map.of("shop-tls", secret),
                Set.of(),
                false,
                NOW,
                WINDOW);
    }

    private static SecretMetadata issuedFor(String altNames) {
        return SecretMetadata.present(Map.of(SecretMetadata.ALT_NAMES, altNames));
    }

    @Test
    void aReadyCoveringCertificateFarFromExpiryIsHealthy() throws Exception {
        List<HealthFinding> findings = assess(certificate(READY), issuedFor("shop.example.com"));
        assertEquals(List.of(), findings);
        assertEquals(HealthState.HEALTHY, CertificateHealth.state(findings));
    }

    @Test
    void notReadyCarriesCertManagersReasonAndMessage() throws Exception {
        List<HealthFinding> findings = assess(certificate("""
                        {"conditions":[{"type":"Ready","status":"False","reason":"DoesNotExist",
                          "message":"Issuing certificate as Secret does not exist"}]}"""), SecretMetadata.ABSENT);
        assertEquals(1, findings.size(), findings.toString());
        assertEquals(HealthState.NOT_READY, findings.get(0).state());
        assertEquals(Check.CERTIFICATE_NOT_READY, findings.get(0).violation().check());
        assertEquals(
                "[certificate-not-ready] spec.tls[0].secretName: Certificate web/shop-tls is not Ready: DoesNotExist:"
                        + " Issuing certificate as Secret does not exist (kubectl describe certificate -n web shop-tls"
                        + " shows cert-manager's Events)",
                findings.get(0).text());
    }

    @Test
    void noReadyConditionYetIsPending() throws Exception {
        List<HealthFinding> findings = assess(certificate("{}"), SecretMetadata.ABSENT);
        assertEquals(
                List.of(HealthState.PENDING),
                findings.stream().map(HealthFinding::state).toList());
        assertTrue(
                findings.get(0).text().contains("is not Ready yet"),
                findings.get(0).text());
    }

    @Test
    void failedIssuanceIsRenewalFailingWithAttemptsAndTheIssuingMessage() throws Exception {
        List<HealthFinding> findings = assess(certificate("""
                        {"conditions":[{"type":"Ready","status":"True","reason":"Ready","message":"ok"},
                          {"type":"Issuing","status":"False","reason":"Failed",
                           "message":"The certificate request has failed to complete and will be retried: 403"}],
                         "failedIssuanceAttempts":3,"lastFailureTime":"2026-12-05T07:00:00Z",
                         "notAfter":"2027-02-01T00:00:00Z"}"""), issuedFor("shop.example.com"));
        assertEquals(1, findings.size(), findings.toString());
        assertEquals(HealthState.RENEWAL_FAILING, findings.get(0).state());
        assertEquals(
                "[certificate-renewal-failing] spec.tls[0].secretName: cert-manager failed to issue Certificate"
                        + " web/shop-tls (3 failed attempts, the last at 2026-12-05T07:00:00Z): Failed: The certificate"
                        + " request has failed to complete and will be retried: 403 (fix what the message names;"
                        + " cert-manager retries with a growing back-off (kubectl describe certificate -n web"
                        + " shop-tls))",
                findings.get(0).text());
    }

    @Test
    void expiryWithinTheWindowWarnsAndOutsideItDoesNot() throws Exception {
        String soon = READY.replace("2027-02-01T00:00:00Z", "2026-12-15T08:00:00Z");
        List<HealthFinding> findings = assess(certificate(soon), issuedFor("shop.example.com"));
        assertEquals(
                List.of(HealthState.EXPIRING),
                findings.stream().map(HealthFinding::state).toList());
        assertTrue(findings.get(0).text().contains("expires at 2026-12-15T08:00:00Z, in 10d 0h"), findings.toString());

        String edge = READY.replace("2027-02-01T00:00:00Z", "2026-12-19T08:00:01Z");
        assertEquals(List.of(), assess(certificate(edge), issuedFor("shop.example.com")));

        String past = READY.replace("2027-02-01T00:00:00Z", "2026-12-01T00:00:00Z");
        assertTrue(assess(certificate(past), issuedFor("shop.example.com"))
                .get(0)
                .text()
                .contains("expired at 2026-12-01T00:00:00Z"));
    }

    @Test
    void aSecretIssuedForOtherNamesDoesNotCover() throws Exception {
        List<HealthFinding> findings = assess(certificate(READY), issuedFor("old.example.com,*.other.example.com"));
        assertEquals(
                List.of(HealthState.NOT_COVERING),
                findings.stream().map(HealthFinding::state).toList());
        assertEquals(Check.SECRET_NOT_COVERING, findings.get(0).violation().check());
        assertTrue(
                findings.get(0)
                        .text()
                        .contains("is for old.example.com, *.other.example.com (its cert-manager.io/alt-names and"
                                + " ip-sans), which does not cover shop.example.com"),
                findings.get(0).text());
    }

    @Test
    void wildcardsAndIpSansCoverAsTlsClientsCheck() {
        TlsSecretUse use = new TlsSecretUse("s", "spec.tls.secretName", List.of("a.example.com", "10.0.0.1"));
        SecretMetadata secret = SecretMetadata.present(Map.of(
                SecretMetadata.ALT_NAMES, "*.example.com",
                SecretMetadata.IP_SANS, "10.0.0.1",
                SecretMetadata.COMMON_NAME, "ignored.example.com"));
        assertEquals(
                List.of(),
                CertificateHealth.assess(
                        "web", List.of(use), Map.of(), Map.of("s", secret), Set.of(), false, NOW, WINDOW));
        SecretMetadata cnOnly = SecretMetadata.present(
                Map.of(SecretMetadata.ALT_NAMES, "", SecretMetadata.COMMON_NAME, "a.example.com"));
        assertEquals(
                List.of(HealthState.NOT_COVERING),
                CertificateHealth.assess(
                                "web", List.of(use), Map.of(), Map.of("s", cnOnly), Set.of(), false, NOW, WINDOW)
                        .stream()
                        .map(HealthFinding::state)
                        .toList());
    }

    @Test
    void aSecretWithoutCertManagersAnnotationsIsNotJudged() {
        assertEquals(List.of(), assess(null, SecretMetadata.present(Map.of("other", "x"))));
    }

    @Test
    void aMissingSecretThatNothingCreatesSaysWhatWouldCreateIt() {
        List<HealthFinding> findings = assess(null, SecretMetadata.ABSENT);
        assertEquals(
                List.of(HealthState.NO_SOURCE),
                findings.stream().map(HealthFinding::state).toList());
        assertEquals(Check.SECRET_MISSING, findings.get(0).violation().check());
        assertTrue(findings.get(0).text().contains("create a Certificate with secretName shop-tls"));
    }

    @Test
    void aMissingSecretIsFineWhenAnIssuerAnnotationAsksForItOrItIsUnknown() {
        assertEquals(
                List.of(),
                CertificateHealth.assess(
                        "web",
                        List.of(SHOP),
                        Map.of(),
                        Map.of("shop-tls", SecretMetadata.ABSENT),
                        Set.of(),
                        true,
                        NOW,
                        WINDOW));
        assertEquals(List.of(), assess(null, SecretMetadata.UNKNOWN));
    }

    @Test
    void aCertificateRequestedInTheSameRequestIsNotReportedOn() throws Exception {
        CertificateStatus stale = certificate("""
                {"conditions":[{"type":"Ready","status":"False","reason":"Expired","message":"expired"}],
                 "notAfter":"2026-12-01T00:00:00Z"}""");
        assertEquals(
                List.of(),
                CertificateHealth.assess(
                        "web",
                        List.of(SHOP),
                        Map.of("shop-tls", stale),
                        Map.of("shop-tls", issuedFor("old.example.com")),
                        Set.of("shop-tls"),
                        false,
                        NOW,
                        WINDOW));
    }

    @Test
    void quotedTextIsEscapedAndBounded() {
        assertEquals("a\\u000ab\\u202ec", CertificateHealth.quote("a\nb\u202ec"));
        String quoted = CertificateHealth.quote("x".repeat(5000));
        assertEquals(CertificateHealth.MAX_QUOTED_CHARS + 3, quoted.length());
        assertTrue(quoted.endsWith("..."));
        assertEquals("(none)", CertificateHealth.quote(""));
    }

    @Test
    void theWorstStateWins() {
        assertEquals(HealthState.NO_SOURCE, HealthState.EXPIRING.worse(HealthState.NO_SOURCE));
        assertEquals(HealthState.EXPIRING, HealthState.EXPIRING.worse(HealthState.HEALTHY));
        assertEquals("renewal-failing", HealthState.RENEWAL_FAILING.label());
    }

    @Test
    void secretUsesOfBothKinds() throws Exception {
        JsonNode ingress = JSON.readTree("""
                {"metadata":{"name":"a","namespace":"web"},
                 "spec":{"rules":[{"host":"a.example.com"}],
                  "tls":[{"hosts":["a.example.com"],"secretName":"a-tls"},{"hosts":["b.example.com"]}]}}""");
        assertEquals(
                List.of(new TlsSecretUse("a-tls", "spec.tls[0].secretName", List.of("a.example.com"))),
                TlsSecretUse.of(RouteKind.INGRESS, ingress, RuleSyntax.V3));
        JsonNode route = JSON.readTree("""
                {"metadata":{"name":"r","namespace":"web"},
                 "spec":{"routes":[{"match":"Host(`r.example.com`) || Host(`s.example.com`)","kind":"Rule"}],
                  "tls":{"secretName":"r-tls"}}}""");
        assertEquals(
                List.of(new TlsSecretUse("r-tls", "spec.tls.secretName", List.of("r.example.com", "s.example.com"))),
                TlsSecretUse.of(RouteKind.INGRESS_ROUTE, route, RuleSyntax.V3));
        assertFalse(CertificateHealth.issuerAnnotated(route));
    }
}
