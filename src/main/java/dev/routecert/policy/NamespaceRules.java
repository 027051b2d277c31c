package dev.routecert.policy;

import dev.routecert.policy.settings.NamespacePolicy;
import java.util.Objects;

/**
 * What a namespace's policy tells the core for one review: each check's mode, whether
 * {@code routecert.dev/ignore} is honoured, and the namespace's allow-lists (domains, issuers,
 * Certificate contents). All come from one resolution of one policy, so a reload between them cannot
 * split a decision.
 *
 * @param tenancy the namespace's resolved policy, or null for the defaults (no policy file)
 */
public record NamespaceRules(Enforcement enforcement, boolean optOutAllowed, NamespacePolicy tenancy) {

    /** Every check by nature, opting out allowed, the default allow-lists: routecert without a policy file. */
    public static final NamespaceRules DEFAULT = new NamespaceRules(Enforcement.DEFAULT, true);

    public NamespaceRules {
        Objects.requireNonNull(enforcement, "enforcement");
    }

    public NamespaceRules(Enforcement enforcement, boolean optOutAllowed) {
        this(enforcement, optOutAllowed, null);
    }

    /** The allow-lists to judge an object of {@code namespace} by. */
    public NamespacePolicy tenancyOr(String namespace) {
        return tenancy != null ? tenancy : NamespacePolicy.defaults(namespace);
    }

    /** Resolves a namespace's rules; asked once per evaluation. */
    @FunctionalInterface
    public interface Source {
        /** @param namespace the object's namespace, or null for a cluster-scoped object */
        NamespaceRules rules(String namespace);

        Source DEFAULT = namespace -> NamespaceRules.DEFAULT;
    }
}
