package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.config.CertificateOptions;
import dev.routecert.health.Readiness;
import dev.routecert.log.Log;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.scope.ScopeFacts;
import dev.routecert.time.Clock;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Everything routecert does with Certificates when it has a cluster: the informer caches (every
 * replica, for admission), the deadline-bound store of the admission path with its own client, and
 * the reconciler, run by whichever replica holds the Lease (or unconditionally without election).
 */
public final class CertificateManager implements AutoCloseable {

    private static final Log log = Log.of(CertificateManager.class);

    private final ClusterCaches caches;
    private final RoutePolicy policy;
    private final KubernetesClient admissionClient;
    private final KubernetesClient reconcilerClient;
    private final CertificateStore admissionStore;
    private final Reconciler reconciler;
    private final Optional<Leadership> leadership;

    private CertificateManager(
            ClusterCaches caches,
            KubernetesClient admissionClient,
            KubernetesClient reconcilerClient,
            CertificateStore admissionStore,
            Reconciler reconciler,
            Optional<Leadership> leadership,
            RoutePolicy policy) {
        this.policy = policy;
        this.caches = caches;
        this.admissionClient = admissionClient;
        this.reconcilerClient = reconcilerClient;
        this.admissionStore = admissionStore;
        this.reconciler = reconciler;
        this.leadership = leadership;
    }

    /**
     * @param policyFor the policy, given the caches as the facts it reads (IngressClasses, Middlewares)
     *                  and the namespaces' labels ({@link #namespaceLabels})
     * @param onDemand  the on-demand caches the policy's settings need ({@link ClusterCaches#needed})
     * @param predecessors whose Certificates for a route are taken over ({@code --adopt-from})
     * @param extension more leader work, given the caches and the policy as the reconciler reads it
     */
    public static CertificateManager start(
            KubernetesClient client,
            Readiness readiness,
            BiFunction<ScopeFacts, Function<String, Map<String, String>>, RoutePolicy> policyFor,
            Set<CachedKind> onDemand,
            CertificateOptions options,
            String version,
            Clock clock,
            PrometheusRegistry registry,
            WriteGuard guard,
            Predecessors predecessors,
            BiFunction<ClusterCaches, RoutePolicy, LeaderWork> extension) {
        ClusterCaches caches = new ClusterCaches(client, readiness, onDemand);
        caches.exportSyncState(registry);
        KubernetesClient admissionClient =
                KubeCertificateStore.deadlineClient(client.getConfiguration(), options.writeTimeout(), version);
        Function<String, Map<String, String>> labels = namespace -> namespaceLabels(caches, admissionClient, namespace);
        RoutePolicy policy = policyFor.apply(caches, labels);
        RoutePolicy reconcilerPolicy = policyFor.apply(withoutTlsObjects(caches), labels);
        CertificateStore admissionStore =
                new MeasuredCertificateStore(new KubeCertificateStore(admissionClient, caches, guard), registry, clock);
        // its own client too, so that what it creates is also recorded under the field manager routecert
        KubernetesClient reconcilerClient =
                KubeCertificateStore.deadlineClient(client.getConfiguration(), Reconciler.WRITE_DEADLINE, version);
        String identity = Leadership.identity();
        Reconciler reconciler = new Reconciler(
                        caches,
                        new KubeCertificateStore(reconcilerClient, caches, guard),
                        reconcilerPolicy,
                        new KubeRouteEvents(client, identity, guard),
                        options.orphanGracePeriod(),
                        options.resyncPeriod(),
                        clock,
                        registry,
                        guard)
                .adoptingFrom(predecessors);
        caches.onChange(reconciler::onChange);
        LeaderWork more = extension.apply(caches, reconcilerPolicy);
        caches.start();
        Optional<Leadership> leadership = Optional.empty();
        if (options.leaderElection()) {
            if (options.leaderElectionNamespace() == null) {
                throw new IllegalStateException(CertificateOptions.NO_LEASE_NAMESPACE);
            }
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
                            },
                            registry,
                            clock)
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
                caches, admissionClient, reconcilerClient, admissionStore, reconciler, leadership, policy);
    }

    /**
     * A namespace's labels: from the cache, else (a namespace created a moment ago, or the cache not
     * synced yet) one GET through the admission client, bound by its deadline. A namespace that cannot
     * be read counts as unlabelled, so the policy file's top level applies to it; that is logged.
     */
    static Map<String, String> namespaceLabels(ClusterCaches caches, KubernetesClient client, String namespace) {
        Optional<Map<String, String>> cached = caches.namespaceLabels(namespace);
        if (cached.isPresent()) {
            return cached.get();
        }
        try {
            Namespace ns = client.namespaces().withName(namespace).get();
            if (ns == null) {
                log.warn("policy: namespace {} not found; its policy is the top level's", namespace);
                return Map.of();
            }
            Map<String, String> labels = ns.getMetadata().getLabels();
            return labels == null ? Map.of() : Map.copyOf(labels);
        } catch (RuntimeException e) {
            log.warn(
                    "policy: cannot read the labels of namespace {} ({}); its policy is the top level's",
                    namespace,
                    e.getMessage());
            return Map.of();
        }
    }

    /** A full pass of the reconciler soon (if it leads): a new policy may change what gets a Certificate. */
    public void policyChanged() {
        reconciler.policyChanged();
    }

    /** The policy, reading its facts from this manager's caches. */
    public RoutePolicy policy() {
        return policy;
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

    /**
     * The facts the reconciler judges by: the same as admission's, except Traefik's TLSOptions and
     * TLSStores. A TLSOption deleted, or not yet listed, must stop the next apply of a route that names
     * it, never delete the Certificates of every stored route that does.
     */
    static ScopeFacts withoutTlsObjects(ScopeFacts facts) {
        return new ScopeFacts() {
            @Override
            public boolean ingressClassesSynced() {
                return facts.ingressClassesSynced();
            }

            @Override
            public Set<String> defaultIngressClasses() {
                return facts.defaultIngressClasses();
            }

            @Override
            public Optional<JsonNode> middleware(String namespace, String name) {
                return facts.middleware(namespace, name);
            }

            @Override
            public Optional<JsonNode> middlewareByTraefikId(String id) {
                return facts.middlewareByTraefikId(id);
            }
        };
    }
}
