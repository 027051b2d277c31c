package dev.routecert.certificates;

import dev.routecert.log.Log;
import dev.routecert.log.RepeatedFailure;
import dev.routecert.time.Clock;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Runs {@code onStart} while this process holds the {@code coordination.k8s.io/v1} Lease, and
 * {@code onStop} when it loses it; after losing it, it stands as a candidate again. Closing releases
 * the Lease, so another replica takes over within its retry period instead of a whole lease duration.
 */
public final class Leadership implements AutoCloseable {

    private static final Log log = Log.of(Leadership.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String leaseName;
    private final String identity;
    private final Duration leaseDuration;
    private final Runnable onStart;
    private final Runnable onStop;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "leader-election");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;
    private volatile boolean leading;
    private volatile CompletableFuture<?> election;
    private final Gauge master;
    private final Gauge blocked;
    private final Counter failures;
    private final RepeatedFailure failure;
    /** Whether the failure going on is of a write (create, renew) rather than a read. */
    private volatile boolean failedOnWrite;

    /** Why this replica cannot take part in the election: bounded values of {@code routecert_leader_election_blocked}. */
    enum Blocked {
        NAMESPACE_NOT_FOUND("namespace_not_found"),
        FORBIDDEN("forbidden"),
        API_SERVER_UNREACHABLE("api_server_unreachable"),
        ERROR("error");

        final String label;

        Blocked(String label) {
            this.label = label;
        }
    }

    public Leadership(
            KubernetesClient client,
            String namespace,
            String leaseName,
            String identity,
            Duration leaseDuration,
            Runnable onStart,
            Runnable onStop,
            PrometheusRegistry registry,
            Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.leaseName = leaseName;
        this.identity = identity;
        this.leaseDuration = leaseDuration;
        this.onStart = onStart;
        this.onStop = onStop;
        master = Gauge.builder()
                .name("leader_election_master_status")
                .help("Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1"
                        + " indicates master. 'name' is the string used to identify the lease. Please make sure to"
                        + " group by name.")
                .labelNames("name")
                .register(registry);
        master.labelValues(leaseName).set(0);
        blocked = Gauge.builder()
                .name("routecert_leader_election_blocked")
                .help("1 while this replica's last attempt to read, create or renew the Lease failed, by reason"
                        + " (namespace_not_found, forbidden, api_server_unreachable, error); 0 otherwise")
                .labelNames("reason")
                .register(registry);
        failures = Counter.builder()
                .name("routecert_leader_election_failures_total")
                .help("Failed calls to read, create or renew the leader-election Lease, by the reason of"
                        + " routecert_leader_election_blocked")
                .labelNames("reason")
                .register(registry);
        for (Blocked reason : Blocked.values()) {
            blocked.labelValues(reason.label).set(0);
            failures.labelValues(reason.label);
        }
        failure = new RepeatedFailure(
                log, "leader election: Lease " + namespace + "/" + leaseName + " for " + identity, clock);
    }

    /** The Lease calls, with each failure reported once with its cause (then counted) and exported by reason. */
    private final class ReportingLock implements Lock {
        private final Lock lock;

        ReportingLock(Lock lock) {
            this.lock = lock;
        }

        @Override
        public LeaderElectionRecord get(KubernetesClient client) {
            return reported(false, () -> lock.get(client));
        }

        @Override
        public void create(KubernetesClient client, LeaderElectionRecord record) {
            reported(true, () -> {
                lock.create(client, record);
                return null;
            });
        }

        @Override
        public void update(KubernetesClient client, LeaderElectionRecord record) {
            reported(true, () -> {
                lock.update(client, record);
                return null;
            });
        }

        @Override
        public String identity() {
            return lock.identity();
        }

        @Override
        public String describe() {
            return lock.describe();
        }

        /**
         * A read that works ends a failure of reads only: with a missing namespace the read works (no
         * Lease) and the create fails. A write that works ends any failure.
         */
        private <T> T reported(boolean write, Supplier<T> call) {
            try {
                T result = call.get();
                succeeded(write);
                return result;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) { // 409: another replica renewed first, the election's normal race
                    failed(write, reason(e), e);
                }
                throw e;
            } catch (RuntimeException e) {
                failed(write, Blocked.ERROR, e);
                throw e;
            }
        }
    }

    static Blocked reason(KubernetesClientException e) {
        if (e.getCode() == 404
                && e.getStatus() != null
                && e.getStatus().getDetails() != null
                && "namespaces".equals(e.getStatus().getDetails().getKind())) {
            return Blocked.NAMESPACE_NOT_FOUND; // the Lease's own absence is no error: get answers null
        }
        if (e.getCode() == 401 || e.getCode() == 403) {
            return Blocked.FORBIDDEN;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return Blocked.API_SERVER_UNREACHABLE;
            }
        }
        return Blocked.ERROR;
    }

    private void failed(boolean write, Blocked reason, RuntimeException e) {
        failedOnWrite = write;
        for (Blocked r : Blocked.values()) {
            blocked.labelValues(r.label).set(r == reason ? 1 : 0);
        }
        failures.labelValues(reason.label).inc();
        String message = e instanceof KubernetesClientException k
                        && k.getStatus() != null
                        && k.getStatus().getMessage() != null
                ? k.getStatus().getMessage()
                : Log.describe(e);
        failure.failed(reason.label + ": " + message);
    }

    private void succeeded(boolean write) {
        if (failure.failing() && (write || !failedOnWrite)) {
            for (Blocked r : Blocked.values()) {
                blocked.labelValues(r.label).set(0);
            }
            failure.recovered();
        }
    }

    /** The pod's name (HOSTNAME) or the host name, plus a random suffix so that restarts are told apart. */
    public static String identity() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "routecert";
            }
        }
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        return host + "-" + HexFormat.of().formatHex(suffix);
    }

    public Leadership start() {
        log.info(
                "leader election: {} stands for Lease {}/{} (lease {})", identity, namespace, leaseName, leaseDuration);
        elect();
        return this;
    }

    private synchronized void elect() {
        if (closed) {
            return;
        }
        long leaseMillis = leaseDuration.toMillis();
        LeaderElector elector = new LeaderElectorBuilder(client, executor)
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName("routecert-reconciler")
                        .withLock(new ReportingLock(new LeaseLock(namespace, leaseName, identity)))
                        .withLeaseDuration(leaseDuration)
                        .withRenewDeadline(Duration.ofMillis(leaseMillis * 2 / 3))
                        .withRetryPeriod(Duration.ofMillis(Math.max(200, leaseMillis / 5)))
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(
                                () -> {
                                    leading = true;
                                    master.labelValues(leaseName).set(1);
                                    log.info("leader election: {} leads; reconciling", identity);
                                    onStart.run();
                                },
                                () -> {
                                    if (leading) {
                                        leading = false;
                                        master.labelValues(leaseName).set(0);
                                        log.info("leader election: {} stopped leading", identity);
                                        onStop.run();
                                    }
                                },
                                leader -> log.info("leader election: leader is {}", leader)))
                        .build())
                .build();
        CompletableFuture<?> future = elector.start();
        election = future;
        future.whenComplete((ok, error) -> {
            if (error != null && !closed) {
                log.warn("leader election: {} ended: {}", identity, error.toString());
            }
            if (!closed) {
                executor.execute(this::elect); // lost the Lease or failed: stand again
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<?> future = election;
        if (future != null) {
            future.cancel(true); // releases the Lease (releaseOnCancel)
        }
        if (leading) {
            leading = false;
            master.labelValues(leaseName).set(0);
            onStop.run();
        }
        executor.shutdown();
    }
}
