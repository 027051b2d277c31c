package dev.routecert.policy.health;

import java.util.Locale;

/**
 * A route's certificate health, worst first: the value of the {@code health} label of
 * {@code routecert_route_certificates}, so the set is closed.
 */
public enum HealthState {
    /** A secretName names a Secret that does not exist, and nothing will create it. */
    NO_SOURCE,
    /** The certificate in the Secret does not cover every name the route serves. */
    NOT_COVERING,
    /** The Certificate's Ready condition is False. */
    NOT_READY,
    /** cert-manager failed to issue or renew it and retries later. */
    RENEWAL_FAILING,
    /** It expires within the warning window. */
    EXPIRING,
    /** routecert (or cert-manager) has asked for it; no answer yet. */
    PENDING,
    /** Every certificate the route serves is Ready, covers it and is not close to expiry. */
    HEALTHY;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The worse of two states. */
    public HealthState worse(HealthState other) {
        return other.ordinal() < ordinal() ? other : this;
    }
}
