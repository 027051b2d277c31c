package dev.routecert.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The policy's answer for one object: every violation that denies it under the namespace's
 * enforcement (empty means allowed), the warnings {@code kubectl} prints, an RFC 6902 patch against
 * the raw object (null when nothing changes), the Certificates the object needs, notes that explain
 * why no Certificate was planned; and, by the check that found them, the findings that became
 * warnings and those admitted silently in audit mode.
 */
public record Verdict(
        List<Violation> violations,
        List<String> warnings,
        JsonNode patch,
        List<PlannedCertificate> certificates,
        List<String> notes,
        List<Violation> warned,
        List<Violation> audit) {

    /** The five outcomes the case list speaks of, most significant first. */
    public enum Outcome {
        DENY,
        MUTATE,
        CREATE,
        WARN,
        ALLOW
    }

    public Verdict {
        violations = List.copyOf(violations);
        warnings = List.copyOf(warnings);
        certificates = List.copyOf(certificates);
        notes = List.copyOf(notes);
        warned = List.copyOf(warned);
        audit = List.copyOf(audit);
        if (patch != null && !patch.isArray()) {
            throw new IllegalArgumentException("patch must be an RFC 6902 array, got " + patch.getNodeType());
        }
        if (patch != null && patch.isEmpty()) {
            patch = null; // "nothing changes" has one spelling
        }
    }

    public Verdict(
            List<Violation> violations,
            List<String> warnings,
            JsonNode patch,
            List<PlannedCertificate> certificates,
            List<String> notes) {
        this(violations, warnings, patch, certificates, notes, List.of(), List.of());
    }

    /** Allowed with nothing to say: what kinds, operations and objects we do not handle get. */
    public static Verdict allow(String... notes) {
        return new Verdict(List.of(), List.of(), null, List.of(), List.of(notes));
    }

    public boolean allowed() {
        return violations.isEmpty();
    }

    /** DENY if any violation, else MUTATE if patched, else CREATE if a Certificate is planned, else WARN/ALLOW. */
    public Outcome outcome() {
        if (!allowed()) {
            return Outcome.DENY;
        }
        if (patch != null) {
            return Outcome.MUTATE;
        }
        if (!certificates.isEmpty()) {
            return Outcome.CREATE;
        }
        return warnings.isEmpty() ? Outcome.ALLOW : Outcome.WARN;
    }

    /**
     * One paragraph for a person, used as the denial message: how many problems, then each as
     * {@code [id] field: message (fix)}. For an allowed verdict it says so, with the warning count.
     */
    public String summary() {
        if (allowed()) {
            StringBuilder b = new StringBuilder("routecert allowed this object");
            if (!warnings.isEmpty()) {
                b.append(" with ").append(warnings.size()).append(warnings.size() == 1 ? " warning" : " warnings");
            }
            if (!certificates.isEmpty()) {
                b.append("; it needs ").append(certificates.size() == 1 ? "Certificate " : "Certificates ");
                for (int i = 0; i < certificates.size(); i++) {
                    b.append(i == 0 ? "" : ", ").append(certificates.get(i).name());
                }
            }
            return b.append('.').toString();
        }
        return Violation.summary(violations);
    }
}
