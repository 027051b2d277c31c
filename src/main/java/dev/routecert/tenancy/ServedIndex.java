package dev.routecert.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.certificates.CachedKind;
import dev.routecert.certificates.ClusterView;
import dev.routecert.certificates.RouteRef;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.policy.tenancy.SameClaimRule;
import dev.routecert.policy.tenancy.ServedNames;
import dev.routecert.routes.RouteKind;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which stored routes serve which claim keys, kept from the route caches' changes on every replica:
 * before a claim exists, admission and the reconciler both give a name to the namespace that served
 * it first. A route being deleted serves nothing.
 */
public final class ServedIndex {

    /** A stored route that serves some keys. */
    public record Served(RouteRef route, String uid, Instant created, Set<ClaimKey> keys) {
        public SameClaimRule.Server server() {
            return new SameClaimRule.Server(route.namespace(), created, route.toString());
        }
    }

    public static final Comparator<Served> OLDEST_FIRST =
            Comparator.comparing(Served::server, SameClaimRule.OLDEST_FIRST);

    private final ClusterView cluster;
    private final RuleSyntax defaultSyntax;
    private final Map<RouteRef, Served> routes = new ConcurrentHashMap<>();
    private final Map<ClaimKey, Set<RouteRef>> servers = new ConcurrentHashMap<>();

    public ServedIndex(ClusterView cluster, RuleSyntax defaultSyntax) {
        this.cluster = cluster;
        this.defaultSyntax = defaultSyntax;
    }

    /**
     * Indexes the route as the cache shows it now (events carry the object, but a delete does not
     * say so); returns the keys whose servers changed.
     */
    public synchronized Set<ClaimKey> refresh(CachedKind kind, String namespace, String name) {
        RouteRef ref = new RouteRef(kind.group(), kind.kind(), namespace, name);
        Set<ClaimKey> changed = new LinkedHashSet<>();
        Served old = routes.remove(ref);
        if (old != null) {
            for (ClaimKey key : old.keys) {
                servers.computeIfPresent(key, (k, refs) -> {
                    refs.remove(ref);
                    return refs.isEmpty() ? null : refs;
                });
            }
            changed.addAll(old.keys);
        }
        cluster.get(kind, namespace, name).ifPresent(object -> {
            Served now = served(kind, ref, object);
            if (!now.keys.isEmpty()) {
                routes.put(ref, now);
                for (ClaimKey key : now.keys) {
                    servers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet())
                            .add(ref);
                }
            }
            changed.addAll(now.keys);
        });
        return changed;
    }

    /** For a change seen in the caches. */
    public Set<ClaimKey> onChange(CachedKind kind, JsonNode object) {
        if (!kind.isRoute()) {
            return Set.of();
        }
        JsonNode meta = object.path("metadata");
        return refresh(
                kind, meta.path("namespace").asText(""), meta.path("name").asText(""));
    }

    /** The stored routes serving {@code key}, oldest first. */
    public List<Served> servers(ClaimKey key) {
        List<Served> out = new ArrayList<>();
        for (RouteRef ref : servers.getOrDefault(key, Set.of())) {
            Served s = routes.get(ref);
            if (s != null) {
                out.add(s);
            }
        }
        out.sort(OLDEST_FIRST);
        return out;
    }

    public Set<ClaimKey> keys() {
        return Set.copyOf(servers.keySet());
    }

    private Served served(CachedKind kind, RouteRef ref, JsonNode object) {
        JsonNode meta = object.path("metadata");
        Instant created = instant(meta.path("creationTimestamp").asText(null));
        Optional<RouteKind> routeKind = RouteKind.of(kind.group(), kind.kind());
        if (meta.hasNonNull("deletionTimestamp") || routeKind.isEmpty()) {
            return new Served(ref, "", created, Set.of());
        }
        Set<ClaimKey> keys =
                ServedNames.of(routeKind.get(), object, defaultSyntax).keySet();
        return new Served(ref, meta.path("uid").asText(""), created, Set.copyOf(keys));
    }

    /** A creationTimestamp; null (younger than any stored route) when absent or unreadable. */
    static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
