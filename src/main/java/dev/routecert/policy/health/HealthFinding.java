package dev.routecert.policy.health;

import dev.routecert.policy.Violation;

/** One health problem of one Secret a route serves, as a warning: field, message and fix. */
public record HealthFinding(HealthState state, String secretName, Violation violation) {

    /** The line kubectl prints and {@code routecert status} lists: {@code [id] field: message (fix)}. */
    public String text() {
        return violation.bounded().describe();
    }
}
