package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@link CertificateStore}: a "server" map of Certificates and a "cache" map that lags
 * behind it until {@link #syncCache()}, issuers, Secrets, and failures to inject. Records every write.
 */
public final class FakeCertificateStore implements CertificateStore {

    public static final ObjectMapper JSON = new ObjectMapper();

    public final Map<String, JsonNode> server = new LinkedHashMap<>();
    public final Map<String, JsonNode> cache = new LinkedHashMap<>();
    final Map<String, IssuerInfo> issuers = new HashMap<>();
    public final Map<String, SecretState> secrets = new HashMap<>();
    public final List<String> writes = new ArrayList<>();
    /** Names whose create or apply fails with this exception. */
    public final Map<String, StoreException> failures = new HashMap<>();

    public boolean cacheFollowsServer = true;
    /** When true, listing Certificates from the server fails as an unreachable API server would. */
    public boolean failLists;

    private final AtomicLong resourceVersion = new AtomicLong(100);

    public void syncCache() {
        cache.clear();
        cache.putAll(server);
    }

    /** Puts a Certificate on the server (and in the cache when it follows); returns it as stored. */
    public JsonNode put(JsonNode certificate) {
        ObjectNode stored = certificate.deepCopy();
        ObjectNode meta = (ObjectNode) stored.get("metadata");
        meta.put("resourceVersion", String.valueOf(resourceVersion.incrementAndGet()));
        if (!meta.has("uid")) {
            meta.put("uid", "uid-" + meta.path("name").asText() + "-" + resourceVersion.get());
        }
        if (!meta.has("creationTimestamp")) {
            meta.put("creationTimestamp", Instant.now().toString());
        }
        String key = key(meta.path("namespace").asText(), meta.path("name").asText());
        server.put(key, stored);
        if (cacheFollowsServer) {
            cache.put(key, stored);
        }
        return stored;
    }

    public void issuer(IssuerInfo issuer) {
        issuers.put(issuer.kind() + "/" + issuer.namespace() + "/" + issuer.name(), issuer);
    }

    public static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    @Override
    public Optional<ExistingCertificate> cachedCertificate(String namespace, String name) {
        return Optional.ofNullable(cache.get(key(namespace, name))).map(ExistingCertificate::from);
    }

    @Override
    public List<JsonNode> cachedCertificatesWriting(String namespace, String secretName) {
        return cache.values().stream()
                .filter(c -> namespace.equals(
                                c.path("metadata").path("namespace").asText())
                        && secretName.equals(c.path("spec").path("secretName").asText()))
                .toList();
    }

    @Override
    public Optional<IssuerInfo> cachedIssuer(String kind, String namespace, String name) {
        return Optional.ofNullable(issuers.get(kind + "/" + (namespace == null ? "" : namespace) + "/" + name));
    }

    @Override
    public Optional<ExistingCertificate> readCertificate(String namespace, String name, Deadline deadline) {
        writes.add("read " + key(namespace, name));
        return Optional.ofNullable(server.get(key(namespace, name))).map(ExistingCertificate::from);
    }

    @Override
    public List<JsonNode> readCertificatesWriting(String namespace, String secretName, Deadline deadline)
            throws StoreException {
        writes.add("list " + namespace);
        if (failLists) {
            throw new StoreException(
                    StoreException.Kind.UNAVAILABLE, "list Certificates: the API server does not answer", null);
        }
        return server.values().stream()
                .filter(c -> namespace.equals(
                                c.path("metadata").path("namespace").asText())
                        && secretName.equals(c.path("spec").path("secretName").asText()))
                .toList();
    }

    @Override
    public SecretState readSecret(String namespace, String name, Deadline deadline) {
        return secrets.getOrDefault(key(namespace, name), SecretState.ABSENT);
    }

    @Override
    public ExistingCertificate create(ObjectNode certificate, Deadline deadline) throws StoreException {
        String key = key(
                certificate.path("metadata").path("namespace").asText(),
                certificate.path("metadata").path("name").asText());
        writes.add("create " + key);
        failIfAsked(key);
        if (server.containsKey(key)) {
            throw new StoreException(
                    StoreException.Kind.ALREADY_EXISTS,
                    "could not create Certificate " + key + ": already exists",
                    null);
        }
        return ExistingCertificate.from(put(certificate));
    }

    @Override
    public ExistingCertificate apply(ObjectNode certificate, String rv, Deadline deadline) throws StoreException {
        String key = key(
                certificate.path("metadata").path("namespace").asText(),
                certificate.path("metadata").path("name").asText());
        writes.add("apply " + key);
        failIfAsked(key);
        JsonNode current = server.get(key);
        if (current == null
                || !current.path("metadata").path("resourceVersion").asText().equals(rv)) {
            throw new StoreException(
                    StoreException.Kind.CONFLICT, "could not apply Certificate " + key + ": changed", null);
        }
        ObjectNode merged = certificate.deepCopy();
        ((ObjectNode) merged.get("metadata"))
                .put("uid", current.path("metadata").path("uid").asText());
        return ExistingCertificate.from(put(merged));
    }

    @Override
    public void delete(String namespace, String name, String uid, Deadline deadline) throws StoreException {
        String key = key(namespace, name);
        writes.add("delete " + key);
        JsonNode current = server.get(key);
        if (current != null && !current.path("metadata").path("uid").asText().equals(uid)) {
            throw new StoreException(StoreException.Kind.CONFLICT, "uid precondition failed", null);
        }
        server.remove(key);
        if (cacheFollowsServer) {
            cache.remove(key);
        }
    }

    private void failIfAsked(String key) throws StoreException {
        StoreException failure = failures.get(key);
        if (failure != null) {
            throw failure;
        }
    }
}
