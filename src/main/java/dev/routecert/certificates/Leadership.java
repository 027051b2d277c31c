package dev.routecert.certificates;

import dev.routecert.log.Log;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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

    public Leadership(
            KubernetesClient client,
            String namespace,
            String leaseName,
            String identity,
            Duration leaseDuration,
            Runnable onStart,
            Runnable onStop) {
        this.client = client;
        this.namespace = namespace;
        this.leaseName = leaseName;
        this.identity = identity;
        this.leaseDuration = leaseDuration;
        this.onStart = onStart;
        this.onStop = onStop;
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
                        .withLock(new LeaseLock(namespace, leaseName, identity))
                        .withLeaseDuration(leaseDuration)
                        .withRenewDeadline(Duration.ofMillis(leaseMillis * 2 / 3))
                        .withRetryPeriod(Duration.ofMillis(Math.max(200, leaseMillis / 5)))
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(
                                () -> {
                                    leading = true;
                                    log.info("leader election: {} leads; reconciling", identity);
                                    onStart.run();
                                },
                                () -> {
                                    if (leading) {
                                        leading = false;
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
            onStop.run();
        }
        executor.shutdown();
    }
}
