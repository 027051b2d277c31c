package dev.routecert.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.StoreException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** DNSEndpoints in memory, keyed {@code namespace/name}, with a log of the writes and a failure to inject. */
public final class FakeDnsEndpointStore implements DnsEndpointStore {

    public final Map<String, ObjectNode> server = Collections.synchronizedMap(new LinkedHashMap<>());
    public final List<String> writes = new ArrayList<>();
    /** Run before the next write, then cleared: another writer's step between a read and a write. */
    public Runnable beforeNextWrite;
    /** Thrown by the next write, then cleared. */
    public StoreException failNextWrite;
    /** How often everything was listed, and how often one was read. */
    public volatile int lists;

    public volatile int reads;

    private int version;

    public void put(ObjectNode object) {
        ObjectNode stored = object.deepCopy();
        ObjectNode meta = (ObjectNode) stored.get("metadata");
        meta.put("resourceVersion", String.valueOf(++version));
        if (!meta.has("uid")) {
            meta.put("uid", "uid-" + version);
        }
        server.put(meta.path("namespace").asText() + "/" + meta.path("name").asText(), stored);
    }

    @Override
    public Optional<JsonNode> read(String namespace, String name, Deadline deadline) {
        reads++;
        return Optional.ofNullable(server.get(namespace + "/" + name)).map(JsonNode::deepCopy);
    }

    @Override
    public JsonNode create(ObjectNode endpoint, Deadline deadline) throws StoreException {
        String key = key(endpoint);
        fail();
        if (server.containsKey(key)) {
            throw new StoreException(StoreException.Kind.ALREADY_EXISTS, key + " exists", null);
        }
        writes.add("create " + key);
        put(endpoint);
        return server.get(key);
    }

    @Override
    public JsonNode apply(ObjectNode endpoint, String resourceVersion, Deadline deadline) throws StoreException {
        String key = key(endpoint);
        fail();
        ObjectNode current = server.get(key);
        if (current == null
                || !current.path("metadata").path("resourceVersion").asText().equals(resourceVersion)) {
            throw new StoreException(StoreException.Kind.CONFLICT, key + " changed", null);
        }
        writes.add("apply " + key);
        // apply keeps the fields other managers own (their labels) and sets routecert's
        ObjectNode merged = current.deepCopy();
        ObjectNode meta = (ObjectNode) merged.get("metadata");
        endpoint.path("metadata")
                .path("labels")
                .properties()
                .forEach(e -> ((ObjectNode) meta.with("labels")).set(e.getKey(), e.getValue()));
        endpoint.path("metadata")
                .path("annotations")
                .properties()
                .forEach(e -> ((ObjectNode) meta.with("annotations")).set(e.getKey(), e.getValue()));
        if (endpoint.path("metadata").has("ownerReferences")) {
            meta.set("ownerReferences", endpoint.path("metadata").path("ownerReferences"));
        }
        merged.set("spec", endpoint.path("spec"));
        put(merged);
        return server.get(key);
    }

    @Override
    public List<JsonNode> listManaged(List<String> managers, Supplier<Deadline> perPage) {
        lists++;
        return server.values().stream()
                .filter(o -> managers.contains(o.path("metadata")
                                .path("labels")
                                .path("app.kubernetes.io/managed-by")
                                .asText())
                        || managers.contains(o.path("metadata")
                                .path("labels")
                                .path("kubernetes.io/managed-by")
                                .asText()))
                .map(o -> (JsonNode) o.deepCopy())
                .toList();
    }

    @Override
    public boolean delete(String namespace, String name, String uid, String resourceVersion, Deadline deadline)
            throws StoreException {
        fail();
        ObjectNode current = server.get(namespace + "/" + name);
        if (current != null
                && current.path("metadata").path("uid").asText().equals(uid)
                && (resourceVersion == null
                        || current.path("metadata")
                                .path("resourceVersion")
                                .asText()
                                .equals(resourceVersion))) {
            writes.add("delete " + namespace + "/" + name);
            server.remove(namespace + "/" + name);
            return true;
        }
        return false;
    }

    private void fail() throws StoreException {
        Runnable before = beforeNextWrite;
        beforeNextWrite = null;
        if (before != null) {
            before.run();
        }
        StoreException e = failNextWrite;
        failNextWrite = null;
        if (e != null) {
            throw e;
        }
    }

    private static String key(JsonNode object) {
        return object.path("metadata").path("namespace").asText() + "/"
                + object.path("metadata").path("name").asText();
    }
}
