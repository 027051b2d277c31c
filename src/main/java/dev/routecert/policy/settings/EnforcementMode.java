package dev.routecert.policy.settings;

import java.util.Locale;
import java.util.Optional;

/** What the policy file asks routecert to do with a check's findings. */
public enum EnforcementMode {
    /** Refuse the object. */
    DENY,
    /** Admit it; kubectl prints the finding. */
    WARN,
    /** Admit it silently; the finding is recorded. */
    AUDIT,
    /** Do not report the finding. */
    OFF;

    /** The name as written in the policy file. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<EnforcementMode> byId(String id) {
        for (EnforcementMode mode : values()) {
            if (mode.id().equals(id)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
