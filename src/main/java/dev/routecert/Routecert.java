package dev.routecert;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.certificates.CertificateManager;
import dev.routecert.certificates.ClusterCaches;
import dev.routecert.certificates.HealthEvents;
import dev.routecert.certificates.KubeRouteEvents;
import dev.routecert.certificates.LeaderWork;
import dev.routecert.certificates.Leadership;
import dev.routecert.certificates.Predecessors;
import dev.routecert.certificates.WriteGuard;
import dev.routecert.cluster.ClusterConnection;
import dev.routecert.config.DnsOptions;
import dev.routecert.config.GuardOptions;
import dev.routecert.config.PolicyFileSource;
import dev.routecert.config.PolicyMetrics;
import dev.routecert.config.ServeConfig;
import dev.routecert.dns.DnsFollower;
import dev.routecert.dns.DnsMetrics;
import dev.routecert.dns.DnsTargetSource;
import dev.routecert.dns.KubeDnsEndpointStore;
import dev.routecert.dns.RouteJudge;
import dev.routecert.dns.ServiceTargets;
import dev.routecert.health.Readiness;
import dev.routecert.http.RoutecertServer;
import dev.routecert.http.ServerMetrics;
import dev.routecert.policy.NamespaceRules;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.scope.ScopeFacts;
import dev.routecert.policy.settings.PolicySnapshot;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.tenancy.HostClaims;
import dev.routecert.tenancy.HostOwnership;
import dev.routecert.time.Clock;
import dev.routecert.tls.CertificateLoadException;
import dev.routecert.tls.CertificateSource;
import dev.routecert.tls.ClientCaSource;
import dev.routecert.tls.FileCertificateSource;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.webhook.CertificateAdmission;
import dev.routecert.webhook.DnsEndpointAdmission;
import dev.routecert.webhook.HealthWarnings;
import dev.routecert.webhook.NamespaceGuard;
import dev.routecert.webhook.NamespacePolicies;
import dev.routecert.webhook.PolicyFindings;
import dev.routecert.webhook.PolicySharedHosts;
import dev.routecert.webhook.RouteAdmission;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running routecert: the composition of certificate source, cluster connection, policy and
 * server that {@code routecert serve} starts, and that tests start in-process the same way.
 */
