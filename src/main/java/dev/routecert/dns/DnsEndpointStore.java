package dev.routecert.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.StoreException;
import java.util.List;
import java.util.Optional;

/**
 * Where DNSEndpoints live. Reads go to the API server (a DNSEndpoint is read once per admission of a
 * covered route, and listed once per full pass of the follower, so no cluster-wide cache of them is kept); writes are bounded by a {@link Deadline}
 * and never retried here: after CONFLICT or ALREADY_EXISTS the caller reads and decides again.
 */
public interface DnsEndpointStore {

    Optional<JsonNode> read(String namespace, String name, Deadline deadline) throws StoreException;

    /** Creates it; fails with ALREADY_EXISTS rather than touch one that exists. */
    JsonNode create(ObjectNode endpoint, Deadline deadline) throws StoreException;

    /** Server-side apply as field manager routecert, only over {@code resourceVersion} (else CONFLICT). */
    JsonNode apply(ObjectNode endpoint, String resourceVersion, Deadline deadline) throws StoreException;

    /**
     * Every DNSEndpoint, all namespaces: one call per full pass of the follower, which weighs each
     * route's planned name against it instead of reading them one by one.
     */
    List<JsonNode> list(Deadline deadline) throws StoreException;

    /** Deletes it if it still has {@code uid}. */
    void delete(String namespace, String name, String uid, Deadline deadline) throws StoreException;
}
