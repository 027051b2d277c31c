package dev.routecert.certificates;

import dev.routecert.config.CertificateOptions;
import dev.routecert.health.Readiness;
import dev.routecert.log.Log;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.time.Clock;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything routecert does with Certificates when it has a cluster: the informer caches (every
 * replica, for admission), the deadline-bound store of the admission path with its own client, and
 * the reconciler, run by whichever replica holds the Lease (or unconditionally without election).
 */
public final class CertificateManager implements AutoCloseable {

    private static final Log log = Log.of(CertificateManager.class);

    private final ClusterCaches caches;
    private final KubernetesClient admissionClient;
    private final KubernetesClient reconcilerClient;
    private final KubeCertificateStore admissionStore;
    private final Reconciler reconciler;
    private final Optional<Leadership> leadership;

    private CertificateManager(
            ClusterCaches caches,
            KubernetesClient admissionClient,
            KubernetesClient reconcilerClient,
            KubeCertificateStore admissionStore,
            Reconciler reconciler,
            Optional<Leadership> leadership) {
        this.caches = caches;
        this.admissionClient = admissionClient;
        this.reconcilerClient = reconcilerClient;
        this.admissionStore = admissionStore;
        this.reconciler = reconciler;
        this.leadership = leadership;
    }

    public static CertificateManager start(
            KubernetesClient client,
            Readiness readiness,
            RoutePolicy policy,
            CertificateOptions options,
            String version,
            Clock clock,
            PrometheusRegistry registry) {
        return start(
                client,
                readiness,
                policy,
                options,
                version,
                clock,
                registry,
                WriteGuard.NONE,
                caches -> LeaderWork.NONE);
    }

    /**
     * As above, writing nowhere {@code guard} refuses (by admission or by the reconciler), and with
     * more work on the caches: {@code extension} sees them before they start (so its listeners get
     * every object), and what it returns runs while this replica leads.
     */
    public static CertificateManager start(
            KubernetesClient client,
            Readiness readiness,
            RoutePolicy policy,
            CertificateOptions options,
            String version,
            Clock clock,
            PrometheusRegistry registry,
            WriteGuard guard,
            Function<ClusterCaches, LeaderWork> extension) {
        ClusterCaches caches = new ClusterCaches(client, readiness);
        KubernetesClient admissionClient =
                KubeCertificateStore.deadlineClient(client.getConfiguration(), options.writeTimeout(), version);
        KubeCertificateStore admissionStore = new KubeCertificateStore(admissionClient, caches, guard);
        // its own client too, so that what it creates is also recorded under the field manager routecert
        KubernetesClient reconcilerClient =
                KubeCertificateStore.deadlineClient(client.getConfiguration(), Reconciler.WRITE_DEADLINE, version);
        String identity = Leadership.identity();
        Reconciler reconciler = new Reconciler(
                caches,
                new KubeCertificateStore(reconcilerClient, caches, guard),
                policy,
                new KubeRouteEvents(client, identity, guard),
                options.orphanGracePeriod(),
                options.resyncPeriod(),
                clock,
                registry,
                guard);
        caches.onChange(reconciler::onChange);
        LeaderWork more = extension.apply(caches);
        caches.start();
        Optional<Leadership> leadership = Optional.empty();
        if (options.leaderElection()) {
            leadership = Optional.of(new Leadership(
                            client,
                            options.leaderElectionNamespace(),
                            options.leaderElectionLeaseName(),
                            identity,
                            options.leaseDuration(),
                            () -> {
                                reconciler.start();
                                more.start();
                            },
                            () -> {
                                reconciler.stop();
                                more.stop();
                            })
                    .start());
        } else {
            log.info(
                    "leader election: off (--leader-election=false); this process reconciles, so run one replica only");
            reconciler.start();
            more.start();
        }
        log.info(
                "certificates: created during admission within {} (on failure: {}); orphans deleted after {}",
                options.writeTimeout(),
                options.writeFailure().name().toLowerCase(Locale.ROOT),
                options.orphanGracePeriod());
        return new CertificateManager(
                caches, admissionClient, reconcilerClient, admissionStore, reconciler, leadership);
    }

    public CertificateStore admissionStore() {
        return admissionStore;
    }

    @Override
    public void close() {
        leadership.ifPresent(Leadership::close);
        reconciler.close();
        caches.close();
        admissionClient.close();
        reconcilerClient.close();
    }

    /** The reconciler, for tests that wait until it has looked at something. */
    public Reconciler reconciler() {
        return reconciler;
    }
}
