package dev.routecert.tenancy;

import dev.routecert.certificates.ClusterCaches;
import dev.routecert.certificates.KubeCertificateStore;
import dev.routecert.certificates.KubeRouteEvents;
import dev.routecert.certificates.LeaderWork;
import dev.routecert.certificates.Leadership;
import dev.routecert.config.CertificateOptions;
import dev.routecert.health.Readiness;
import dev.routecert.log.Log;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.time.Clock;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Host ownership with a cluster: the claims' cache and calls, the index of which routes serve which
 * names (every replica, for admission), and the claims' reconciler (the leader's).
 */
public final class HostClaims implements LeaderWork, AutoCloseable {

    private static final Log log = Log.of(HostClaims.class);

    private final KubernetesClient callClient;
    private final KubeHostClaimStore store;
    private final ServedIndex index;
    private final HostOwnership ownership;
    private final ClaimReconciler reconciler;

    private HostClaims(
            KubernetesClient callClient,
            KubeHostClaimStore store,
            ServedIndex index,
            HostOwnership ownership,
            ClaimReconciler reconciler) {
        this.callClient = callClient;
        this.store = store;
        this.index = index;
        this.ownership = ownership;
        this.reconciler = reconciler;
    }

    /** To be called with the caches before they start, so that the index sees every route. */
    public static HostClaims start(
            KubernetesClient client,
            ClusterCaches caches,
            Readiness readiness,
            CertificateOptions options,
            RuleSyntax defaultSyntax,
            SharedHosts sharing,
            String version,
            Clock clock,
            PrometheusRegistry registry) {
        KubernetesClient callClient =
                KubeCertificateStore.deadlineClient(client.getConfiguration(), options.writeTimeout(), version);
        KubeHostClaimStore store = new KubeHostClaimStore(client, callClient, options.claimsNamespace(), clock);
        ServedIndex index = new ServedIndex(caches, defaultSyntax);
        ClaimReconciler[] reconciler = new ClaimReconciler[1];
        reconciler[0] = new ClaimReconciler(
                store,
                index,
                sharing,
                new KubeRouteEvents(client, Leadership.identity()),
                options.effectiveHostClaimGrace(),
                options.resyncPeriod(),
                clock,
                () -> caches.allSynced() && store.synced(),
                registry);
        caches.onChange((kind, object) -> reconciler[0].changed(index.onChange(kind, object)));
        store.start(readiness, key -> reconciler[0].changed(key));
        HostOwnership ownership = new HostOwnership(
                store,
                key -> index.servers(key).stream()
                        .map(ServedIndex.Served::server)
                        .toList(),
                sharing,
                defaultSyntax);
        log.info(
                "host claims: Leases in namespace {}; a claim outlives its last route by {}",
                options.claimsNamespace(),
                options.effectiveHostClaimGrace());
        return new HostClaims(callClient, store, index, ownership, reconciler[0]);
    }

    public HostOwnership ownership() {
        return ownership;
    }

    public ClaimReconciler reconciler() {
        return reconciler;
    }

    public HostClaimStore store() {
        return store;
    }

    /** True once the claims' cache has listed every claim: before, a held name may look free. */
    public boolean claimsSynced() {
        return store.synced();
    }

    public ServedIndex index() {
        return index;
    }

    @Override
    public void start() {
        reconciler.start();
    }

    @Override
    public void stop() {
        reconciler.stop();
    }

    @Override
    public void close() {
        reconciler.close();
        store.close();
        callClient.close();
    }
}
