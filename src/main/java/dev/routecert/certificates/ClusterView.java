package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** Cached objects by kind, as the reconciler reads them: {@link ClusterCaches} in production, maps in tests. */
public interface ClusterView {

    Optional<JsonNode> get(CachedKind kind, String namespace, String name);

    List<JsonNode> list(CachedKind kind);

    /** True once every cache has listed its resource: before that, a missing route may only be unseen. */
    boolean allSynced();
}
