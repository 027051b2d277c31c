package dev.routecert.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.StoreException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where DNSEndpoints live. Reads go to the API server (a DNSEndpoint is read once per admission of a
 * covered route, and routecert's are listed once per full pass of the follower, so no cluster-wide cache
 * of them is kept); writes are bounded by a {@link Deadline}
 * and never retried here: after CONFLICT or ALREADY_EXISTS the caller reads and decides again.
 */
public interface DnsEndpointStore {

    Optional<JsonNode> read(String namespace, String name, Deadline deadline) throws StoreException;

    /** Creates it; fails with ALREADY_EXISTS rather than touch one that exists. */
    JsonNode create(ObjectNode endpoint, Deadline deadline) throws StoreException;

    /** Server-side apply as field manager routecert, only over {@code resourceVersion} (else CONFLICT). */
    JsonNode apply(ObjectNode endpoint, String resourceVersion, Deadline deadline) throws StoreException;

    /**
     * Every DNSEndpoint labelled as made by one of {@code managers} (routecert and its predecessors),
     * in {@code app.kubernetes.io/managed-by} or {@code kubernetes.io/managed-by}, all namespaces, read
     * page by page, each page within its own deadline: what the follower's full pass weighs the routes
     * against. Others' DNSEndpoints are not listed.
     */
    List<JsonNode> listManaged(List<String> managers, Supplier<Deadline> perPage) throws StoreException;

    /**
     * Deletes it if it still has {@code uid} and, when given, {@code resourceVersion} (what the decision
     * to delete was made on; null: whatever version it has now). False when it was not there so.
     */
    boolean delete(String namespace, String name, String uid, String resourceVersion, Deadline deadline)
            throws StoreException;
}