public final class Routecert implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Routecert.class);

    private final ServerMetrics metrics;
    private final Readiness readiness;
    private final CertificateSource certificates;
    private final Optional<ClientCaSource> clientCas;
    private final Optional<ClusterConnection> cluster;
    private final Optional<CertificateManager> certificateManager;
    private final Optional<PolicyFileSource> policyFile;
    private final Optional<HostClaims> hostClaims;
    private final RoutecertServer server;
    /** The informer of {@code --dns-target-service}, when it is set. */
    private final Optional<ServiceTargets> dnsTargets;

    private Routecert(
            ServerMetrics metrics,
            Readiness readiness,
            CertificateSource certificates,
            Optional<ClientCaSource> clientCas,
            Optional<ClusterConnection> cluster,
            Optional<CertificateManager> certificateManager,
            Optional<PolicyFileSource> policyFile,
            Optional<HostClaims> hostClaims,
            RoutecertServer server,
            Optional<ServiceTargets> dnsTargets) {
        this.dnsTargets = dnsTargets;
        this.policyFile = policyFile;
        this.metrics = metrics;
        this.readiness = readiness;
        this.certificates = certificates;
        this.clientCas = clientCas;
        this.cluster = cluster;
        this.certificateManager = certificateManager;
        this.hostClaims = hostClaims;
        this.server = server;
    }

    /**
     * Starts everything; throws (having released what it opened) when a port cannot be bound. One
     * policy file ({@code --policy-file}, else the built-in defaults) governs every review: each
     * namespace's modes and opt-out, for the webhook and the reconciler alike.
     */
    public static Routecert start(ServeConfig config, PolicyConfig policyConfig) {
        ServerMetrics metrics = new ServerMetrics();
        Readiness readiness = new Readiness();
        CertificateSource certificates = certificateSource(config, metrics);
        Optional<ClientCaSource> clientCas = Optional.empty();
        Optional<ClusterConnection> cluster = Optional.empty();
        Optional<CertificateManager> manager = Optional.empty();
        Optional<PolicyFileSource> policyFile = Optional.empty();
        List<HostClaims> claims = new ArrayList<>(1);
        List<DnsFollower> followers = new CopyOnWriteArrayList<>();
        List<ServiceTargets> serviceTargets = new ArrayList<>(1);
        try {
            clientCas = clientCaSource(config);
            // the namespace labels the policy's selectors and the exempt label read: the cluster's, once
            // its caches exist; without a cluster, none
            AtomicReference<NamespacePolicies.NamespaceLabels> labels =
                    new AtomicReference<>(NamespacePolicies.NamespaceLabels.NONE);
            WriteGuard guard = writeGuard(config).withNamespaceLabels(namespace -> {
                NamespacePolicies.NamespaceLabels known = labels.get();
                return known == NamespacePolicies.NamespaceLabels.NONE
                        ? Optional.empty()
                        : Optional.of(known.of(namespace));
            });
            // set once the reconciler exists; the first load happens before it
            AtomicReference<Runnable> onReload = new AtomicReference<>(() -> {});
            policyFile = policyFile(config, metrics, onReload);
            Supplier<PolicySnapshot> snapshots =
                    policyFile.<Supplier<PolicySnapshot>>map(file -> file).orElse(() -> PolicySnapshot.DEFAULTS);
            cluster = ClusterConnection.open(config.kubernetes(), config.kubeconfig(), readiness);
            RoutePolicy policy;
            SharedHosts sharedHosts = policyFile.isPresent()
                    ? new PolicySharedHosts(snapshots, namespace -> labels.get().of(namespace))
                    : SharedHosts.NEVER;
            PolicyFindings findings = new PolicyFindings(metrics.registry());
            AdmissionPolicy mutate;
            AdmissionPolicy validate;
            if (cluster.isPresent()) {
                Clock clock = Clock.system();
                KubernetesClient client = cluster.get().client();
                DnsOptions dns = config.dns();
                DnsTargetSource dnsTargets = null;
                if (dns.enabled()) {
                    if (dns.targetService() != null) {
                        ServiceTargets started =
                                new ServiceTargets(client, dns.targetServiceNamespace(), dns.targetServiceName());
                        serviceTargets.add(started);
                        dnsTargets = started;
                    } else {
                        dnsTargets = DnsTargetSource.fixed(dns.targets());
                    }
                    log.info(
                            "dns endpoints: for {} routes, targets from {}, ttl {}s, taking over from {}",
                            dns.kinds(),
                            dnsTargets.describe(),
                            dns.ttl().toSeconds(),
                            config.adoptFrom());
                }
                DnsTargetSource targetSource = dnsTargets;
                DnsMetrics dnsMetrics = dns.enabled() ? new DnsMetrics(metrics.registry()) : null;
                KubeDnsEndpointStore dnsStore = new KubeDnsEndpointStore(client, guard);
                // the policy file's selectors and the exempt label read namespaces' labels from a cache
                boolean namespaceLabelsCached = policyFile.isPresent()
                        || !config.guard().exemptNamespaceLabel().isEmpty();
                manager = Optional.of(CertificateManager.start(
                        client,
                        readiness,
                        (facts, namespaceLabels) -> {
                            labels.set(namespaceLabels::apply);
                            return new RoutePolicy(policyConfig, config.scope(), facts, (NamespaceRules.Source)
                                    new NamespacePolicies(snapshots, namespaceLabels::apply));
                        },
                        ClusterCaches.needed(
                                !config.scope().everythingInScope(), policyConfig.requireTls(), namespaceLabelsCached),
                        config.certificates(),
                        version(),
                        clock,
                        metrics.registry(),
                        guard,
                        Predecessors.of(config.adoptFrom()),
                        (caches, reconcilerPolicy) -> {
                            HostClaims started = HostClaims.start(
                                    client,
                                    caches,
                                    readiness,
                                    config.certificates(),
                                    policyConfig.defaultSyntax(),
                                    sharedHosts,
                                    version(),
                                    clock,
                                    metrics.registry());
                            claims.add(started);
                            HealthEvents health = new HealthEvents(
                                    caches,
                                    new KubeRouteEvents(client, Leadership.identity(), guard),
                                    clock,
                                    config.expiryWarning(),
                                    metrics.registry(),
                                    healthWorker());
                            caches.onChange(health::onChange);
                            LeaderWork work = health.alongside(started);
                            if (targetSource == null) {
                                return work;
                            }
                            DnsFollower follower = new DnsFollower(
                                    dnsStore,
                                    DnsFollower.RouteLookup.of(caches),
                                    targetSource,
                                    RouteJudge.of(
                                            reconcilerPolicy,
                                            started.ownership(),
                                            guard,
                                            namespace -> !namespaceLabelsCached
                                                    || caches.namespaceLabels(namespace)
                                                            .isPresent()),
                                    new DnsFollower.Settings(
                                            dns,
                                            config.adoptFrom(),
                                            policyConfig.defaultSyntax(),
                                            config.certificates().orphanGracePeriod(),
                                            config.certificates().resyncPeriod(),
                                            guard),
                                    clock,
                                    new KubeRouteEvents(client, Leadership.identity(), guard),
                                    dnsMetrics,
                                    () -> caches.allSynced() && started.claimsSynced());
                            followers.add(follower);
                            caches.onChange(follower::onChange);
                            serviceTargets.forEach(t -> t.onChange(follower::resync));
                            return new LeaderWork() {
                                @Override
                                public void start() {
                                    work.start();
                                    follower.start();
                                }

                                @Override
                                public void stop() {
                                    follower.stop();
                                    work.stop();
                                }
                            };
                        }));
                policy = manager.get().policy();
                CertificateManager started = manager.get();
                onReload.set(() -> {
                    started.policyChanged();
                    followers.forEach(DnsFollower::resync);
                });
                HostOwnership ownership = claims.get(0).ownership();
                mutate = new CertificateAdmission(policy, manager.get().admissionStore(), config.certificates(), clock)
                        .withFindings(findings)
                        .withOwnership(ownership)
                        .withPredecessors(Predecessors.of(config.adoptFrom()))
                        .withHealth(new HealthWarnings(
                                manager.get().admissionStore(),
                                clock,
                                config.expiryWarning(),
                                policyConfig.defaultSyntax()));
                if (targetSource != null) {
                    mutate = new DnsEndpointAdmission(
                            mutate,
                            policy,
                            policyConfig.defaultSyntax(),
                            dnsStore,
                            targetSource,
                            dns,
                            config.adoptFrom(),
                            config.certificates(),
                            clock,
                            dnsMetrics);
                }
                validate = new RouteAdmission(policy, RouteAdmission.Mode.VALIDATE)
                        .withOwnership(ownership, clock, config.certificates().writeTimeout());
            } else {
                log.info("certificates: not created and not reconciled, because routecert has no cluster connection;"
                        + " admission answers say so in a warning");
                // no IngressClass or Middleware is known: classless objects follow --scope-unclassed
                // nor any namespace's labels: the policy file's top level applies, and overrides by name
                policy = new RoutePolicy(policyConfig, config.scope(), ScopeFacts.NONE, (NamespaceRules.Source)
                        new NamespacePolicies(snapshots, NamespacePolicies.NamespaceLabels.NONE));
                mutate = new RouteAdmission(policy, RouteAdmission.Mode.MUTATE_WITHOUT_CLUSTER).withFindings(findings);
                validate = new RouteAdmission(policy, RouteAdmission.Mode.VALIDATE);
            }
            RoutecertServer server = new RoutecertServer(
                            config,
                            certificates,
                            clientCas.orElse(null),
                            new NamespaceGuard(guard, mutate),
                            new NamespaceGuard(guard, validate),
                            readiness,
                            metrics)
                    .start();
            return new Routecert(
                    metrics,
                    readiness,
                    certificates,
                    clientCas,
                    cluster,
                    manager,
                    policyFile,
                    claims.stream().findFirst(),
                    server,
                    serviceTargets.stream().findFirst());
        } catch (RuntimeException e) {
            certificates.close();
            clientCas.ifPresent(ClientCaSource::close);
            policyFile.ifPresent(PolicyFileSource::close);
            manager.ifPresent(CertificateManager::close);
            claims.forEach(HostClaims::close);
            serviceTargets.forEach(ServiceTargets::close);
            cluster.ifPresent(ClusterConnection::close);
            throw e;
        }
    }

    private static Optional<PolicyFileSource> policyFile(
            ServeConfig config, ServerMetrics metrics, AtomicReference<Runnable> onReload) {
        if (config.policyFile() == null) {
            log.info("policy file: none (--policy-file not set), the built-in defaults apply");
            return Optional.empty();
        }
        log.info("policy file: {}, checked every {}", config.policyFile(), config.policyReloadInterval());
        PolicyMetrics counted = new PolicyMetrics(metrics.registry());
        PolicyFileSource.Events events = new PolicyFileSource.Events() {
            @Override
            public void reloaded(PolicySnapshot snapshot) {
                counted.reloaded(snapshot);
                onReload.get().run();
            }

            @Override
            public void failed(List<String> problems) {
                counted.failed(problems);
            }
        };
        return Optional.of(new PolicyFileSource(config.policyFile(), config.policyReloadInterval(), events));
    }

    /**
     * The namespaces nothing is done in: by name, and by the exempt label, read from the Namespace
     * cache once routecert has a cluster connection (the guard is built before it).
     */
    private static WriteGuard writeGuard(ServeConfig config) {
        GuardOptions options = config.guard();
        log.info(
                "excluded namespaces: {}, and namespaces labelled {}",
                options.excludedNamespaces(),
                options.exemptNamespaceLabel().isEmpty() ? "(no label)" : options.exemptNamespaceLabel());
        return new WriteGuard(
                options.excludedNamespaces(), options.exemptNamespaceLabel(), WriteGuard.NamespaceLabels.NONE);
    }

    private static Optional<ClientCaSource> clientCaSource(ServeConfig config) {
        Path file = config.guard().clientCaFile();
        if (file == null) {
            return Optional.empty();
        }
        try {
            ClientCaSource source = new ClientCaSource(file, config.certReloadInterval());
            log.info(
                    "admission port: client certificates required, signed by a CA in {} (checked every {})",
                    file,
                    config.certReloadInterval());
            return Optional.of(source);
        } catch (CertificateLoadException e) {
            throw new IllegalStateException("--client-ca-file: " + e.getMessage(), e);
        }
    }

    private static CertificateSource certificateSource(ServeConfig config, ServerMetrics metrics) {
        if (config.usesCertificateFiles()) {
            log.info(
                    "serving certificate: {} and {}, checked every {}",
                    config.tlsCertFile(),
                    config.tlsPrivateKeyFile(),
                    config.certReloadInterval());
            return new FileCertificateSource(
                    config.tlsCertFile(),
                    config.tlsPrivateKeyFile(),
                    config.certReloadInterval(),
                    metrics,
                    Clock.system(),
                    config.tlsServerNames());
        }
        ServingCertificate selfSigned = SelfSignedCertificates.forLocalhost(Duration.ofDays(365));
        log.info(
                "serving certificate: self-signed for {} (no --tls-cert-file given), SHA-256 fingerprint {}",
                SelfSignedCertificates.LOCAL_NAMES,
                selfSigned.sha256Fingerprint());
        if (config.selfSignedCertOut() != null) {
            try {
                Files.writeString(
                        config.selfSignedCertOut(),
                        SelfSignedCertificates.certificatePem(selfSigned),
                        StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write --self-signed-cert-out " + config.selfSignedCertOut(), e);
            }
            log.info(
                    "self-signed certificate written to {} (use it with curl --cacert, or as a webhook caBundle)",
                    config.selfSignedCertOut());
        }
        return new FixedCertificateSource(selfSigned);
    }

    public int securePort() {
        return server.securePort();
    }

    public int healthPort() {
        return server.healthPort();
    }

    public Readiness readiness() {
        return readiness;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** The Certificate machinery, when there is a cluster. */
    public Optional<CertificateManager> certificates() {
        return certificateManager;
    }

    /** The policy in force: the policy file's current snapshot, or the built-in defaults. */
    public PolicySnapshot policy() {
        return policyFile.map(PolicyFileSource::get).orElse(PolicySnapshot.DEFAULTS);
    }

    public Optional<ClusterConnection> cluster() {
        return cluster;
    }

    /** Graceful stop, as on SIGTERM: the server drains first, then the Lease is released. */
    @Override
    public void close() {
        server.close();
        clientCas.ifPresent(ClientCaSource::close);
        certificateManager.ifPresent(CertificateManager::close);
        hostClaims.ifPresent(HostClaims::close);
        dnsTargets.ifPresent(ServiceTargets::close);
        cluster.ifPresent(ClusterConnection::close);
        policyFile.ifPresent(PolicyFileSource::close);
    }

    /** Host ownership, when there is a cluster. */
    public Optional<HostClaims> hostClaims() {
        return hostClaims;
    }

    private static String version() {
        String version = Routecert.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /** One daemon thread for health Events: in order, and off the informers' threads. */
    private static Executor healthWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "health-events");
            t.setDaemon(true);
            return t;
        });
    }
}
