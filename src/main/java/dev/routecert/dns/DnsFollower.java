package dev.routecert.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.routecert.certificates.CachedKind;
import dev.routecert.certificates.ClusterCaches;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.LeaderWork;
import dev.routecert.certificates.RouteEvents;
import dev.routecert.certificates.RouteRef;
import dev.routecert.certificates.StoreException;
import dev.routecert.certificates.WriteGuard;
import dev.routecert.config.DnsOptions;
import dev.routecert.log.Log;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.Violation;
import dev.routecert.policy.dns.DnsEndpointNames;
import dev.routecert.policy.dns.DnsEndpointOwnership;
import dev.routecert.policy.dns.DnsEndpointOwnership.Decision;
import dev.routecert.policy.dns.DnsEndpointOwnership.Foreign;
import dev.routecert.policy.dns.DnsEndpointOwnership.Write;
import dev.routecert.policy.dns.DnsPlan;
import dev.routecert.policy.dns.DnsPlanner;
import dev.routecert.routes.RouteKind;
import dev.routecert.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The leader's side of DNSEndpoints: every stored route that admission would give one has it, in
 * step with its hosts and the targets. A route change plans its DNSEndpoint again (which also gives
 * one created during admission, before the route had a uid, its ownerReference, so the garbage
 * collector deletes it with the route); a change of the targets (the Service's addresses), of the
 * policy or of a namespace's labels, and every resync period, plans all of them, which also creates
 * the ones of routes stored before {@code --dns-endpoints} was on, or while routecert was down, or
 * whose write during admission failed. {@link RouteJudge} says what may be done for a route, by
 * admission's rules: a route that publishes a name its namespace may not loses routecert's
 * DNSEndpoint, one routecert would deny for another reason keeps its own in step but gets none
 * created, one out of scope keeps its own until it publishes a name the route serves no more. When
 * the route is gone its DNSEndpoint is deleted. Nothing is judged before the route and claim caches
 * have listed everything. One worker thread; every call bounded.
 */
public final class DnsFollower implements LeaderWork {

    private static final Log log = Log.of(DnsFollower.class);
    private static final Duration CALL = Duration.ofSeconds(10);
    private static final String SKIPPED = "DNSEndpointSkipped";
    private static final String FAILED = "DNSEndpointFailed";
    private static final String DELETED = "DNSEndpointDeleted";
    /** How soon a full pass that found the caches not synced yet is tried again. */
    private static final Duration NOT_SYNCED_RETRY = Duration.ofSeconds(5);

    /**
     * How the follower works: which routes and targets ({@code dns}), whose DNSEndpoints it takes over
     * ({@code --adopt-from}), the rule syntax of routes that name none, how long a DNSEndpoint without
     * a route is given before it is deleted as an orphan, how often everything is planned again, and
     * the namespaces routecert leaves alone.
     */
    public record Settings(
            DnsOptions dns,
            List<String> adoptFrom,
            RuleSyntax syntax,
            Duration orphanGrace,
            Duration resync,
            WriteGuard guard) {
        public Settings {
            adoptFrom = List.copyOf(adoptFrom);
        }

        /** routecert and the predecessors whose DNSEndpoints it takes over: whose the full pass lists. */
        List<String> managers() {
            List<String> all = new ArrayList<>(List.of(DnsEndpointOwnership.MANAGED_BY));
            adoptFrom.stream().filter(m -> !all.contains(m)).forEach(all::add);
            return all;
        }
    }

    private final DnsEndpointStore store;
    private final RouteLookup routes;
    private final DnsTargetSource targets;
    private final RouteJudge judge;
    private final Settings settings;
    private final Clock clock;
    private final RouteEvents events;
    private final DnsMetrics metrics;
    private final BooleanSupplier synced;
    /** A full pass is queued and has not started: more reasons for one join it. */
    private final AtomicBoolean passQueued = new AtomicBoolean();
    /** The labels last seen per namespace, to tell a label change from any other namespace event. */
    private final Map<String, JsonNode> namespaceLabels = new ConcurrentHashMap<>();
    /** The Warnings said of each route since it was last in step, so that a resync does not repeat them. */
    private final Map<RouteRef, Set<String>> lastWarnings = new ConcurrentHashMap<>();

    private volatile ExecutorService worker;
    private Clock.Timer timer;

    public DnsFollower(
            DnsEndpointStore store,
            RouteLookup routes,
            DnsTargetSource targets,
            RouteJudge judge,
            Settings settings,
            Clock clock,
            RouteEvents events,
            DnsMetrics metrics,
            BooleanSupplier synced) {
        this.store = store;
        this.routes = routes;
        this.targets = targets;
        this.judge = judge;
        this.settings = settings;
        this.clock = clock;
        this.events = events;
        this.metrics = metrics;
        this.synced = synced;
    }

    /** The routes as the informer caches hold them now. */
    public interface RouteLookup {
        /** The route; empty once it is deleted. */
        Optional<JsonNode> route(RouteKind kind, String namespace, String name);

        /** Every stored route of {@code kind}. */
        List<JsonNode> all(RouteKind kind);

        static RouteLookup of(ClusterCaches caches) {
            return new RouteLookup() {
                @Override
                public Optional<JsonNode> route(RouteKind kind, String namespace, String name) {
                    return caches.get(CachedKind.of(kind), namespace, name);
                }

                @Override
                public List<JsonNode> all(RouteKind kind) {
                    return caches.list(CachedKind.of(kind));
                }
            };
        }
    }

    /** Where a DNSEndpoint is looked up: the API server, or the list a full pass took. */
    @FunctionalInterface
    private interface Endpoints {
        Optional<JsonNode> read(String namespace, String name, Deadline deadline) throws StoreException;
    }

    @Override
    public synchronized void start() {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "dns-follower"));
            resync();
            schedule();
        }
    }

    private synchronized void schedule() {
        if (worker != null) {
            timer = clock.schedule(settings.resync(), () -> {
                resync();
                schedule();
            });
        }
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (worker != null) {
            worker.shutdownNow();
            try {
                worker.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            worker = null;
        }
        passQueued.set(false);
        lastWarnings.clear();
    }

    /**
     * Plans every route's DNSEndpoint again, soon: the targets, the policy or a namespace changed; a
     * no-op unless leading.
     */
    public void resync() {
        // not leading: nothing to queue, and a flag set now would swallow the first pass once leading
        if (worker != null && passQueued.compareAndSet(false, true)) {
            submit(() -> {
                passQueued.set(false);
                followAll();
            });
        }
    }

    /** A cached object changed: a covered route's DNSEndpoint follows it; a namespace's labels may change scope. */
    public void onChange(CachedKind kind, JsonNode object) {
        if (kind == CachedKind.NAMESPACE) {
            namespaceChanged(object.path("metadata"));
            return;
        }
        if (!kind.isRoute()) {
            return;
        }
        Optional<RouteKind> route = RouteKind.of(kind.group(), kind.kind());
        if (route.isEmpty() || !settings.dns().covers(route.get())) {
            return;
        }
        String namespace = object.path("metadata").path("namespace").asText();
        String name = object.path("metadata").path("name").asText();
        submit(() -> follow(route.get(), namespace, name));
    }

    /**
     * A namespace's labels select its policy and whether it opted out: when they change, every route
     * is judged again. The first sighting of a namespace changes nothing a full pass has not seen.
     */
    private void namespaceChanged(JsonNode meta) {
        if (meta.hasNonNull("deletionTimestamp")) {
            namespaceLabels.remove(meta.path("name").asText(""));
            return;
        }
        JsonNode labels = meta.path("labels");
        JsonNode before = namespaceLabels.put(
                meta.path("name").asText(""), labels.isObject() ? labels : MissingNode.getInstance());
        if (before != null && !before.equals(labels.isObject() ? labels : MissingNode.getInstance())) {
            resync();
        }
    }

    private void submit(Runnable task) {
        ExecutorService w = worker;
        if (w != null) {
            try {
                w.execute(task);
            } catch (RuntimeException e) {
                passQueued.set(false);
                log.debug("dns follower stopped: {}", e.toString());
            }
        }
    }

    /**
     * One list of routecert's and its predecessors' DNSEndpoints, then every covered route from the
     * caches against it, then routecert's DNSEndpoints whose route is gone. A write made on a stale
     * list fails on its resourceVersion (or as already there) and is decided again on a fresh read.
     * Before the caches (routes, host claims) have listed everything a route's names may look free
     * and a route absent: the pass waits for them.
     */
    void followAll() {
        if (!synced.getAsBoolean()) {
            clock.schedule(NOT_SYNCED_RETRY, this::resync);
            return;
        }
        List<JsonNode> all;
        try {
            all = store.listManaged(settings.managers(), () -> Deadline.in(CALL, clock));
        } catch (StoreException | RuntimeException e) {
            log.warn("dns follower: cannot list DNSEndpoints: {}", e.getMessage());
            return;
        }
        Map<String, JsonNode> listed = new HashMap<>();
        for (JsonNode endpoint : all) {
            JsonNode meta = endpoint.path("metadata");
            listed.put(meta.path("namespace").asText() + "/" + meta.path("name").asText(), endpoint);
        }
        Endpoints snapshot = (namespace, name, deadline) -> Optional.ofNullable(listed.get(namespace + "/" + name));
        for (RouteKind kind : RouteKind.values()) {
            if (settings.dns().covers(kind)) {
                for (JsonNode route : routes.all(kind)) {
                    if (Thread.currentThread().isInterrupted()) {
                        return; // stopped: no longer leading
                    }
                    JsonNode meta = route.path("metadata");
                    follow(
                            kind,
                            meta.path("namespace").asText(),
                            meta.path("name").asText(),
                            snapshot);
                }
            }
        }
        for (JsonNode endpoint : all) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            if (DnsEndpointOwnership.MANAGED_BY.equals(endpoint.path("metadata")
                    .path("labels")
                    .path(DnsEndpointOwnership.MANAGED_BY_LABEL)
                    .asText(null))) {
                deleteIfOrphaned(endpoint);
            }
        }
    }

    private void deleteIfOrphaned(JsonNode endpoint) {
        JsonNode meta = endpoint.path("metadata");
        String namespace = meta.path("namespace").asText();
        String name = meta.path("name").asText();
        if (settings.guard().isExcluded(namespace)) {
            return;
        }
        Optional<RouteRef> ref = RouteRef.parse(
                meta.path("annotations")
                        .path(DnsEndpointOwnership.ROUTE_ANNOTATION)
                        .asText(null),
                namespace);
        Optional<RouteKind> kind = ref.flatMap(r -> RouteKind.of(r.group(), r.kind()));
        if (kind.isPresent()
                && routes.route(kind.get(), namespace, ref.get().name()).isPresent()) {
            return;
        }
        if (!orphaned(meta)) {
            return;
        }
        try {
            // on the listed version: one written again since (admission, for a route not cached yet) stays
            delete(
                    endpoint,
                    "its route " + ref.map(RouteRef::toString).orElse("(unnamed)") + " was never stored or is gone",
                    Deadline.in(CALL, clock));
        } catch (StoreException | RuntimeException e) {
            log.warn("dns follower: cannot delete DNSEndpoint {}/{}: {}", namespace, name, e.getMessage());
        }
    }

    /**
     * Deletes routecert's DNSEndpoint at the version it was read at; false when it has changed or gone
     * since, and the next pass decides on what it is then.
     */
    private boolean delete(JsonNode endpoint, String why, Deadline deadline) throws StoreException {
        JsonNode meta = endpoint.path("metadata");
        String namespace = meta.path("namespace").asText();
        String name = meta.path("name").asText();
        boolean deleted = store.delete(
                namespace,
                name,
                meta.path("uid").asText(),
                meta.path("resourceVersion").asText(null),
                deadline);
        if (deleted) {
            metrics.followed("deleted");
            log.info("dns follower: DNSEndpoint {}/{} deleted: {}", namespace, name, why);
        }
        return deleted;
    }

    /** routecert's DNSEndpoints made for the route: under the planned name, and under the route's own. */
    private List<JsonNode> ownRecords(
            String namespace, String planned, DnsEndpointOwnership.Route owner, Endpoints endpoints, Deadline deadline)
            throws StoreException {
        List<JsonNode> own = new ArrayList<>();
        for (String candidate : planned.equals(owner.name()) ? List.of(planned) : List.of(planned, owner.name())) {
            endpoints
                    .read(namespace, candidate, deadline)
                    .filter(found -> DnsEndpointOwnership.ours(found, owner))
                    .ifPresent(own::add);
        }
        return own;
    }

    /**
     * routecert's DNSEndpoint without a route: no owner to be collected with (an owned one goes with its
     * route), older than the grace a route has to be stored after its admission.
     */
    private boolean orphaned(JsonNode meta) {
        if (meta.path("ownerReferences").size() > 0) {
            return false;
        }
        try {
            Instant created = Instant.parse(meta.path("creationTimestamp").asText(""));
            return !created.plus(settings.orphanGrace()).isAfter(clock.instant());
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** Brings the DNSEndpoint of one route in step, reading what is there from the API server. */
    void follow(RouteKind kind, String namespace, String name) {
        if (synced.getAsBoolean()) { // else the first pass after the caches have listed everything does it
            follow(kind, namespace, name, store::read);
        }
    }

    private void follow(RouteKind kind, String namespace, String name, Endpoints endpoints) {
        if (settings.guard().isExcluded(namespace)) {
            return;
        }
        Deadline deadline = Deadline.in(CALL, clock);
        Optional<JsonNode> route = routes.route(kind, namespace, name);
        RouteRef ref = new RouteRef(kind.group(), kind.kind(), namespace, name);
        try {
            if (route.isEmpty()) {
                lastWarnings.remove(ref);
                deleteOrphan(kind, namespace, name, deadline);
                return;
            }
            RouteJudge.Judgement judged = judge.judge(kind, route.get(), deadline);
            if (judged.outcome() == RouteJudge.Outcome.HANDS_OFF) {
                log.debug("dns follower: {} left as it is: {}", ref, judged.why());
                return;
            }
            DnsPlan plan = DnsPlanner.plan(
                    kind,
                    route.get(),
                    settings.syntax(),
                    targets.targets(),
                    targets.describe(),
                    settings.dns().ttl().toSeconds());
            String uid = route.get().path("metadata").path("uid").asText(null);
            DnsEndpointOwnership.Route owner =
                    new DnsEndpointOwnership.Route(kind.apiVersion(), kind.group(), kind.kind(), name, uid);
            boolean writes =
                    (judged.outcome() == RouteJudge.Outcome.WRITE || judged.outcome() == RouteJudge.Outcome.REFUSE)
                            && plan.allowed();
            if (writes) {
                for (int attempt = 1; ; attempt++) {
                    try {
                        write(ref, owner, plan, judged, endpoints, deadline);
                        break;
                    } catch (StoreException e) {
                        boolean stale = e.kind() == StoreException.Kind.ALREADY_EXISTS
                                || e.kind() == StoreException.Kind.CONFLICT;
                        if (!stale || attempt >= 2) {
                            throw e;
                        }
                        endpoints = store::read; // decided on a stale list or read: once more on what is there now
                    }
                }
            } else {
                withhold(ref, owner, plan, judged, endpoints, deadline);
            }
            if (judged.outcome() == RouteJudge.Outcome.REFUSE) {
                warn(ref, uid, SKIPPED, "routecert creates no DNSEndpoint for this route: " + judged.why());
            } else if (judged.outcome() == RouteJudge.Outcome.WRITE && !plan.allowed()) {
                warn(
                        ref,
                        uid,
                        SKIPPED,
                        "routecert writes no DNSEndpoint for this route: " + Violation.summary(plan.violations()));
            }
        } catch (StoreException | RuntimeException e) {
            log.warn("dns follower: {} {}/{}: {}", kind.kind(), namespace, name, e.getMessage());
            metrics.followed("failed");
            route.ifPresent(r ->
                    warn(ref, r.path("metadata").path("uid").asText(null), FAILED, String.valueOf(e.getMessage())));
        }
    }

    /**
     * Writes the planned DNSEndpoint: creates it, updates routecert's, or takes a predecessor's over.
     * A route routecert would deny ({@link RouteJudge.Outcome#REFUSE}) keeps the one routecert made in
     * step with its hosts and the targets, and gets none created or taken over.
     */
    private void write(
            RouteRef ref,
            DnsEndpointOwnership.Route owner,
            DnsPlan plan,
            RouteJudge.Judgement judged,
            Endpoints endpoints,
            Deadline deadline)
            throws StoreException {
        String namespace = ref.namespace();
        Optional<JsonNode> planned = endpoints.read(namespace, plan.name(), deadline);
        // named after the route: a predecessor's, or one routecert took over (whatever --adopt-from says now)
        Optional<JsonNode> predecessor =
                owner.name().equals(plan.name()) ? Optional.empty() : endpoints.read(namespace, owner.name(), deadline);
        Decision decision = DnsEndpointOwnership.decide(plan, owner, planned, predecessor, settings.adoptFrom());
        if (decision instanceof Foreign foreign) {
            warn(ref, owner.uid(), SKIPPED, foreign.warning());
            return;
        }
        if (!(decision instanceof Write write)) {
            if (judged.outcome() == RouteJudge.Outcome.WRITE) {
                lastWarnings.remove(ref);
            }
            return; // in step, or nothing planned and nothing there
        }
        if (judged.outcome() == RouteJudge.Outcome.REFUSE && (write.resourceVersion() == null || write.takenOver())) {
            return; // not a route routecert would admit: nothing new of routecert's for it
        }
        String result;
        String reason;
        String note = "";
        if (write.resourceVersion() == null) {
            store.create(write.object(), deadline);
            result = "created";
            reason = "DNSEndpointCreated";
        } else {
            store.apply(write.object(), write.resourceVersion(), deadline);
            // one written during the route's CREATE has no owner yet: this is the route's first word of it
            boolean admitted = planned.isPresent()
                    && planned.get().path("metadata").path("ownerReferences").isEmpty();
            result = write.takenOver() ? "adopted" : "updated";
            reason = write.takenOver() ? "DNSEndpointAdopted" : admitted ? "DNSEndpointCreated" : "DNSEndpointUpdated";
            note = admitted && !write.takenOver() ? " (written during admission)" : "";
        }
        if (judged.outcome() == RouteJudge.Outcome.WRITE) {
            lastWarnings.remove(ref);
        }
        log.info("dns follower: DNSEndpoint {}/{} {} for {}", namespace, write.name(), result, ref);
        metrics.followed(result);
        events.record(
                ref,
                owner.uid(),
                RouteEvents.NORMAL,
                reason,
                write.resourceVersion() == null ? "Create" : "Update",
                "DNSEndpoint " + write.name() + note + ": " + plan.describe());
    }

    /**
     * routecert writes nothing for the route; the DNSEndpoint it made for it earlier goes when it
     * publishes a name the namespace may not ({@link RouteJudge.Outcome#WITHDRAW}: a record is a
     * claim) or one the route serves no more (a route out of scope or opted out whose hosts changed:
     * the record no longer says what the route serves, and a name it still publishes may be claimed
     * by another namespace once this one lets it go). Otherwise it stays as it is.
     */
    private void withhold(
            RouteRef ref,
            DnsEndpointOwnership.Route owner,
            DnsPlan plan,
            RouteJudge.Judgement judged,
            Endpoints endpoints,
            Deadline deadline)
            throws StoreException {
        for (JsonNode found : ownRecords(ref.namespace(), plan.name(), owner, endpoints, deadline)) {
            Set<String> stale = new LinkedHashSet<>();
            found.path("spec")
                    .path("endpoints")
                    .forEach(e -> stale.add(e.path("dnsName").asText("")));
            stale.removeAll(plan.hosts());
            String why;
            if (judged.outcome() == RouteJudge.Outcome.WITHDRAW) {
                why = judged.why();
            } else if (!stale.isEmpty()) {
                why = "it publishes " + String.join(", ", stale) + ", which the route serves no more";
            } else {
                continue;
            }
            if (!delete(found, ref + ": " + why, deadline)) {
                return; // changed since it was read: the next pass decides on what it is now
            }
            String name = found.path("metadata").path("name").asText();
            warn(ref, owner.uid(), DELETED, "routecert deleted DNSEndpoint " + name + ": " + why);
            if (judged.outcome() == RouteJudge.Outcome.WITHDRAW) {
                said(ref, SKIPPED, withheld(judged)); // the deletion said it already
            }
            return;
        }
        if (judged.outcome() == RouteJudge.Outcome.WITHDRAW) {
            warn(ref, owner.uid(), SKIPPED, withheld(judged));
        }
    }

    private static String withheld(RouteJudge.Judgement judged) {
        return "routecert writes no DNSEndpoint for this route: " + judged.why();
    }

    /** A Warning Event on the route, unless it was said since the route was last in step. */
    private void warn(RouteRef ref, String uid, String reason, String message) {
        if (said(ref, reason, message)) {
            events.record(ref, uid, RouteEvents.WARNING, reason, "Update", message);
        }
    }

    /** Notes a Warning as said; false when it was already. */
    private boolean said(RouteRef ref, String reason, String message) {
        return lastWarnings
                .computeIfAbsent(ref, r -> ConcurrentHashMap.newKeySet())
                .add(reason + " " + message);
    }

    private void deleteOrphan(RouteKind kind, String namespace, String name, Deadline deadline) throws StoreException {
        DnsEndpointOwnership.Route owner =
                new DnsEndpointOwnership.Route(kind.apiVersion(), kind.group(), kind.kind(), name, null);
        for (JsonNode found : ownRecords(namespace, DnsEndpointNames.of(kind, name), owner, store::read, deadline)) {
            delete(found, kind.kind() + " " + namespace + "/" + name + " is gone", deadline);
        }
    }
}
