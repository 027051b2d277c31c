package dev.routecert.dns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.certificates.CachedKind;
import dev.routecert.certificates.ClusterCaches;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.LeaderWork;
import dev.routecert.certificates.RouteEvents;
import dev.routecert.certificates.RouteRef;
import dev.routecert.certificates.StoreException;
import dev.routecert.config.DnsOptions;
import dev.routecert.log.Log;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.dns.DnsEndpointNames;
import dev.routecert.policy.dns.DnsEndpointOwnership;
import dev.routecert.policy.dns.DnsEndpointOwnership.Decision;
import dev.routecert.policy.dns.DnsEndpointOwnership.Write;
import dev.routecert.policy.dns.DnsPlan;
import dev.routecert.policy.dns.DnsPlanner;
import dev.routecert.routes.RouteKind;
import dev.routecert.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The leader's side of DNSEndpoints: keeps the ones routecert made in step with their routes and
 * the targets. When the targets change (the Service's addresses), every DNSEndpoint of routecert's is
 * planned again; when a covered route changes, its DNSEndpoint is (which also gives one created
 * during admission, before the route had a uid, its ownerReference, so the garbage collector deletes
 * it with the route); when the route is gone, its DNSEndpoint is deleted. Creating DNSEndpoints is
 * admission's: the reconciler only follows the ones that exist, so a route decided out of scope at
 * admission never gets one here. One worker thread; every call bounded.
 */
public final class DnsFollower implements LeaderWork {

    private static final Log log = Log.of(DnsFollower.class);
    private static final Duration CALL = Duration.ofSeconds(10);

    private final DnsEndpointStore store;
    private final RouteLookup routes;
    private final DnsTargetSource targets;
    private final DnsOptions dns;
    private final List<String> adoptFrom;
    private final RuleSyntax syntax;
    private final Clock clock;
    private final RouteEvents events;
    private final DnsMetrics metrics;
    private final Duration orphanGrace;
    private final Duration resync;
    private final BooleanSupplier synced;
    private volatile ExecutorService worker;
    private Clock.Timer timer;

    public DnsFollower(
            DnsEndpointStore store,
            RouteLookup routes,
            DnsTargetSource targets,
            DnsOptions dns,
            List<String> adoptFrom,
            RuleSyntax syntax,
            Clock clock,
            RouteEvents events,
            DnsMetrics metrics,
            Duration orphanGrace,
            Duration resync,
            BooleanSupplier synced) {
        this.metrics = metrics;
        this.orphanGrace = orphanGrace;
        this.resync = resync;
        this.synced = synced;
        this.store = store;
        this.routes = routes;
        this.targets = targets;
        this.dns = dns;
        this.adoptFrom = List.copyOf(adoptFrom);
        this.syntax = syntax;
        this.clock = clock;
        this.events = events;
    }

    /** The route as the informer cache holds it now; empty once it is deleted. */
    @FunctionalInterface
    public interface RouteLookup {
        Optional<JsonNode> route(RouteKind kind, String namespace, String name);

        static RouteLookup of(ClusterCaches caches) {
            return (kind, namespace, name) -> caches.get(CachedKind.of(kind), namespace, name);
        }
    }

    @Override
    public synchronized void start() {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "dns-follower"));
            targetsChanged();
            schedule();
        }
    }

    private synchronized void schedule() {
        if (worker != null) {
            timer = clock.schedule(resync, () -> {
                targetsChanged();
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
    }

    /** Plans every DNSEndpoint of routecert's again; a no-op unless leading. */
    public void targetsChanged() {
        submit(this::followAll);
    }

    /** A cached object changed; for a covered route, its DNSEndpoint follows. */
    public void onChange(CachedKind kind, JsonNode object) {
        if (!kind.isRoute()) {
            return;
        }
        Optional<RouteKind> route = RouteKind.of(kind.group(), kind.kind());
        if (route.isEmpty() || !dns.covers(route.get())) {
            return;
        }
        String namespace = object.path("metadata").path("namespace").asText();
        String name = object.path("metadata").path("name").asText();
        submit(() -> follow(route.get(), namespace, name));
    }

    private void submit(Runnable task) {
        ExecutorService w = worker;
        if (w != null) {
            try {
                w.execute(task);
            } catch (RuntimeException e) {
                log.debug("dns follower stopped: {}", e.toString());
            }
        }
    }

    void followAll() {
        try {
            for (JsonNode endpoint : store.listOwned(Deadline.in(CALL, clock))) {
                String namespace = endpoint.path("metadata").path("namespace").asText();
                Optional<RouteRef> ref = RouteRef.parse(
                        endpoint.path("metadata")
                                .path("annotations")
                                .path(DnsEndpointOwnership.ROUTE_ANNOTATION)
                                .asText(null),
                        namespace);
                Optional<RouteKind> kind = ref.flatMap(r -> RouteKind.of(r.group(), r.kind()));
                if (kind.isPresent()
                        && routes.route(kind.get(), namespace, ref.get().name()).isPresent()) {
                    follow(kind.get(), namespace, ref.get().name());
                } else if (orphaned(endpoint)) {
                    String name = endpoint.path("metadata").path("name").asText();
                    store.delete(
                            namespace,
                            name,
                            endpoint.path("metadata").path("uid").asText(),
                            Deadline.in(CALL, clock));
                    metrics.followed("deleted");
                    log.info(
                            "dns follower: DNSEndpoint {}/{} deleted: its route {} was never stored or is gone",
                            namespace,
                            name,
                            ref.map(RouteRef::toString).orElse("(unnamed)"));
                }
            }
        } catch (StoreException | RuntimeException e) {
            log.warn("dns follower: cannot list DNSEndpoints: {}", e.getMessage());
        }
    }

    /**
     * routecert's DNSEndpoint without a route: no owner to be collected with (an owned one goes with its
     * route), older than the grace a route has to be stored after its admission, judged on synced caches.
     */
    private boolean orphaned(JsonNode endpoint) {
        JsonNode meta = endpoint.path("metadata");
        if (!synced.getAsBoolean() || meta.path("ownerReferences").size() > 0) {
            return false;
        }
        try {
            Instant created = Instant.parse(meta.path("creationTimestamp").asText(""));
            return !created.plus(orphanGrace).isAfter(clock.instant());
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** Brings the DNSEndpoint of one route in step, if routecert made (or may take over) one. */
    void follow(RouteKind kind, String namespace, String name) {
        Deadline deadline = Deadline.in(CALL, clock);
        Optional<JsonNode> route = routes.route(kind, namespace, name);
        try {
            if (route.isEmpty()) {
                deleteOrphan(kind, namespace, name, deadline);
                return;
            }
            DnsPlan plan = DnsPlanner.plan(
                    kind,
                    route.get(),
                    syntax,
                    targets.targets(),
                    targets.describe(),
                    dns.ttl().toSeconds());
            if (!plan.allowed()) {
                return;
            }
            DnsEndpointOwnership.Route owner = new DnsEndpointOwnership.Route(
                    kind.apiVersion(),
                    kind.group(),
                    kind.kind(),
                    name,
                    route.get().path("metadata").path("uid").asText(null));
            Optional<JsonNode> planned = store.read(namespace, plan.name(), deadline);
            Optional<JsonNode> predecessor = adoptFrom.isEmpty() || name.equals(plan.name())
                    ? Optional.empty()
                    : store.read(namespace, name, deadline);
            Decision decision = DnsEndpointOwnership.decide(plan, owner, planned, predecessor, adoptFrom);
            // one written during the route's CREATE has no owner yet: this is the route's first word of it
            boolean created = planned.isPresent()
                    && planned.get().path("metadata").path("ownerReferences").isEmpty();
            // creating is admission's; a missing one is not created here
            if (decision instanceof Write write && write.resourceVersion() != null) {
                store.apply(write.object(), write.resourceVersion(), deadline);
                log.info(
                        "dns follower: DNSEndpoint {}/{} updated for {} {}/{}",
                        namespace,
                        write.name(),
                        kind.kind(),
                        namespace,
                        name);
                metrics.followed(write.takenOver() ? "adopted" : "updated");
                events.record(
                        new RouteRef(kind.group(), kind.kind(), namespace, name),
                        owner.uid(),
                        RouteEvents.NORMAL,
                        write.takenOver()
                                ? "DNSEndpointAdopted"
                                : created ? "DNSEndpointCreated" : "DNSEndpointUpdated",
                        "Update",
                        "DNSEndpoint " + write.name()
                                + (created && !write.takenOver() ? " (written during admission)" : "") + ": "
                                + plan.describe());
            }
        } catch (StoreException | RuntimeException e) {
            log.warn("dns follower: {} {}/{}: {}", kind.kind(), namespace, name, e.getMessage());
            metrics.followed("failed");
            route.ifPresent(r -> events.record(
                    new RouteRef(kind.group(), kind.kind(), namespace, name),
                    r.path("metadata").path("uid").asText(null),
                    RouteEvents.WARNING,
                    "DNSEndpointFailed",
                    "Update",
                    String.valueOf(e.getMessage())));
        }
    }

    private void deleteOrphan(RouteKind kind, String namespace, String name, Deadline deadline) throws StoreException {
        DnsEndpointOwnership.Route owner =
                new DnsEndpointOwnership.Route(kind.apiVersion(), kind.group(), kind.kind(), name, null);
        for (String candidate : List.of(DnsEndpointNames.of(kind, name), name)) {
            Optional<JsonNode> found = store.read(namespace, candidate, deadline);
            if (found.isPresent() && DnsEndpointOwnership.ours(found.get(), owner)) {
                store.delete(
                        namespace,
                        candidate,
                        found.get().path("metadata").path("uid").asText(),
                        deadline);
                metrics.followed("deleted");
                log.info(
                        "dns follower: DNSEndpoint {}/{} deleted: {} {}/{} is gone",
                        namespace,
                        candidate,
                        kind.kind(),
                        namespace,
                        name);
            }
        }
    }
}
