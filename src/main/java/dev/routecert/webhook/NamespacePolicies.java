package dev.routecert.webhook;

import dev.routecert.log.Log;
import dev.routecert.policy.NamespaceRules;
import dev.routecert.policy.settings.NamespacePolicy;
import dev.routecert.policy.settings.PolicySnapshot;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Resolves the policy file for the namespace of a review, from the namespace's labels. The snapshot
 * in force is read once per resolution, and the policy core asks for one resolution per review
 * ({@link #rules}), so a reload never splits a decision: the modes and the opt-out of one review come
 * from the same file.
 */
public final class NamespacePolicies implements NamespaceRules.Source {

    private static final Log log = Log.of(NamespacePolicies.class);

    /** A namespace's labels, as far as routecert knows them; empty for a namespace it does not know. */
    @FunctionalInterface
    public interface NamespaceLabels {
        Map<String, String> of(String namespace);

        NamespaceLabels NONE = namespace -> Map.of();
    }

    /** The built-in defaults for every namespace: what serves without a policy file. */
    public static final NamespacePolicies DEFAULTS =
            new NamespacePolicies(() -> PolicySnapshot.DEFAULTS, NamespaceLabels.NONE);

    private final Supplier<PolicySnapshot> snapshots;
    private final NamespaceLabels labels;

    public NamespacePolicies(Supplier<PolicySnapshot> snapshots, NamespaceLabels labels) {
        this.snapshots = snapshots;
        this.labels = labels;
    }

    /** The policy for one review's namespace; null (a cluster-scoped object) gets the top level's. */
    public NamespacePolicy resolve(String namespace) {
        PolicySnapshot snapshot = snapshots.get();
        Map<String, String> known = namespace == null ? Map.of() : labels.of(namespace);
        NamespacePolicy policy = snapshot.resolve(namespace == null ? "" : namespace, known);
        log.debug(
                "policy {} for namespace={}: override={} optOut={}",
                snapshot.sha256(),
                namespace,
                policy.override(),
                policy.optOutAllowed());
        return policy;
    }

    /** The modes and the opt-out of one namespace, from one resolution. */
    @Override
    public NamespaceRules rules(String namespace) {
        NamespacePolicy policy = resolve(namespace);
        return new NamespaceRules(policy.enforcement(), policy.optOutAllowed(), policy);
    }
}
