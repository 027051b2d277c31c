package dev.routecert.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The policy's answer for one object: every violation found (empty means allowed), the warnings
 * {@code kubectl} prints, an RFC 6902 patch against the raw object (null when nothing changes), the
 * Certificates the object needs, and notes that explain why no Certificate was planned.
 */
public record Verdict(
        List<Violation> violations,
        List<String> warnings,
        JsonNode patch,
        List<PlannedCertificate> certificates,
        List<String> notes) {

    /** A denial message lists at most this many violations; the list itself is never cut. */
    static final int MAX_IN_SUMMARY = 20;

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
        if (patch != null && !patch.isArray()) {
            throw new IllegalArgumentException("patch must be an RFC 6902 array, got " + patch.getNodeType());
        }
        if (patch != null && patch.isEmpty()) {
            patch = null; // "nothing changes" has one spelling
        }
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
     * {@code field: message (fix)}. For an allowed verdict it says so, with the warning count.
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
        StringBuilder b = new StringBuilder("routecert rejected this object: ");
        int n = violations.size();
        int shown = Math.min(n, MAX_IN_SUMMARY);
        b.append(n == 1 ? "1 problem" : n + " problems").append(" to fix. ");
        for (int i = 0; i < shown; i++) {
            Violation v = violations.get(i);
            if (n > 1) {
                b.append('(').append(i + 1).append(") ");
            }
            b.append(v.field()).append(": ").append(stripPeriod(v.message()));
            if (v.hint() != null && !v.hint().isBlank()) {
                b.append(" - fix: ").append(stripPeriod(v.hint()));
            }
            b.append(i + 1 < shown ? "; " : ".");
        }
        if (shown < n) {
            b.append(" And ").append(n - shown).append(" more; run routecert check on the manifest to see them all.");
        }
        return b.toString();
    }

    private static String stripPeriod(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
