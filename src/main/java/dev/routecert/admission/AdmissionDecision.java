package dev.routecert.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What a policy answers. Three outcomes only: allowed (possibly with a JSONPatch and warnings),
 * denied (403 with the field-level causes), or errored (400 for input we cannot judge, 500 for our
 * own failures).
 */
public record AdmissionDecision(boolean allowed, Status status, List<String> warnings, JsonNode patch) {

    public record Status(int code, String reason, String message, List<Cause> causes) {
        public Status {
            causes = List.copyOf(causes);
        }
    }

    /** One problem, with the field path a person can find in their manifest. */
    public record Cause(String field, String message, String reason) {}

    public AdmissionDecision {
        warnings = List.copyOf(warnings);
        if (patch != null) {
            if (!patch.isArray()) {
                throw new IllegalArgumentException("a patch must be a JSON Patch array");
            }
            if (patch.isEmpty()) {
                patch = null; // no operations: answer without a patch at all
            }
        }
    }

    public static AdmissionDecision allow() {
        return new AdmissionDecision(true, null, List.of(), null);
    }

    public static AdmissionDecision allow(List<String> warnings) {
        return new AdmissionDecision(true, null, warnings, null);
    }

    /** Allowed with an RFC 6902 patch; an empty or null patch means no change. */
    public static AdmissionDecision patched(JsonNode patch, List<String> warnings) {
        return new AdmissionDecision(true, null, warnings, patch);
    }

    public static AdmissionDecision denied(String message, List<Cause> causes, List<String> warnings) {
        return new AdmissionDecision(false, new Status(403, "Forbidden", message, causes), warnings, null);
    }

    public static AdmissionDecision errored(int code, String message) {
        String reason = code >= 500 ? "InternalError" : "BadRequest";
        return new AdmissionDecision(false, new Status(code, reason, message, List.of()), List.of(), null);
    }

    /** The label used in logs and metrics. */
    public String outcome() {
        if (allowed) {
            return patch == null ? "allowed" : "patched";
        }
        return status.code() == 403 ? "denied" : "errored";
    }
}
