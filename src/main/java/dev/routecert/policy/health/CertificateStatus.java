package dev.routecert.policy.health;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * What cert-manager reports of a Certificate: its {@code Ready} and {@code Issuing} conditions,
 * {@code status.notAfter} and the failed-issuance bookkeeping, as cert-manager's readiness and
 * issuing controllers write them.
 *
 * @param ready                  {@code True}, {@code False}, or null when cert-manager set no Ready condition yet
 * @param issuingFailed          the Issuing condition is False with a reason other than the normal end
 *                               of an issuance, as cert-manager leaves it after a failed request
 * @param notAfter               when the certificate in the Secret expires; null when cert-manager has not read one
 * @param failedIssuanceAttempts {@code status.failedIssuanceAttempts}, 0 when absent
 * @param lastFailureTime        {@code status.lastFailureTime}, null when absent
 */
public record CertificateStatus(
        String namespace,
        String name,
        String secretName,
        List<String> names,
        Boolean ready,
        String readyReason,
        String readyMessage,
        boolean issuingFailed,
        String issuingReason,
        String issuingMessage,
        Instant notAfter,
        int failedIssuanceAttempts,
        Instant lastFailureTime) {

    public CertificateStatus {
        names = List.copyOf(names);
    }

    /** Reads a {@code cert-manager.io/v1 Certificate} object. */
    public static CertificateStatus from(JsonNode certificate) {
        JsonNode meta = certificate.path("metadata");
        JsonNode spec = certificate.path("spec");
        JsonNode status = certificate.path("status");
        List<String> names = new ArrayList<>();
        for (String field : List.of("dnsNames", "ipAddresses")) {
            for (JsonNode n : spec.path(field)) {
                if (n.isTextual()) {
                    names.add(n.asText());
                }
            }
        }
        JsonNode readyCondition = condition(status, "Ready");
        JsonNode issuing = condition(status, "Issuing");
        Boolean ready = readyCondition == null
                ? null
                : switch (readyCondition.path("status").asText("")) {
                    case "True" -> Boolean.TRUE;
                    case "False" -> Boolean.FALSE;
                    default -> null;
                };
        // cert-manager's issuing controller sets Issuing=False with the request's failure reason
        // (usually "Failed") after a failed request, and removes the condition after a success
        boolean issuingFailed = issuing != null
                && "False".equals(issuing.path("status").asText(""))
                && !issuing.path("reason").asText("").isEmpty();
        return new CertificateStatus(
                meta.path("namespace").asText(""),
                meta.path("name").asText(""),
                spec.path("secretName").asText(""),
                names,
                ready,
                readyCondition == null ? "" : readyCondition.path("reason").asText(""),
                readyCondition == null ? "" : readyCondition.path("message").asText(""),
                issuingFailed,
                issuing == null ? "" : issuing.path("reason").asText(""),
                issuing == null ? "" : issuing.path("message").asText(""),
                instant(status.path("notAfter")),
                status.path("failedIssuanceAttempts").asInt(0),
                instant(status.path("lastFailureTime")));
    }

    public String ref() {
        return namespace + "/" + name;
    }

    /** Renewal (or first issuance) failed and cert-manager is backing off before the next attempt. */
    public boolean renewalFailing() {
        return issuingFailed || (failedIssuanceAttempts > 0 && lastFailureTime != null);
    }

    private static JsonNode condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asText(""))) {
                return c;
            }
        }
        return null;
    }

    private static Instant instant(JsonNode value) {
        if (!value.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
