package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** Cached objects by kind, as the reconciler reads them: {@link ClusterCaches} in production, maps in tests. */
public interface ClusterView {

    Optional<JsonNode> get(CachedKind kind, String namespace, String name);

    List<JsonNode> list(CachedKind kind);

    /**
     * Cached Certificates that routecert manages for {@code route} (its {@code routecert.dev/route}
     * annotation names the route). This default reads them all; {@link ClusterCaches} answers from an
     * index, so a route event costs the same with 10 Certificates in the cluster as with 5,000.
     */
    default List<JsonNode> certificatesOf(RouteRef route) {
        return list(CachedKind.CERTIFICATE).stream()
                .filter(certificate -> ExistingCertificate.from(certificate)
                        .route()
                        .filter(route::equals)
                        .isPresent())
                .toList();
    }

    /** Cached Certificates of {@code namespace} that write Secret {@code secretName}; this default reads them all. */
    default List<JsonNode> certificatesForSecret(String namespace, String secretName) {
        return list(CachedKind.CERTIFICATE).stream()
                .filter(c -> namespace.equals(
                                c.path("metadata").path("namespace").asText(""))
                        && secretName.equals(c.path("spec").path("secretName").asText("")))
                .toList();
    }

    /** True once every cache has listed its resource: before that, a missing route may only be unseen. */
    boolean allSynced();
}
