package dev.routecert.webhook;

import dev.routecert.policy.settings.NamespacePolicy;
import dev.routecert.policy.settings.PolicySnapshot;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Resolves the policy file for the namespace of a review: the snapshot in force is read once per
 * review, so a reload never splits a decision.
 */
public final class NamespacePolicies {

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

    /** The policy for one review's namespace. */
    public NamespacePolicy resolve(String namespace) {
        PolicySnapshot snapshot = snapshots.get();
        return snapshot.resolve(namespace, labels.of(namespace));
    }
}
