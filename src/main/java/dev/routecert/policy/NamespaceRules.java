package dev.routecert.policy;

import java.util.Objects;

/**
 * What a namespace's policy tells the core for one review: each check's mode, and whether
 * {@code routecert.dev/ignore} is honoured. Both come from one resolution of one policy, so a reload
 * between them cannot split a decision.
 */
public record NamespaceRules(Enforcement enforcement, boolean optOutAllowed) {

    /** Every check by nature, opting out allowed: routecert without a policy file. */
    public static final NamespaceRules DEFAULT = new NamespaceRules(Enforcement.DEFAULT, true);

    public NamespaceRules {
        Objects.requireNonNull(enforcement, "enforcement");
    }

    /** Resolves a namespace's rules; asked once per evaluation. */
    @FunctionalInterface
    public interface Source {
        /** @param namespace the object's namespace, or null for a cluster-scoped object */
        NamespaceRules rules(String namespace);

        Source DEFAULT = namespace -> NamespaceRules.DEFAULT;
    }
}
