package dev.routecert.webhook;

import dev.routecert.policy.HostName;
import dev.routecert.policy.settings.PolicySnapshot;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.webhook.NamespacePolicies.NamespaceLabels;
import java.util.function.Supplier;

/**
 * {@link SharedHosts} from the policy file's {@code tenancy.sharedHosts}: two namespaces may serve a
 * host together when one entry matches both and lists the host. The snapshot in force is read once
 * per decision, so a reload never judges the two namespaces by different files.
 */
public final class PolicySharedHosts implements SharedHosts {

    private final Supplier<PolicySnapshot> snapshots;
    private final NamespaceLabels labels;

    public PolicySharedHosts(Supplier<PolicySnapshot> snapshots, NamespaceLabels labels) {
        this.snapshots = snapshots;
        this.labels = labels;
    }

    @Override
    public boolean shared(String a, String b, String host) {
        HostName name = HostName.check(host).name();
        if (name == null) {
            return false;
        }
        PolicySnapshot snapshot = snapshots.get();
        if (snapshot.settings().tenancy().sharedHosts().isEmpty()) {
            return false;
        }
        return snapshot.resolve(a, labels.of(a)).sharesWith(snapshot.resolve(b, labels.of(b)), name);
    }
}
