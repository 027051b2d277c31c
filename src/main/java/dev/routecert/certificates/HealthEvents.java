package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.log.Log;
import dev.routecert.policy.health.CertificateHealth;
import dev.routecert.policy.health.CertificateStatus;
import dev.routecert.policy.health.HealthFinding;
import dev.routecert.policy.health.HealthState;
import dev.routecert.routes.RouteKind;
import dev.routecert.time.Clock;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The leader's watch on the health of the Certificates routes use: an Event on the route when a
 * Certificate's health changes (became Ready, not Ready, renewal failing, expiring), once per change,
 * and the gauge {@code routecert_route_certificates{health}}. A Certificate belongs to the route its
 * {@code routecert.dev/route} annotation names (routecert's own) or to the route kind its controller
 * ownerReference points at (cert-manager's ingress-shim's).
 *
 * <p>It reads only the changed Certificate, so a status change of an unrelated Certificate costs a
 * map lookup and queues nothing. The first sighting of a Certificate (at start, or when this replica
 * becomes leader) is recorded without an Event: nothing changed that anyone saw. Expiry is a matter
 * of time, not of a change: {@link #recheck()} runs every {@link #RECHECK} on the injected clock.
 */
public final class HealthEvents implements LeaderWork {

    static final Duration RECHECK = Duration.ofMinutes(1);
    private static final Log log = Log.of(HealthEvents.class);

    private record Watched(RouteRef route, CertificateStatus status, HealthState state) {}

    private final ClusterView cluster;
    private final RouteEvents events;
    private final Clock clock;
    private final Duration window;
    private final Executor worker;
    private final Gauge routes;

    // touched only on the worker
    private final Map<String, Watched> watched = new HashMap<>();
    private boolean running;
    private Clock.Timer timer;

    /**
     * @param worker runs every change in order, off the informer's threads (recording an Event is an
     *               API call); a direct executor in tests
     */
    public HealthEvents(
            ClusterView cluster,
            RouteEvents events,
            Clock clock,
            Duration window,
            PrometheusRegistry registry,
            Executor worker) {
        this.cluster = cluster;
        this.events = events;
        this.clock = clock;
        this.window = window;
        this.worker = worker;
        this.routes = Gauge.builder()
                .name("routecert_route_certificates")
                .help("Routes with a Certificate, by the worst health of their Certificates (leader only):"
                        + " healthy, pending, expiring, renewal-failing, not-ready")
                .labelNames("health")
                .register(registry);
    }

    @Override
    public void start() {
        worker.execute(() -> {
            if (running) {
                return;
            }
            running = true;
            for (JsonNode certificate : cluster.list(CachedKind.CERTIFICATE)) {
                observe(certificate, false);
            }
            publish();
            schedule();
            log.info("health: watching {} Certificates of routes", watched.size());
        });
    }

    @Override
    public void stop() {
        worker.execute(() -> {
            running = false;
            watched.clear();
            if (timer != null) {
                timer.cancel();
            }
            routes.clear(); // only the leader reports
        });
    }

    /** This work and {@code other}, started and stopped together. */
    public LeaderWork alongside(LeaderWork other) {
        HealthEvents self = this;
        return new LeaderWork() {
            @Override
            public void start() {
                other.start();
                self.start();
            }

            @Override
            public void stop() {
                other.stop();
                self.stop();
            }
        };
    }

    /** Called for every cached change; only Certificates matter. */
    public void onChange(CachedKind kind, JsonNode object) {
        if (kind != CachedKind.CERTIFICATE) {
            return;
        }
        worker.execute(() -> {
            if (!running) {
                return;
            }
            JsonNode meta = object.path("metadata");
            String ns = meta.path("namespace").asText("");
            String name = meta.path("name").asText("");
            // the cache tells a deletion from an update (both hand over an object); the object of the
            // event, not the cache's newer one, is judged, so each change a quick series makes is seen
            Optional<JsonNode> current = cluster.get(CachedKind.CERTIFICATE, ns, name);
            if (current.isEmpty() || object.path("metadata").hasNonNull("deletionTimestamp")) {
                watched.remove(ns + "/" + name);
            } else {
                observe(object, true);
            }
            publish();
        });
    }

    /** Looks at every watched Certificate again at the clock's time: what the passing of time changes. */
    public void recheck() {
        worker.execute(() -> {
            if (!running) {
                return;
            }
            for (Watched w : List.copyOf(watched.values())) {
                change(w.route(), w.status(), true);
            }
            publish();
        });
    }

    private void schedule() {
        timer = clock.schedule(RECHECK, () -> {
            recheck();
            worker.execute(() -> {
                if (running) {
                    schedule();
                }
            });
        });
    }

    private void observe(JsonNode certificate, boolean announce) {
        Optional<RouteRef> route = routeOf(certificate);
        CertificateStatus status = CertificateStatus.from(certificate);
        if (route.isEmpty()) {
            watched.remove(status.ref());
            return;
        }
        change(route.get(), status, announce);
    }

    private void change(RouteRef route, CertificateStatus status, boolean announce) {
        List<HealthFinding> findings =
                CertificateHealth.certificateFindings(status, status.secretName(), "", clock.instant(), window);
        HealthState state = CertificateHealth.state(findings);
        Watched before = watched.put(status.ref(), new Watched(route, status, state));
        if (!announce || before == null || before.state() == state) {
            return;
        }
        Optional<String> uid = CachedKind.route(route.group(), route.kind())
                .flatMap(kind -> cluster.get(kind, route.namespace(), route.name()))
                .map(r -> r.path("metadata").path("uid").asText(""));
        if (uid.isEmpty()) {
            return; // the route is gone: nobody to tell
        }
        String type = state == HealthState.HEALTHY ? RouteEvents.NORMAL : RouteEvents.WARNING;
        String message = state == HealthState.HEALTHY
                ? "Certificate " + status.ref() + " is Ready: cert-manager issued a certificate for the names"
                        + " this route serves"
                : findings.stream()
                        .filter(f -> f.state() == state)
                        .findFirst()
                        .map(f -> f.violation().bounded().message())
                        .orElse("Certificate " + status.ref() + " is " + state.label());
        events.record(route, uid.get(), type, reason(state, status, clock.instant()), "CheckCertificate", message);
        log.info(
                "health: {} of {} went from {} to {}",
                status.ref(),
                route,
                before.state().label(),
                state.label());
    }

    /**
     * cert-manager's own words where the meaning is the same: {@code Ready} (its Ready condition's
     * reason), {@code Failed} (its Event when a request failed), {@code Expired} (its Ready reason
     * for an expired certificate); routecert's for the rest.
     */
    static String reason(HealthState state, CertificateStatus status, Instant now) {
        return switch (state) {
            case HEALTHY -> "Ready";
            case RENEWAL_FAILING -> "Failed";
            case EXPIRING -> status.notAfter() != null && !status.notAfter().isAfter(now) ? "Expired" : "Expiring";
            case PENDING -> "Issuing";
            default -> "NotReady";
        };
    }

    /** The route a Certificate is for: routecert's annotation, else its controller ownerReference to a route kind. */
    static Optional<RouteRef> routeOf(JsonNode certificate) {
        ExistingCertificate existing = ExistingCertificate.from(certificate);
        if (existing.route().isPresent()) {
            return existing.route();
        }
        for (JsonNode owner : certificate.path("metadata").path("ownerReferences")) {
            if (!owner.path("controller").asBoolean(false)) {
                continue;
            }
            String[] apiVersion = owner.path("apiVersion").asText("").split("/", 2);
            String group = apiVersion.length == 2 ? apiVersion[0] : "";
            String kind = owner.path("kind").asText("");
            if (RouteKind.of(group, kind).isPresent()) {
                return Optional.of(new RouteRef(
                        group, kind, existing.namespace(), owner.path("name").asText("")));
            }
        }
        return Optional.empty();
    }

    private void publish() {
        Map<RouteRef, HealthState> worst = new HashMap<>();
        for (Watched w : watched.values()) {
            worst.merge(w.route(), w.state(), HealthState::worse);
        }
        Map<HealthState, Integer> counts = new EnumMap<>(HealthState.class);
        for (HealthState s : HealthState.values()) {
            counts.put(s, 0);
        }
        worst.values().forEach(s -> counts.merge(s, 1, Integer::sum));
        // the Secret-based states need a Secret read, which the leader does not do: not reported here
        counts.remove(HealthState.NO_SOURCE);
        counts.remove(HealthState.NOT_COVERING);
        counts.forEach((s, n) -> routes.labelValues(s.label()).set(n));
    }
}
