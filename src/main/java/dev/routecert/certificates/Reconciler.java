package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.log.Log;
import dev.routecert.policy.Coverage;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.Violation;
import dev.routecert.time.Clock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps every route's Certificate right after admission: adopts it once the route exists
 * (controller ownerReference, so the garbage collector deletes it with the route), restores it when
 * edited or deleted by hand, updates or deletes it when the route's TLS changes or goes away (the
 * Secret stays), deletes orphans whose route never came to exist after the grace period, and
 * creates the Certificates of routes that existed before routecert.
 *
 * <p>Work is keyed by <em>slot</em>: a namespace and a Certificate name (= secretName). All routes
 * that plan a Certificate of that name claim the slot; one of them owns the Certificate (the one its
 * annotation names, else the oldest), the others reuse it when it covers them and get a Warning
 * Event when it does not. When the owner stops claiming the slot, the next claimant takes the
 * Certificate over instead of it being deleted, so a namespace-wide wildcard shared by many routes
 * neither flaps nor disappears while one of them still needs it. One worker, a de-duplicating
 * queue, and a full pass every resync period. All its waiting is on one {@link Clock}.
 */
public final class Reconciler implements AutoCloseable {

    private static final Log log = Log.of(Reconciler.class);
    /** Writes outside admission have no webhook timeout to respect, only a bound against hanging. */
    static final Duration WRITE_DEADLINE = Duration.ofSeconds(10);

