package dev.routecert.policy;

/**
 * The Enforcement of a namespace, resolved outside the policy core (a policy file's overrides by
 * namespace selector, or a test's fixed modes). Implementations answer from memory: the policy asks
 * once per evaluation.
 */
@FunctionalInterface
public interface EnforcementSource {

    /** Every namespace gets {@link Enforcement#DEFAULT}: each check acts by nature, as without a policy. */
    EnforcementSource DEFAULT = namespace -> Enforcement.DEFAULT;

    /** @param namespace the object's namespace, or null for a cluster-scoped object */
    Enforcement forNamespace(String namespace);
}
