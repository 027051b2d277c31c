package dev.routecert.policy;

import java.util.Locale;
import java.util.Optional;

/** Traefik's two rule languages: v3 (one value per matcher, Go regexps) and the deprecated v2. */
public enum RuleSyntax {
    V2,
    V3;

    /** The value as written in a route's {@code syntax} field or a flag: {@code v2} or {@code v3}. */
    public String fieldValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a {@code syntax} field value. Only the exact values Traefik's CRD allows ({@code v3},
     * {@code v2}) are accepted, so a typo is reported instead of silently falling back.
     */
    public static Optional<RuleSyntax> fromFieldValue(String value) {
        if ("v3".equals(value)) {
            return Optional.of(V3);
        }
        if ("v2".equals(value)) {
            return Optional.of(V2);
        }
        return Optional.empty();
    }

    /** Lenient parsing for flags and environment variables: {@code v2}, {@code V3}, {@code 3}. */
    public static RuleSyntax parseFlag(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "v3", "3" -> V3;
            case "v2", "2" -> V2;
            default -> throw new IllegalArgumentException("rule syntax must be v3 or v2, got '" + value + "'");
        };
    }
}
