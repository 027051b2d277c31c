package dev.routecert.policy.health;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.Check;
import dev.routecert.policy.Coverage;
import dev.routecert.policy.Violation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The health of the certificates a route serves, from facts the caller read from the cluster: the
 * Certificate that writes each Secret, the Secret's metadata, and the time. Pure: the clock value
 * and the warning window are passed in. Every finding is a warning, never a denial: the route is
 * right, what it points at is not (yet).
 */
public final class CertificateHealth {

    /** Longest text quoted from cert-manager's conditions: a message can hold a whole ACME error. */
    static final int MAX_QUOTED_CHARS = 300;

    /** The annotations on which cert-manager's ingress-shim creates a Certificate for an Ingress's secretName. */
    static final List<String> ISSUER_ANNOTATIONS =
            List.of("cert-manager.io/cluster-issuer", "cert-manager.io/issuer", "kubernetes.io/tls-acme");

    private CertificateHealth() {}

    /**
     * @param certificates the Certificate in the route's namespace that writes each Secret, by secretName
     * @param secrets      what is known of each Secret, by name ({@link SecretMetadata#UNKNOWN} when absent)
     * @param requested    Secrets whose Certificate routecert creates or changes in this same request:
     *                     those are requested, so no finding speaks of their current state
     * @param issuerAnnotated the route asks cert-manager for its certificates by annotation, so a
     *                     missing Secret will be created
     */
    public static List<HealthFinding> assess(
            String namespace,
            List<TlsSecretUse> uses,
            Map<String, CertificateStatus> certificates,
            Map<String, SecretMetadata> secrets,
            Set<String> requested,
            boolean issuerAnnotated,
            Instant now,
            Duration window) {
        List<HealthFinding> findings = new ArrayList<>();
        for (TlsSecretUse use : uses) {
            if (requested.contains(use.secretName())) {
                continue;
            }
            CertificateStatus certificate = certificates.get(use.secretName());
            SecretMetadata secret = secrets.getOrDefault(use.secretName(), SecretMetadata.UNKNOWN);
            if (certificate != null) {
                findings.addAll(certificateFindings(certificate, use.secretName(), use.field(), now, window));
            } else if (secret.known() && !secret.exists() && !issuerAnnotated) {
                findings.add(new HealthFinding(
                        HealthState.NO_SOURCE,
                        use.secretName(),
                        Violation.invalid(
                                Check.SECRET_MISSING,
                                use.field(),
                                "Secret " + namespace + "/" + use.secretName()
                                        + " does not exist and nothing will create it: no Certificate writes it, and"
                                        + " the route has no cert-manager.io/cluster-issuer or cert-manager.io/issuer"
                                        + " annotation (nor does routecert have a default issuer for it)",
                                "add one of those annotations, create a Certificate with secretName "
                                        + use.secretName()
                                        + ", or create the Secret; until then the ingress controller serves its"
                                        + " default certificate")));
            }
            if (secret.known() && secret.exists() && secret.describesCertificate()) {
                List<String> missing = Coverage.missing(secret.coveredNames(), use.names());
                if (!missing.isEmpty()) {
                    String fix = certificate == null
                            ? "put a certificate for them into the Secret, or let cert-manager issue it (a"
                                    + " cert-manager.io/cluster-issuer annotation, or a Certificate)"
                            : certificate.names().isEmpty()
                                            || !Coverage.missing(certificate.names(), missing)
                                                    .isEmpty()
                                    ? "add them to the dnsNames of Certificate " + certificate.ref()
                                            + "; cert-manager then issues a new certificate"
                                    : "Certificate " + certificate.ref()
                                            + " lists them, so cert-manager issues a new certificate; see kubectl"
                                            + " describe certificate -n " + certificate.namespace() + " "
                                            + certificate.name() + " if it does not";
                    findings.add(new HealthFinding(
                            HealthState.NOT_COVERING,
                            use.secretName(),
                            Violation.invalid(
                                    Check.SECRET_NOT_COVERING,
                                    use.field(),
                                    "the certificate in Secret " + namespace + "/" + use.secretName() + " is for "
                                            + quote(String.join(", ", secret.coveredNames()))
                                            + " (its cert-manager.io/alt-names and ip-sans), which does not cover "
                                            + String.join(", ", missing),
                                    fix)));
                }
            }
        }
        return findings;
    }

