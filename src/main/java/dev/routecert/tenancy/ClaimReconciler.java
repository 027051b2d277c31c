package dev.routecert.tenancy;

import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.FullPasses;
import dev.routecert.certificates.KeyedQueue;
import dev.routecert.certificates.QueueMetrics;
import dev.routecert.certificates.RouteEvents;
import dev.routecert.certificates.StoreException;
import dev.routecert.log.Log;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.policy.tenancy.SameClaimRule;
import dev.routecert.policy.tenancy.SameClaimRule.Held;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.time.Clock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Keeps host claims in step with the routes, on the leader: a name that stored routes serve without
 * a claim goes to the namespace of the oldest of them (this indexes the routes that existed before
 * routecert, and claims that admission could not write); the younger routes of other namespaces
 * get a {@value #CONFLICT_REASON} Event and are left as they are. A claim whose holder serves the
 * name no more is handed to the oldest other namespace serving it, or released when none does,
 * once the grace period has passed since both its last hand-over and the moment this replica saw
 * it unserved (so a route being replaced, or admitted and not stored yet, keeps it). Writes are
 * conditional on what was read; one worker on a de-duplicating queue, a full pass every resync.
 */
public final class ClaimReconciler implements AutoCloseable {

    public static final String CONFLICT_REASON = "HostConflict";
    private static final Log log = Log.of(ClaimReconciler.class);
    private static final Duration WRITE_DEADLINE = Duration.ofSeconds(10);
    private static final KeyedQueue.Backoff BACKOFF =
            new KeyedQueue.Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));

    private record Everything() {}

    private final HostClaimStore store;
    private final ServedIndex index;
    private final SharedHosts sharing;
    private final RouteEvents events;
    private final Duration grace;
    private final Clock clock;
    private final BooleanSupplier synced;
    private final KeyedQueue<Object> queue;
    private final FullPasses<Object> passes;

    // Written by the queue's worker only.
    private final Map<ClaimKey, Instant> unservedSince = new HashMap<>();
    private final Map<String, String> lastEvents = new ConcurrentHashMap<>();

    /**
     * @param synced   true once the route and claim caches have listed everything: before, a name may only look unserved
     * @param registry where its work queue reports, as {@code name="claims"} beside the Certificate reconciler's
     */
    public ClaimReconciler(
            HostClaimStore store,
            ServedIndex index,
            SharedHosts sharing,
            RouteEvents events,
            Duration grace,
            Duration resyncPeriod,
            Clock clock,
            BooleanSupplier synced,
            PrometheusRegistry registry) {
        this.store = store;
        this.index = index;
        this.sharing = sharing;
        this.events = events;
        this.grace = grace;
        this.clock = clock;
        this.synced = synced;
        this.queue = new KeyedQueue<>(
                "claim-reconciler", clock, BACKOFF, new QueueMetrics("claims", registry), this::process);
        this.passes = new FullPasses<>(queue, new Everything(), resyncPeriod, clock);
    }

    /** Keys whose routes or claim changed; ignored while this replica does not lead. */
    public void changed(Set<ClaimKey> keys) {
        if (passes.running()) {
            keys.forEach(queue::add);
        }
    }

    public void changed(ClaimKey key) {
        if (passes.running()) {
            queue.add(key);
        }
    }

    public synchronized void start() {
        if (passes.start()) {
            log.info("host claims: reconciling; claims of names nobody serves are released after {}", grace);
        }
    }

    public synchronized void stop() {
        if (passes.stop()) {
            unservedSince.clear();
        }
    }

    @Override
    public void close() {
        stop();
        queue.close();
    }

    /** Nothing due and nothing in progress; for tests. */
    public boolean idle() {
        return queue.idle();
    }

    /** Keys processed so far; for tests. */
    public long processed() {
        return queue.processed();
    }

    private void process(Object key) {
        if (!passes.running()) {
            return;
        }
        if (key instanceof ClaimKey k) {
            reconcile(k);
        } else {
            fullPass();
        }
    }

    private void fullPass() {
        if (!synced.getAsBoolean()) {
            queue.add(new Everything(), Duration.ofMillis(200));
            return;
        }
        Set<ClaimKey> keys = new LinkedHashSet<>();
        // oldest served first: where a name and its wildcard are served by different namespaces, the
        // one served first is claimed first, and the other is then reported
        List<ClaimKey> served = new ArrayList<>(index.keys());
        Map<ClaimKey, ServedIndex.Served> oldest = new HashMap<>();
        for (ClaimKey k : served) {
            List<ServedIndex.Served> servers = index.servers(k);
            if (!servers.isEmpty()) {
                oldest.put(k, servers.get(0));
            }
        }
        served.removeIf(k -> !oldest.containsKey(k));
        served.sort(Comparator.comparing((ClaimKey k) -> oldest.get(k), ServedIndex.OLDEST_FIRST)
                .thenComparing(Comparator.naturalOrder()));
        keys.addAll(served);
        store.cachedAll().forEach(c -> keys.add(c.key()));
        log.info("host claims: full pass over {} names", keys.size());
        keys.forEach(queue::add);
    }

    private void reconcile(ClaimKey key) {
        List<ServedIndex.Served> servers = index.servers(key);
        Optional<HostClaim> claim = store.cached(key);
        Deadline deadline = Deadline.in(WRITE_DEADLINE, clock);
        try {
            if (claim.isEmpty()) {
                unservedSince.remove(key);
                if (!servers.isEmpty()) {
                    claimForOldest(key, servers, deadline);
                }
            } else if (servers.stream()
                    .anyMatch(s -> s.route().namespace().equals(claim.get().holder()))) {
                unservedSince.remove(key);
                report(key, claim.get().holder(), servers);
            } else {
                release(key, claim.get(), servers, deadline);
            }
            queue.forget(key);
        } catch (StoreException e) {
            Duration delay = queue.retry(key);
            log.warn("host claims: {}: {}; retrying in {}", key, e.getMessage(), delay);
        }
    }

    private void claimForOldest(ClaimKey key, List<ServedIndex.Served> servers, Deadline deadline)
            throws StoreException {
        ServedIndex.Served first = servers.get(0);
        String namespace = first.route().namespace();
        Optional<Held> rival = SameClaimRule.rival(namespace, key, related(key), sharing);
        if (rival.isPresent()) {
            report(key, rival.get().holder(), servers);
            return;
        }
        try {
            store.create(key, namespace, first.route().annotationValue(), deadline);
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.ALREADY_EXISTS) {
                queue.add(key, Duration.ofMillis(200)); // the cache is behind: decide on what it shows next
                return;
            }
            throw e;
        }
        log.info(
                "host claims: {} claimed for namespace {}, whose {} is the oldest of {} routes serving it",
                key,
                namespace,
                first.route(),
                servers.size());
        report(key, namespace, servers);
    }

    private void release(ClaimKey key, HostClaim claim, List<ServedIndex.Served> servers, Deadline deadline)
            throws StoreException {
        Instant now = clock.instant();
        Instant since = unservedSince.computeIfAbsent(key, k -> now);
        Instant due = (since.isAfter(claim.renewed()) ? since : claim.renewed()).plus(grace);
        if (now.isBefore(due)) {
            queue.add(key, Duration.between(now, due).plusMillis(100));
            return;
        }
        unservedSince.remove(key);
        if (servers.isEmpty()) {
            store.delete(claim, deadline);
            log.info("host claims: {} released: namespace {} has served it no more for {}", key, claim.holder(), grace);
            return;
        }
        ServedIndex.Served next = servers.get(0);
        store.transfer(claim, next.route().namespace(), next.route().annotationValue(), deadline);
        log.info(
                "host claims: {} handed from namespace {}, which serves it no more, to namespace {} ({})",
                key,
                claim.holder(),
                next.route().namespace(),
                next.route());
        report(key, next.route().namespace(), servers);
    }

    /** Events on the routes of other namespaces that serve a name {@code holder} holds. */
    private void report(ClaimKey key, String holder, List<ServedIndex.Served> servers) {
        for (ServedIndex.Served s : servers) {
            String namespace = s.route().namespace();
            if (namespace.equals(holder) || sharing.shared(namespace, holder, key.name())) {
                continue;
            }
            String message = "another namespace serves " + key + " and holds it, so Traefik may send its requests"
                    + " to either; routecert leaves this route as it is but denies changes that keep the host:"
                    + " use another host, or ask the platform team to share it";
            String dedup = namespace + "/" + s.route().annotationValue() + "/" + key;
            if (message.equals(lastEvents.put(dedup, message))) {
                continue;
            }
            log.warn("host claims: {} serves {}, which namespace {} holds", s.route(), key, holder);
            events.record(s.route(), s.uid(), RouteEvents.WARNING, CONFLICT_REASON, "Claim", message);
        }
    }

    private List<Held> related(ClaimKey key) {
        List<Held> held = new ArrayList<>();
        if (key.wildcard()) {
            key.zone().ifPresent(zone -> store.cachedZone(zone).forEach(c -> held.add(new Held(c.key(), c.holder()))));
        } else {
            key.coveringWildcard().flatMap(store::cached).ifPresent(c -> held.add(new Held(c.key(), c.holder())));
        }
        return held;
    }
}
