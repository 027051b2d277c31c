package dev.routecert.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.certificates.CachedKind;
import dev.routecert.certificates.ClusterView;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.StoreException;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.policy.tenancy.SharedHosts;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host claims as one LIST of their Leases found them, for a judge that only reads ({@code check
 * --kubeconfig}): the listing serves both the cached and the API server's reads, and every write is
 * refused. With {@link #ownership} the same {@link HostOwnership} admission runs decides over it.
 */
public final class ListedHostClaims implements HostClaimStore {

    private final Map<String, Lease> byName = new HashMap<>();

    ListedHostClaims(List<Lease> leases) {
        leases.forEach(l -> byName.put(l.getMetadata().getName(), l));
    }

    /** One LIST of the claims' Leases in {@code namespace}, as the informer of serve lists them. */
    public static ListedHostClaims list(KubernetesClient client, String namespace) {
        return new ListedHostClaims(client.leases()
                .inNamespace(namespace)
                .withLabel(KubeHostClaimStore.CLAIM_LABEL, "host")
                .list()
                .getItems());
    }

    /**
     * Host ownership over these claims and over the stored routes given (each with its cache kind),
     * which decide who served a name first while nobody holds its claim; for {@link
     * HostOwnership.Mode#READ_ONLY} reviews only.
     */
    public HostOwnership ownership(
            Map<CachedKind, List<JsonNode>> routes, SharedHosts sharing, RuleSyntax defaultSyntax) {
        ServedIndex index = new ServedIndex(new Listed(routes), defaultSyntax);
        routes.forEach((kind, objects) -> objects.forEach(o -> index.onChange(kind, o)));
        return new HostOwnership(
                this,
                key -> index.servers(key).stream()
                        .map(ServedIndex.Served::server)
                        .toList(),
                sharing,
                defaultSyntax);
    }

    @Override
    public Optional<HostClaim> cached(ClaimKey key) {
        return KubeHostClaimStore.held(byName.get(KubeHostClaimStore.leaseName(key)), key);
    }

    @Override
    public List<HostClaim> cachedZone(String zone) {
        String hash = KubeHostClaimStore.hash(zone);
        return byName.values().stream()
                .filter(l -> hash.equals(KubeHostClaimStore.zoneHash(l)))
                .flatMap(l -> KubeHostClaimStore.claim(l).stream())
                .toList();
    }

    @Override
    public List<HostClaim> cachedAll() {
        return byName.values().stream()
                .flatMap(l -> KubeHostClaimStore.claim(l).stream())
                .toList();
    }

    @Override
    public Optional<HostClaim> read(ClaimKey key, Deadline deadline) {
        return cached(key);
    }

    @Override
    public List<HostClaim> listZone(String zone, Deadline deadline) {
        return cachedZone(zone);
    }

    @Override
    public HostClaim create(ClaimKey key, String holder, String route, Deadline deadline) throws StoreException {
        throw readOnly("claim " + key);
    }

    @Override
    public HostClaim transfer(HostClaim claim, String holder, String route, Deadline deadline) throws StoreException {
        throw readOnly("give the claim on " + claim.key() + " to namespace " + holder);
    }

    @Override
    public void delete(HostClaim claim, Deadline deadline) throws StoreException {
        throw readOnly("release the claim on " + claim.key());
    }

    private static StoreException readOnly(String action) {
        return new StoreException(
                StoreException.Kind.FORBIDDEN, "could not " + action + ": these claims are only read", null);
    }

    /** The listed routes as the index reads them. */
    private static final class Listed implements ClusterView {
        private final Map<CachedKind, List<JsonNode>> routes;
        private final Map<String, JsonNode> byRef = new HashMap<>();

        Listed(Map<CachedKind, List<JsonNode>> routes) {
            this.routes = routes;
            routes.forEach((kind, objects) -> objects.forEach(o -> byRef.put(
                    ref(
                            kind,
                            o.path("metadata").path("namespace").asText(""),
                            o.path("metadata").path("name").asText("")),
                    o)));
        }

        private static String ref(CachedKind kind, String namespace, String name) {
            return kind + "/" + namespace + "/" + name;
        }

        @Override
        public Optional<JsonNode> get(CachedKind kind, String namespace, String name) {
            return Optional.ofNullable(byRef.get(ref(kind, namespace, name)));
        }

        @Override
        public List<JsonNode> list(CachedKind kind) {
            return new ArrayList<>(routes.getOrDefault(kind, List.of()));
        }

        @Override
        public boolean allSynced() {
            return true;
        }
    }
}