    /**
     * What cert-manager reports of one Certificate that is not good: not Ready, failing to renew,
     * expired or expiring within {@code window}. Empty when it is Ready and far from expiry.
     */
    public static List<HealthFinding> certificateFindings(
            CertificateStatus certificate, String secretName, String field, Instant now, Duration window) {
        List<HealthFinding> findings = new ArrayList<>();
        String describe = "kubectl describe certificate -n " + certificate.namespace() + " " + certificate.name();
        if (certificate.ready() == null) {
            findings.add(new HealthFinding(
                    HealthState.PENDING,
                    secretName,
                    Violation.invalid(
                            Check.CERTIFICATE_NOT_READY,
                            field,
                            "Certificate " + certificate.ref()
                                    + " is not Ready yet: cert-manager has not reported on it",
                            "wait for cert-manager, or see " + describe + " if it stays so")));
        } else if (!certificate.ready()) {
            findings.add(new HealthFinding(
                    HealthState.NOT_READY,
                    secretName,
                    Violation.invalid(
                            Check.CERTIFICATE_NOT_READY,
                            field,
                            "Certificate " + certificate.ref() + " is not Ready: " + quote(certificate.readyReason())
                                    + ": " + quote(certificate.readyMessage()),
                            describe + " shows cert-manager's Events")));
        }
        if (certificate.renewalFailing()) {
            StringBuilder m = new StringBuilder("cert-manager failed to issue Certificate ").append(certificate.ref());
            if (certificate.failedIssuanceAttempts() > 0) {
                m.append(" (")
                        .append(certificate.failedIssuanceAttempts())
                        .append(certificate.failedIssuanceAttempts() == 1 ? " failed attempt" : " failed attempts");
                if (certificate.lastFailureTime() != null) {
                    m.append(", the last at ").append(certificate.lastFailureTime());
                }
                m.append(')');
            }
            if (certificate.issuingFailed()) {
                m.append(": ")
                        .append(quote(certificate.issuingReason()))
                        .append(": ")
                        .append(quote(certificate.issuingMessage()));
            }
            findings.add(new HealthFinding(
                    HealthState.RENEWAL_FAILING,
                    secretName,
                    Violation.invalid(
                            Check.CERTIFICATE_RENEWAL_FAILING,
                            field,
                            m.toString(),
                            "fix what the message names; cert-manager retries with a growing back-off (" + describe
                                    + ")")));
        }
        Instant notAfter = certificate.notAfter();
        if (notAfter != null && notAfter.isBefore(now.plus(window))) {
            boolean expired = !notAfter.isAfter(now);
            findings.add(new HealthFinding(
                    HealthState.EXPIRING,
                    secretName,
                    Violation.invalid(
                            Check.CERTIFICATE_EXPIRING,
                            field,
                            "the certificate of Certificate " + certificate.ref() + " in Secret " + secretName
                                    + (expired
                                            ? " expired at " + notAfter
                                            : " expires at " + notAfter + ", in "
                                                    + approximately(Duration.between(now, notAfter))),
                            "cert-manager renews it at its status.renewalTime; if that has passed, see " + describe)));
        }
        return findings;
    }

    /** The worst state among the findings; HEALTHY when there are none. */
    public static HealthState state(List<HealthFinding> findings) {
        HealthState worst = HealthState.HEALTHY;
        for (HealthFinding f : findings) {
            worst = worst.worse(f.state());
        }
        return worst;
    }

    /** True when the route asks cert-manager's ingress-shim for its Certificates by annotation. */
    public static boolean issuerAnnotated(JsonNode object) {
        JsonNode annotations = object == null ? null : object.path("metadata").path("annotations");
        if (annotations == null) {
            return false;
        }
        for (String key : ISSUER_ANNOTATIONS) {
            if (annotations.hasNonNull(key)
                    && !annotations.path(key).asText("").isEmpty()
                    && !"false".equals(annotations.path(key).asText())) {
                return true;
            }
        }
        return false;
    }

    /** {@code 9d 23h}, {@code 5h 10m}, {@code 42m}: the order of magnitude a person needs. */
    static String approximately(Duration d) {
        long minutes = Math.max(0, d.toMinutes());
        long days = minutes / (24 * 60);
        long hours = minutes / 60 % 24;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        return hours > 0 ? hours + "h " + minutes % 60 + "m" : minutes % 60 + "m";
    }

    /** Text written by another controller, made safe to print: control characters escaped, length bounded. */
    static String quote(String text) {
        if (text == null || text.isEmpty()) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (; i < text.length() && b.length() < MAX_QUOTED_CHARS; i++) {
            char c = text.charAt(i);
            int type = Character.getType(c);
            if (c < 0x20
                    || c == 0x7f
                    || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (i < text.length()) {
            b.append("...");
        }
        return b.toString();
    }
}
