package dev.routecert.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.RouteRef;
import dev.routecert.certificates.StoreException;
import dev.routecert.log.Log;
import dev.routecert.policy.Check;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.Violation;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.policy.tenancy.SameClaimRule;
import dev.routecert.policy.tenancy.SameClaimRule.Held;
import dev.routecert.policy.tenancy.SameClaimRule.Server;
import dev.routecert.policy.tenancy.ServedNames;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.routes.RouteKind;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Host ownership at admission: a namespace may serve a name unless another namespace, not sharing
 * it, holds the same claim (see {@link SameClaimRule}), or, while nobody holds it, served it first.
 *
 * <p>Race-free through the API server: a new name is claimed by creating its claim object, which
 * the API server creates at most once, so of two reviews claiming the same name at once exactly one
 * gets it. A name and the wildcard that covers it are two objects: each review first creates its
 * own, then reads the other's with a linearizable read, so of two racing reviews at least one sees
 * the other's claim and is denied (both may be: safe, and a retry succeeds). A denied review deletes
 * the claims it created, conditionally on their resourceVersion.
 */
public final class HostOwnership {

    private static final Log log = Log.of(HostOwnership.class);
    /** cert-manager's HTTP-01 solver Ingresses: checked, never claim (they answer for their namespace's hosts). */
    public static final String SOLVER_LABEL = "acme.cert-manager.io/http01-solver";

    public enum Mode {
        /** /mutate: claims new names. */
        CLAIM,
        /** /validate and solver Ingresses: reads only. */
        READ_ONLY,
        /** A dry run: reads, and says what it would claim. */
        DRY_RUN
    }

    /** What a review found: denials (empty when allowed), the claims it created, notices for the user. */
    public record Outcome(List<Violation> conflicts, List<HostClaim> created, List<String> notices) {
        public boolean allowed() {
            return conflicts.isEmpty();
        }

        static Outcome allow() {
            return new Outcome(List.of(), List.of(), List.of());
        }
    }

    private final HostClaimStore store;
    private final Function<ClaimKey, List<Server>> servers;
    private final SharedHosts sharing;
    private final RuleSyntax defaultSyntax;

    /**
     * @param servers the stored routes serving a key (all namespaces), which decide while no claim exists
     */
    public HostOwnership(
            HostClaimStore store,
            Function<ClaimKey, List<Server>> servers,
            SharedHosts sharing,
            RuleSyntax defaultSyntax) {
        this.store = store;
        this.servers = servers;
        this.sharing = sharing;
        this.defaultSyntax = defaultSyntax;
    }

    /** Judges a route object of {@code kind} in {@code namespace}; writes only in {@link Mode#CLAIM}. */
    public Outcome review(RouteKind kind, JsonNode object, RouteRef route, Mode mode, Deadline deadline) {
        JsonNode meta = object.path("metadata");
        if (meta.hasNonNull("deletionTimestamp")) {
            return Outcome.allow(); // on its way out: it keeps nothing it could take
        }
        if (mode == Mode.CLAIM
                && "true".equals(meta.path("labels").path(SOLVER_LABEL).asText(""))) {
            mode = Mode.READ_ONLY;
        }
        Map<ClaimKey, String> names = new TreeMap<>(ServedNames.of(kind, object, defaultSyntax));
        if (names.isEmpty()) {
            return Outcome.allow();
        }
        Server self = new Server(route.namespace(), created(meta), route.toString());
        return claim(route, self, names, mode, deadline);
    }

    private Outcome claim(RouteRef route, Server self, Map<ClaimKey, String> names, Mode mode, Deadline deadline) {
        String namespace = route.namespace();
        List<Violation> conflicts = new ArrayList<>();
        List<ClaimKey> needed = new ArrayList<>();
        for (Map.Entry<ClaimKey, String> e : names.entrySet()) {
            ClaimKey key = e.getKey();
            Optional<HostClaim> own = store.cached(key);
            Optional<Held> rival = SameClaimRule.rival(namespace, key, related(key), sharing);
            if (rival.isEmpty() && own.isEmpty()) {
                rival = SameClaimRule.olderServer(namespace, key, self, servers(key), sharing)
                        .map(s -> new Held(key, s.namespace()));
            }
            if (rival.isPresent()) {
                conflicts.add(conflict(route, e.getValue(), key, rival.get(), "cache"));
            } else if (own.isEmpty()) {
                needed.add(key);
            }
        }
        if (!conflicts.isEmpty() || needed.isEmpty()) {
            return new Outcome(conflicts, List.of(), List.of());
        }
        return switch (mode) {
            case DRY_RUN ->
                new Outcome(
                        List.of(),
                        List.of(),
                        List.of(Check.DRY_RUN.tag() + " dry run: routecert would claim "
                                + String.join(
                                        ", ",
                                        needed.stream().map(ClaimKey::name).toList())
                                + " for namespace " + namespace));
            case READ_ONLY -> readOnly(route, names, needed, deadline);
            case CLAIM -> create(route, names, needed, deadline);
        };
    }