    /**
     * A failed Certificate write is retried after 1 s, doubling up to 5 min, until one goes through.
     * Unlike controller-runtime's 5 ms start, the first retry comes after the informer has usually
     * caught up, so a conflict is decided again on fresh data instead of failing the same way; the
     * cap bounds how long a Certificate lags once the API server is back (a route change or a resync
     * retries at once anyway), while a write that keeps failing costs one call and one Event every
     * 5 min.
     */
    static final KeyedQueue.Backoff BACKOFF = new KeyedQueue.Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));

    private sealed interface Key {}

    private record RouteKey(CachedKind kind, String namespace, String name) implements Key {}

    private record SlotKey(String namespace, String name) implements Key {}

    private record Everything() implements Key {}

    /** A route as last evaluated: who it is and the Certificates it plans (empty when it plans none). */
    record RouteState(
            RouteRef ref, String uid, String resourceVersion, Instant created, List<PlannedCertificate> plans) {}

    private final ClusterView cluster;
    private final CertificateStore store;
    private final RoutePolicy policy;
    private final RouteEvents events;
    private final Duration orphanGrace;
    private final Duration resyncPeriod;
    private final Clock clock;
    private final WriteGuard guard;
    /** Set before {@link #start()}; read by the worker thread only after. */
    private volatile Predecessors predecessors = Predecessors.DEFAULT;

    private final KeyedQueue<Key> queue;
    private final FullPasses<Key> passes;

    // Written only by the queue's single worker thread; routes is read by tests too.
    private final Map<RouteKey, RouteState> routes = new ConcurrentHashMap<>();
    private final Map<SlotKey, Set<RouteKey>> claims = new HashMap<>();
    /** Routes whose checks threw: skipped, their Certificates left as they are until they can be judged. */
    private final Set<RouteKey> unjudged = ConcurrentHashMap.newKeySet();

    /** The labels last seen per namespace, to tell a label change from any other namespace event. */
    private final Map<String, JsonNode> namespaceLabels = new ConcurrentHashMap<>();
    /**
     * Routes out of scope or opted out: they plan nothing, and the Certificate routecert made for one
     * earlier stays until the route is deleted (its ownerReference lets the garbage collector delete it).
     */
    private final Set<RouteKey> unmanaged = ConcurrentHashMap.newKeySet();
    /** The last event message per route and reason, so a resync does not repeat the same event. */
    private final Map<String, String> lastEvents = new ConcurrentHashMap<>();

    public Reconciler(
            ClusterView cluster,
            CertificateStore store,
            RoutePolicy policy,
            RouteEvents events,
            Duration orphanGrace,
            Duration resyncPeriod,
            Clock clock,
            PrometheusRegistry registry) {
        this(cluster, store, policy, events, orphanGrace, resyncPeriod, clock, registry, WriteGuard.NONE);
    }

    /**
     * {@code guard} names the namespaces the reconciler leaves alone: their routes are indexed with
     * no Certificates and are not judged, and their Certificates are neither created, changed nor
     * deleted.
     */
    public Reconciler(
            ClusterView cluster,
            CertificateStore store,
            RoutePolicy policy,
            RouteEvents events,
            Duration orphanGrace,
            Duration resyncPeriod,
            Clock clock,
            PrometheusRegistry registry,
            WriteGuard guard) {
        this.guard = guard;
        this.cluster = cluster;
        this.store = store;
        this.policy = policy;
        this.events = events;
        this.orphanGrace = orphanGrace;
        this.resyncPeriod = resyncPeriod;
        this.clock = clock;
        this.queue =
                new KeyedQueue<>("reconciler", clock, BACKOFF, new QueueMetrics("reconciler", registry), this::process);
        this.passes = new FullPasses<>(queue, new Everything(), resyncPeriod, clock);
    }

    /** To be called for every cached change; ignored while this instance is not reconciling. */
    public void onChange(CachedKind kind, JsonNode object) {
        JsonNode meta = object.path("metadata");
        if (kind == CachedKind.NAMESPACE) {
            namespaceChanged(meta); // tracked while not reconciling too, to know a change from a first sighting
            return;
        }
        if (!passes.running()) {
            return;
        }
        String namespace = meta.path("namespace").asText("");
        if (kind.isRoute()) {
            queue.add(new RouteKey(kind, namespace, meta.path("name").asText()));
        } else if (kind == CachedKind.CERTIFICATE) {
            queue.add(new SlotKey(namespace, meta.path("name").asText()));
        } else if (kind == CachedKind.INGRESS_CLASS) {
            queue.add(new Everything()); // the default class decides the scope of classless Ingresses
        }
    }

    /**
     * A namespace's labels select its policy (modes, opt-out): when they change, its routes are judged
     * again. The first sighting of a namespace changes nothing the last full pass did not see.
     */
    private void namespaceChanged(JsonNode meta) {
        String name = meta.path("name").asText("");
        JsonNode labels = meta.path("labels");
        JsonNode before = namespaceLabels.put(name, labels.isObject() ? labels : MissingNode.getInstance());
        if (!passes.running() || before == null || before.equals(namespaceLabels.get(name))) {
            return;
        }
        log.info("reconciler: the labels of namespace {} changed; judging its routes again", name);
        for (CachedKind route : CachedKind.values()) {
            if (route.isRoute()) {
                for (JsonNode object : cluster.list(route)) {
                    JsonNode m = object.path("metadata");
                    if (name.equals(m.path("namespace").asText())) {
                        queue.add(new RouteKey(route, name, m.path("name").asText()));
                    }
                }
            }
        }
    }

    /** A full pass soon, if reconciling: the policy changed, and with it what gets a Certificate. */
    public void policyChanged() {
        if (passes.running()) {
            queue.add(new Everything());
        }
    }

    /** Takes over the Certificates these predecessors made for a route ({@code --adopt-from}); call before starting. */
    public Reconciler adoptingFrom(Predecessors predecessors) {
        this.predecessors = predecessors;
        return this;
    }

    /** Starts reconciling: a full pass now, and again every resync period. */
    public void start() {
        if (passes.start()) {
            log.info("reconciler: started; full pass every {}, orphan grace period {}", resyncPeriod, orphanGrace);
        }
    }

    /** Stops reconciling (leadership lost); work in progress finishes. */
    public void stop() {
        if (passes.stop()) {
            log.info("reconciler: stopped");
        }
    }

    @Override
    public void close() {
        stop();
        queue.close();
    }

    /**
     * Whether the reconciler has indexed {@code route} at {@code resourceVersion} and has no work
     * due: every Certificate decision that version leads to has been made. For tests that must know
     * a pass has happened before they check that it changed nothing.
     */
    public boolean caughtUpWith(RouteRef route, String resourceVersion) {
        boolean indexed = CachedKind.route(route.group(), route.kind())
                .map(kind -> routes.get(new RouteKey(kind, route.namespace(), route.name())))
                .filter(state -> state.resourceVersion.equals(resourceVersion))
                .isPresent();
        return indexed && queue.idle();
    }

    /**
     * Whether the reconciler's cache holds the Certificate {@code namespace/name} at
     * {@code resourceVersion} and has no work due: it has judged that version. For tests that check a
     * Certificate settles rather than flaps.
     */
    public boolean caughtUpWithCertificate(String namespace, String name, String resourceVersion) {
        boolean seen = cluster.get(CachedKind.CERTIFICATE, namespace, name)
                .filter(c -> c.path("metadata").path("resourceVersion").asText().equals(resourceVersion))
                .isPresent();
        return seen && queue.idle();
    }

    /** Keys processed so far; with {@link #idle()}, for tests that wait for the worker rather than sleep. */
    long processed() {
        return queue.processed();
    }

    /** Nothing due and nothing in progress. */
    boolean idle() {
        return queue.idle();
    }

    private void process(Key key) {
        if (!passes.running()) {
            return;
        }
        switch (key) {
            case Everything e -> fullPass();
            case RouteKey r -> routeChanged(r);
            case SlotKey s -> reconcileSlot(s);
        }
    }

    private void fullPass() {
        if (!cluster.allSynced()) {
            queue.add(new Everything(), Duration.ofMillis(200)); // a route not listed yet is no orphan's proof
            return;
        }
        routes.clear();
        claims.clear();
        unjudged.clear();
        unmanaged.clear();
        Set<SlotKey> slots = new LinkedHashSet<>();
        for (CachedKind kind : CachedKind.values()) {
            if (kind.isRoute()) {
                for (JsonNode object : cluster.list(kind)) {
                    slots.addAll(index(kind, object));
                }
            }
        }
        for (JsonNode certificate : cluster.list(CachedKind.CERTIFICATE)) {
            ExistingCertificate c = ExistingCertificate.from(certificate);
            if (c.managedByRoutecert() && !guard.isExcluded(c.namespace())) {
                slots.add(new SlotKey(c.namespace(), c.name()));
            }
        }
        log.info("reconciler: full pass over {} routes and {} Certificate names", routes.size(), slots.size());
        slots.forEach(queue::add);
    }

    private void routeChanged(RouteKey key) {
        Set<SlotKey> affected = new LinkedHashSet<>(unindex(key));
        cluster.get(key.kind, key.namespace, key.name).ifPresent(object -> affected.addAll(index(key.kind, object)));
        // from the cache's index: a scan of every Certificate per route event made a burst of route
        // changes quadratic in the cluster's size
        for (JsonNode certificate :
                cluster.certificatesOf(new RouteRef(key.kind.group(), key.kind.kind(), key.namespace, key.name))) {
            ExistingCertificate c = ExistingCertificate.from(certificate);
            affected.add(new SlotKey(c.namespace(), c.name()));
        }
        affected.forEach(queue::add);
    }

    /** Re-indexes a route whose cached version differs from the indexed one; other slots it touches are queued. */
    private void refresh(RouteKey key, SlotKey current) {
        Optional<JsonNode> cached = cluster.get(key.kind, key.namespace, key.name);
        RouteState known = routes.get(key);
        String version = cached.map(
                        o -> o.path("metadata").path("resourceVersion").asText(""))
                .orElse(null);
        if (known == null ? cached.isEmpty() : known.resourceVersion.equals(version)) {
            return;
        }
        Set<SlotKey> affected = new LinkedHashSet<>(unindex(key));
        cached.ifPresent(object -> affected.addAll(index(key.kind, object)));
        affected.remove(current);
        affected.forEach(queue::add);
    }

    /** The cached routes a predecessor would have named {@code found} after: {@code <route>-tls}. */
    private List<RouteKey> predecessorRoutes(ExistingCertificate found) {
        if (!found.name().endsWith("-tls")) {
            return List.of();
        }
        String name = found.name().substring(0, found.name().length() - "-tls".length());
        List<RouteKey> keys = new ArrayList<>();
        for (CachedKind kind : CachedKind.values()) {
            if (kind.isRoute() && cluster.get(kind, found.namespace(), name).isPresent()) {
                keys.add(new RouteKey(kind, found.namespace(), name));
            }
        }
        return keys;
    }

    /** Re-indexes a route whatever its version; other slots it touches are queued. */
    private void reindex(RouteKey key, SlotKey current) {
        Set<SlotKey> affected = new LinkedHashSet<>(unindex(key));
        cluster.get(key.kind, key.namespace, key.name).ifPresent(object -> affected.addAll(index(key.kind, object)));
        affected.remove(current);
        affected.forEach(queue::add);
    }

    /** Evaluates a route and records the slots it claims; returns them. */
    private Set<SlotKey> index(CachedKind kind, JsonNode object) {
        RouteState state = evaluate(kind, object);
        RouteKey key = new RouteKey(kind, state.ref.namespace(), state.ref.name());
        routes.put(key, state);
        Set<SlotKey> slots = new LinkedHashSet<>();
        for (PlannedCertificate plan : state.plans) {
            SlotKey slot = new SlotKey(plan.namespace(), plan.name());
            claims.computeIfAbsent(slot, s -> new HashSet<>()).add(key);
            slots.add(slot);
        }
        return slots;
    }

    private Set<SlotKey> unindex(RouteKey key) {
        unjudged.remove(key);
        unmanaged.remove(key);
        RouteState old = routes.remove(key);
        Set<SlotKey> slots = new LinkedHashSet<>();
        if (old != null) {
            for (PlannedCertificate plan : old.plans) {
                SlotKey slot = new SlotKey(plan.namespace(), plan.name());
                Set<RouteKey> claimants = claims.get(slot);
                if (claimants != null) {
                    claimants.remove(key);
                    if (claimants.isEmpty()) {
                        claims.remove(slot);
                    }
                }
                slots.add(slot);
            }
        }
        return slots;
    }

    /**
     * The Certificates a stored route needs. Only an allowed verdict without a patch counts: a stored
     * route that the webhook would still change (no secretName yet) or deny is not what Traefik serves
     * as routecert would have it, so it gets a Warning Event instead of a Certificate.
     */
    private RouteState evaluate(CachedKind kind, JsonNode object) {
        JsonNode meta = object.path("metadata");
        RouteRef ref = new RouteRef(
                kind.group(),
                kind.kind(),
                meta.path("namespace").asText(""),
                meta.path("name").asText(""));
        String uid = meta.path("uid").asText("");
        String resourceVersion = meta.path("resourceVersion").asText("");
        Instant created =
                ExistingCertificate.instant(meta.path("creationTimestamp").asText(null));
        if (meta.hasNonNull("deletionTimestamp") || guard.isExcluded(ref.namespace())) {
            return new RouteState(ref, uid, resourceVersion, created, List.of());
        }
        Verdict verdict;
        try {
            ScopedVerdict judged = policy.judge(PolicyRequest.create(object, ref.namespace()));
            if (judged.skipped()) {
                unmanaged.add(new RouteKey(kind, ref.namespace(), ref.name()));
                log.debug("reconciler: {} is not managed: {} ({})", ref, judged.status(), judged.why());
                return new RouteState(ref, uid, resourceVersion, created, List.of());
            }
            verdict = judged.verdict();
        } catch (RuntimeException | StackOverflowError e) {
            // one object that breaks a check must not stop the pass over all the others
            unjudged.add(new RouteKey(kind, ref.namespace(), ref.name()));
            boolean recorded = event(
                    ref,
                    uid,
                    RouteEvents.WARNING,
                    "CertificateFailed",
                    "Evaluate",
                    "routecert could not check this route (a check failed with "
                            + e.getClass().getSimpleName()
                            + ") and leaves its Certificates as they are; this is a routecert bug, see routecert's log");
            if (recorded) {
                log.error("reconciler: checks failed on {} uid={}; skipped", ref, uid, e);
            }
            return new RouteState(ref, uid, resourceVersion, created, List.of());
        }
        if (!verdict.audit().isEmpty()) {
            // audit admits silently; the stored object (which, unlike a CREATE's review, has a uid) carries the word
            event(ref, uid, RouteEvents.WARNING, "PolicyAudit", "Audit", auditNote(verdict.audit()));
        }
        if (!verdict.allowed()) {
            if (object.path("spec").has("tls")) { // a route without TLS needs no word about Certificates
                event(
                        ref,
                        uid,
                        RouteEvents.WARNING,
                        "CertificateFailed",
                        "Evaluate",
                        "routecert creates no Certificate for this route: " + verdict.summary());
            }
            return new RouteState(ref, uid, resourceVersion, created, List.of());
        }
        if (verdict.patch() != null && !verdict.certificates().isEmpty()) {
            event(
                    ref,
                    uid,
                    RouteEvents.WARNING,
                    "CertificateFailed",
                    "Evaluate",
                    "routecert creates no Certificate for this route: it has TLS without a secretName; apply it again so the"
                            + " webhook sets one");
            return new RouteState(ref, uid, resourceVersion, created, List.of());
        }
        // a Certificate a predecessor made for the route is its slot, under the predecessor's name
        List<PlannedCertificate> plans = verdict.certificates().stream()
                .map(plan -> predecessors
                        .find(
                                plan,
                                ref,
                                uid,
                                name -> cluster.get(CachedKind.CERTIFICATE, plan.namespace(), name)
                                        .map(ExistingCertificate::from))
                        .plan())
                .toList();
        return new RouteState(ref, uid, resourceVersion, created, plans);
    }

    /** {@code [id] field: message} per audit finding, one per line. */
    static String auditNote(List<Violation> audit) {
        StringBuilder b = new StringBuilder("routecert admitted this route in audit mode with these findings: ");
        for (int i = 0; i < audit.size(); i++) {
            b.append(i == 0 ? "" : "; ").append(audit.get(i).bounded().warningText());
        }
        return b.toString();
    }

    /** The routes claiming a slot, oldest first (then by identity), with the plan each has for it. */
    private List<Claim> claimants(SlotKey slot) {
        List<Claim> out = new ArrayList<>();
        for (RouteKey key : claims.getOrDefault(slot, Set.of())) {
            RouteState state = routes.get(key);
            if (state == null) {
                continue;
            }
            state.plans.stream()
                    .filter(p -> p.name().equals(slot.name))
                    .findFirst()
                    .ifPresent(plan -> out.add(new Claim(state, plan)));
        }
        out.sort(Comparator.comparing((Claim c) -> c.state.created).thenComparing(c -> c.state.ref, RouteRef.ORDER));
        return out;
    }

    private record Claim(RouteState state, PlannedCertificate plan) {}

    private void reconcileSlot(SlotKey slot) {
        if (guard.isExcluded(slot.namespace)) {
            return; // whatever is there was not made for a route routecert judged
        }
        Optional<ExistingCertificate> existing =
                cluster.get(CachedKind.CERTIFICATE, slot.namespace, slot.name).map(ExistingCertificate::from);
        // Judge the slot on the routes as the cache shows them now, not as their queued events left the index.
        Set<RouteKey> involved = new LinkedHashSet<>(claims.getOrDefault(slot, Set.of()));
        existing.flatMap(ExistingCertificate::route)
                .ifPresent(owner -> CachedKind.route(owner.group(), owner.kind())
                        .ifPresent(kind -> involved.add(new RouteKey(kind, owner.namespace(), owner.name()))));
        involved.forEach(key -> refresh(key, slot));
        // a predecessor's Certificate that just appeared: its route's plan may now be named after it
        existing.filter(c -> c.route().isEmpty() && !claims.containsKey(slot))
                .filter(c -> predecessors.manager(c).isPresent())
                .ifPresent(c -> predecessorRoutes(c).forEach(key -> reindex(key, slot)));
        List<Claim> claimants = claimants(slot);
        Deadline deadline = Deadline.in(WRITE_DEADLINE, clock);
        boolean failed = false;
        try {
            if (existing.isEmpty()) {
                if (!claimants.isEmpty()) {
                    establish(claimants.get(0), Optional.empty(), deadline, "CertificateCreated", "created");
                }
                return;
            }
            ExistingCertificate found = existing.get();
            if (found.deleting()) {
                return; // its deletion event brings the slot back here
            }
            // a Certificate its route controls is that route's own, whoever wrote it (cert-manager's
            // ingress-shim writes no route annotation)
            Optional<RouteRef> controlling = found.route().isPresent()
                    ? Optional.empty()
                    : claimants.stream()
                            .filter(c -> predecessors.owns(found, c.state.ref, c.state.uid))
                            .map(c -> c.state.ref)
                            .findFirst();
            if (controlling.isEmpty()
                    && (!found.managedByRoutecert() || found.route().isEmpty())) {
                claimants.forEach(
                        c -> warnIfNotCovered(c, found, "it was not created by routecert, which never changes it"));
                return;
            }
            RouteRef owner = controlling.orElseGet(() -> found.route().get());
            boolean ownerUnjudged = CachedKind.route(owner.group(), owner.kind())
                    .map(k -> unjudged.contains(new RouteKey(k, owner.namespace(), owner.name())))
                    .orElse(false);
            if (ownerUnjudged) {
                return; // nothing is known of what its route needs: neither delete nor hand it over
            }
            boolean ownerUnmanaged = CachedKind.route(owner.group(), owner.kind())
                    .map(k -> unmanaged.contains(new RouteKey(k, owner.namespace(), owner.name())))
                    .orElse(false);
            if (ownerUnmanaged) {
                // out of scope or opted out: routecert no longer acts on the route, so it neither deletes
                // its Certificate (another controller may serve the route with it) nor hands it over
                return;
            }
            Optional<Instant> ahead = writtenAhead(found, owner);
            if (ahead.isPresent()) {
                // admission wrote it for a route update the cache has not shown yet: that update decides
                queue.add(slot, Duration.between(clock.instant(), ahead.get()).plusMillis(100));
                return;
            }
            Optional<Claim> ownerClaim =
                    claimants.stream().filter(c -> c.state.ref.equals(owner)).findFirst();
            if (ownerClaim.isPresent()) {
                establish(ownerClaim.get(), existing, deadline, "CertificateUpdated", "updated");
                claimants.stream()
                        .filter(c -> c != ownerClaim.get())
                        .forEach(c -> warnIfNotCovered(c, found, "it belongs to " + owner));
                return;
            }
            boolean ownerExists = CachedKind.route(owner.group(), owner.kind())
                    .flatMap(k -> cluster.get(k, owner.namespace(), owner.name()))
                    .isPresent();
            Instant graceEnds = found.created().plus(orphanGrace);
            boolean young = !ownerExists
                    && found.ownerUids().isEmpty()
                    && clock.instant().isBefore(graceEnds);
            if (!claimants.isEmpty()) {
                Claim next = claimants.get(0);
                boolean sameSpec = CertificatePlanner.render(next.plan, next.state.ref, null)
                        .path("spec")
                        .equals(found.spec());
                if (young && !sameSpec) {
                    // The route that admission created it for may not be stored yet: wait before handing it over.
                    queue.add(slot, Duration.between(clock.instant(), graceEnds).plusMillis(100));
                    return;
                }
                establish(next, existing, deadline, "CertificateUpdated", "took over from " + owner + " and updated");
                return;
            }
            if (ownerExists) {
                delete(found, deadline, owner, "the route no longer needs it");
            } else if (!found.ownerUids().isEmpty()) {
                log.debug(
                        "reconciler: {} has an ownerReference to the deleted {}; the garbage collector deletes it",
                        found.ref(),
                        owner);
            } else if (young) {
                queue.add(slot, Duration.between(clock.instant(), graceEnds).plusMillis(100));
            } else {
                delete(
                        found,
                        deadline,
                        null,
                        "orphan: " + owner + " never came to exist within the grace period of " + orphanGrace);
            }
        } catch (StoreException e) {
            failed = true;
            Duration delay = queue.retry(slot);
            log.warn(
                    "reconciler: Certificate {}/{}: {}; retrying in {}",
                    slot.namespace,
                    slot.name,
                    e.getMessage(),
                    delay);
            // a conflict means the cache was behind another writer (cert-manager updates a new
            // Certificate's status within seconds): the retry decides on fresh data, nothing to tell
            claimants.stream()
                    .filter(c -> e.kind() != StoreException.Kind.CONFLICT)
                    .findFirst()
                    .ifPresent(c -> event(
                            c.state.ref,
                            c.state.uid,
                            RouteEvents.WARNING,
                            "CertificateFailed",
                            "Reconcile",
                            e.getMessage()));
        } finally {
            if (!failed) {
                queue.forget(slot);
            }
        }
    }

    /**
     * When admission wrote the Certificate ahead of a route update that the cache does not show yet
     * (the owner's cached resourceVersion is still the one it was written ahead of) and the grace
     * period has not passed: the time to look again. A rejected update never shows up, so after the
     * grace period the Certificate follows the stored route again.
     */
    private Optional<Instant> writtenAhead(ExistingCertificate found, RouteRef owner) {
        if (found.writtenAheadOf() == null) {
            return Optional.empty();
        }
        Instant until = found.writtenAt().plus(orphanGrace);
        if (!clock.instant().isBefore(until)) {
            return Optional.empty();
        }
        String cachedVersion = CachedKind.route(owner.group(), owner.kind())
                .flatMap(k -> cluster.get(k, owner.namespace(), owner.name()))
                .map(o -> o.path("metadata").path("resourceVersion").asText(""))
                .orElse("");
        return found.writtenAheadOf().equals(cachedVersion) ? Optional.of(until) : Optional.empty();
    }

    /** Creates or updates the Certificate of {@code claim}'s route, with its ownerReference, if anything differs. */
    private void establish(
            Claim claim, Optional<ExistingCertificate> existing, Deadline deadline, String reason, String verb)
            throws StoreException {
        RouteState route = claim.state;
        if (existing.isPresent() && !predecessors.owns(existing.get(), route.ref, route.uid)) {
            handOver(claim, existing.get(), deadline, reason, verb);
            return;
        }
        CertificatePlanner.Outcome outcome = CertificatePlanner.decide(
                claim.plan,
                route.ref,
                route.uid,
                existing,
                store::cachedIssuer,
                "spec.tls",
                "metadata.annotations",
                predecessors);
        switch (outcome.decision()) {
            case CertificatePlanner.Deny deny ->
                event(
                        route.ref,
                        route.uid,
                        RouteEvents.WARNING,
                        "CertificateFailed",
                        "Reconcile",
                        "routecert creates no Certificate " + claim.plan.name() + " for this route: " + deny.message());
            case CertificatePlanner.UpToDate u -> {}
            case CertificatePlanner.Reuse r -> {}
            case CertificatePlanner.Create create -> {
                SecretState secret = store.readSecret(claim.plan.namespace(), claim.plan.secretName(), deadline);
                if (!secret.writableFor(claim.plan.name())) {
                    event(
                            route.ref,
                            route.uid,
                            RouteEvents.WARNING,
                            "CertificateFailed",
                            "Create",
                            "routecert did not create Certificate " + claim.plan.name() + ": Secret "
                                    + claim.plan.secretName()
                                    + " exists and was not written by cert-manager for it; delete the Secret to hand it to cert-manager");
                    return;
                }
                ExistingCertificate created = store.create(create.certificate(), deadline);
                log.info("reconciler: created {} for {}", created.ref(), route.ref);
                event(
                        route.ref,
                        route.uid,
                        RouteEvents.NORMAL,
                        "CertificateCreated",
                        "Create",
                        "created " + CertificatePlanner.describe(create.certificate()));
            }
            case CertificatePlanner.Update update -> {
                ObjectNode desired = update.certificate();
                ExistingCertificate current = update.existing();
                ExistingCertificate applied = store.apply(desired, current.resourceVersion(), deadline);
                log.info(
                        "reconciler: {} {} for {} (resourceVersion {} -> {})",
                        verb,
                        applied.ref(),
                        route.ref,
                        current.resourceVersion(),
                        applied.resourceVersion());
                Optional<String> predecessor =
                        current.managedByRoutecert() ? Optional.empty() : predecessors.manager(current);
                if (predecessor.isPresent()) {
                    event(
                            route.ref,
                            route.uid,
                            RouteEvents.NORMAL,
                            "CertificateAdopted",
                            "Update",
                            "took over Certificate " + applied.ref() + " from " + predecessor.get()
                                    + ", keeping its name and its Secret " + current.secretName() + ": now "
                                    + CertificatePlanner.describe(desired));
                } else if (!desired.path("spec").equals(current.spec())) {
                    event(
                            route.ref,
                            route.uid,
                            RouteEvents.NORMAL,
                            reason,
                            "Update",
                            verb + " " + CertificatePlanner.describe(desired));
                } else {
                    event(
                            route.ref,
                            route.uid,
                            RouteEvents.NORMAL,
                            "CertificateAdopted",
                            "Update",
                            "Certificate " + applied.ref() + " is now owned by this route and is deleted with it");
                }
            }
        }
    }

    /** The Certificate belonged to a route that no longer claims it: the next claimant takes it over. */
    private void handOver(Claim claim, ExistingCertificate current, Deadline deadline, String reason, String verb)
            throws StoreException {
        RouteState route = claim.state;
        CertificatePlanner.Deny issuer = CertificatePlanner.checkIssuer(
                claim.plan, store::cachedIssuer, "metadata.annotations", new ArrayList<>());
        if (issuer != null) {
            event(
                    route.ref,
                    route.uid,
                    RouteEvents.WARNING,
                    "CertificateFailed",
                    "Update",
                    "routecert cannot take over Certificate " + current.ref() + " for this route: " + issuer.message());
            return;
        }
        ObjectNode desired = CertificatePlanner.render(claim.plan, route.ref, route.uid);
        ExistingCertificate applied = store.apply(desired, current.resourceVersion(), deadline);
        log.info("reconciler: {} {} for {}", verb, applied.ref(), route.ref);
        event(
                route.ref,
                route.uid,
                RouteEvents.NORMAL,
                reason,
                "Update",
                verb + " " + CertificatePlanner.describe(desired));
    }

    private void delete(ExistingCertificate found, Deadline deadline, RouteRef route, String why)
            throws StoreException {
        store.delete(found.namespace(), found.name(), found.uid(), deadline);
        log.info("reconciler: deleted {} ({}); its Secret {} stays", found.ref(), why, found.secretName());
        if (route != null) {
            String uid = CachedKind.route(route.group(), route.kind())
                    .flatMap(k -> cluster.get(k, route.namespace(), route.name()))
                    .map(o -> o.path("metadata").path("uid").asText(""))
                    .orElse("");
            event(
                    route,
                    uid,
                    RouteEvents.NORMAL,
                    "CertificateDeleted",
                    "Delete",
                    "deleted Certificate " + found.ref() + " (" + why + "); Secret " + found.secretName() + " stays");
        }
    }

    private void warnIfNotCovered(Claim claim, ExistingCertificate found, String why) {
        List<String> needed = new ArrayList<>(claim.plan.dnsNames());
        needed.addAll(claim.plan.ipAddresses());
        List<String> missing = Coverage.missing(found.names(), needed);
        if (!missing.isEmpty()) {
            event(
                    claim.state.ref,
                    claim.state.uid,
                    RouteEvents.WARNING,
                    "CertificateFailed",
                    "Reconcile",
                    "Certificate " + found.ref() + " does not cover " + String.join(", ", missing)
                            + " and routecert cannot change it: " + why);
        }
    }

    /**
     * Records an event; a Warning identical to the last one of its route and reason is not repeated on
     * every pass. False when it was such a repeat.
     */
    private boolean event(RouteRef route, String uid, String type, String reason, String action, String message) {
        String key = route.namespace() + "/" + route.annotationValue() + "/" + reason;
        if (RouteEvents.WARNING.equals(type) && message.equals(lastEvents.put(key, message))) {
            return false;
        }
        events.record(route, uid, type, reason, action, message);
        return true;
    }
}