    private Outcome readOnly(RouteRef route, Map<ClaimKey, String> names, List<ClaimKey> needed, Deadline deadline) {
        List<Violation> conflicts = new ArrayList<>();
        for (ClaimKey key : needed) {
            try {
                Optional<HostClaim> found = store.read(key, deadline);
                Optional<Held> rival = SameClaimRule.rival(
                        route.namespace(),
                        key,
                        found.map(HostOwnership::held).stream().toList(),
                        sharing);
                rival.ifPresent(r -> conflicts.add(conflict(route, names.get(key), key, r, "API server")));
            } catch (StoreException e) {
                conflicts.add(failure(names.get(key), key, e));
            }
        }
        return new Outcome(conflicts, List.of(), List.of());
    }

    private Outcome create(RouteRef route, Map<ClaimKey, String> names, List<ClaimKey> needed, Deadline deadline) {
        String namespace = route.namespace();
        List<HostClaim> created = new ArrayList<>();
        List<Violation> conflicts = new ArrayList<>();
        for (ClaimKey key : needed) {
            String field = names.get(key);
            try {
                Optional<Held> rival = createOne(route, key, created, deadline);
                if (rival.isEmpty()) {
                    rival = SameClaimRule.rival(namespace, key, readRelated(key, deadline), sharing);
                }
                if (rival.isPresent()) {
                    conflicts.add(conflict(route, field, key, rival.get(), "API server"));
                    break;
                }
            } catch (StoreException e) {
                conflicts.add(failure(field, key, e));
                break;
            }
        }
        if (!conflicts.isEmpty()) {
            rollBack(created, deadline);
            return new Outcome(conflicts, List.of(), List.of());
        }
        return new Outcome(List.of(), List.copyOf(created), List.of());
    }

    /** Creates the claim on {@code key}, or finds who holds it; a rival when it is another's. */
    private Optional<Held> createOne(RouteRef route, ClaimKey key, List<HostClaim> created, Deadline deadline)
            throws StoreException {
        for (int attempt = 1; ; attempt++) {
            try {
                HostClaim claim = store.create(key, route.namespace(), route.annotationValue(), deadline);
                created.add(claim);
                log.info("host claim: {} claimed for namespace {} by {}", key, route.namespace(), route);
                return Optional.empty();
            } catch (StoreException e) {
                if (e.kind() != StoreException.Kind.ALREADY_EXISTS) {
                    throw e;
                }
            }
            Optional<HostClaim> holder = store.read(key, deadline);
            if (holder.isPresent()) {
                return SameClaimRule.rival(route.namespace(), key, List.of(held(holder.get())), sharing);
            }
            if (attempt >= 2) {
                throw new StoreException(
                        StoreException.Kind.CONFLICT, "the claim on " + key + " changed while routecert took it", null);
            }
            // released between the create and the read: try once more
        }
    }

    /** Deletes the claims a denied review created; what cannot be deleted in time the reconciler releases. */
    public void rollBack(List<HostClaim> created, Deadline deadline) {
        for (HostClaim claim : created) {
            try {
                store.delete(claim, deadline);
                log.info("host claim: {} released again: the review that claimed it was denied", claim.key());
            } catch (StoreException e) {
                log.warn("host claim: {} left for the reconciler to release: {}", claim.key(), e.getMessage());
            }
        }
    }

    /** The cached claims that are the same claim as {@code key}. */
    private List<Held> related(ClaimKey key) {
        List<Held> held = new ArrayList<>();
        store.cached(key).map(HostOwnership::held).ifPresent(held::add);
        if (key.wildcard()) {
            key.zone().ifPresent(zone -> store.cachedZone(zone).forEach(c -> held.add(held(c))));
        } else {
            key.coveringWildcard()
                    .flatMap(store::cached)
                    .map(HostOwnership::held)
                    .ifPresent(held::add);
        }
        return held;
    }

    /** As {@link #related}, read from the API server after this review's own claim was written. */
    private List<Held> readRelated(ClaimKey key, Deadline deadline) throws StoreException {
        List<Held> held = new ArrayList<>();
        if (key.wildcard()) {
            if (key.zone().isPresent()) {
                for (HostClaim c : store.listZone(key.zone().get(), deadline)) {
                    held.add(held(c));
                }
            }
        } else if (key.coveringWildcard().isPresent()) {
            store.read(key.coveringWildcard().get(), deadline)
                    .map(HostOwnership::held)
                    .ifPresent(held::add);
        }
        return held;
    }

    private List<Server> servers(ClaimKey key) {
        List<Server> all = new ArrayList<>(servers.apply(key));
        key.coveringWildcard().ifPresent(w -> all.addAll(servers.apply(w)));
        return all;
    }

    private static Held held(HostClaim claim) {
        return new Held(claim.key(), claim.holder());
    }

    private static Violation conflict(RouteRef route, String field, ClaimKey key, Held rival, String source) {
        log.info(
                "host claim: {} denied {}: {} is held by namespace {} ({} read from the {})",
                route,
                key,
                rival.key(),
                rival.holder(),
                rival.key().equals(key) ? "the claim" : "the overlapping claim",
                source);
        return SameClaimRule.denial(field, key.name());
    }

    private static Violation failure(String field, ClaimKey key, StoreException e) {
        return Violation.internal(
                Check.HOST_CLAIM_WRITE,
                field,
                "routecert could not record that this namespace serves " + key + ", so nothing was changed: "
                        + e.getMessage(),
                "apply again once the API server answers");
    }

    /** When the object was stored; null for one being created. */
    private static Instant created(JsonNode meta) {
        String text = meta.path("creationTimestamp").asText(null);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
