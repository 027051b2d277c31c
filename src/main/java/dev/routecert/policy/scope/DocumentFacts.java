package dev.routecert.policy.scope;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link ScopeFacts} from a list of objects: the IngressClass and Middleware documents given to
 * {@code routecert check}, and the facts of unit tests. Always synced: the documents are all there is.
 */
public final class DocumentFacts implements ScopeFacts {

    private final Set<String> defaults;
    private final Map<String, JsonNode> middlewares;
    private final Map<String, JsonNode> byTraefikId;

    private DocumentFacts(Set<String> defaults, Map<String, JsonNode> middlewares, Map<String, JsonNode> byId) {
        this.defaults = Collections.unmodifiableSet(defaults);
        this.middlewares = Collections.unmodifiableMap(middlewares);
        this.byTraefikId = Collections.unmodifiableMap(byId);
    }

    /** The facts in {@code objects}; objects of other kinds are ignored. */
    public static DocumentFacts of(List<JsonNode> objects, String defaultNamespace) {
        Set<String> defaults = new TreeSet<>();
        Map<String, JsonNode> middlewares = new LinkedHashMap<>();
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (JsonNode o : objects) {
            String apiVersion = o.path("apiVersion").asText("");
            String kind = o.path("kind").asText("");
            String name = o.path("metadata").path("name").asText("");
            if (kind.equals("IngressClass") && apiVersion.equals("networking.k8s.io/v1")) {
                if (ScopeFacts.isDefaultClass(o)) {
                    defaults.add(name);
                }
            } else if (kind.equals("Middleware") && isTraefikGroup(apiVersion)) {
                String ns = o.path("metadata").path("namespace").asText("");
                if (ns.isEmpty()) {
                    ns = defaultNamespace;
                }
                // the current group wins over the legacy one, as the caches answer
                boolean current = apiVersion.startsWith(RequireTlsExemptions.TRAEFIK_GROUP + "/");
                if (current || !middlewares.containsKey(ns + "/" + name)) {
                    middlewares.put(ns + "/" + name, o);
                    byId.put(ns + "-" + name, o);
                }
            }
        }
        return new DocumentFacts(defaults, middlewares, byId);
    }

    private static boolean isTraefikGroup(String apiVersion) {
        return apiVersion.startsWith(RequireTlsExemptions.TRAEFIK_GROUP + "/")
                || apiVersion.startsWith(RequireTlsExemptions.TRAEFIK_LEGACY_GROUP + "/");
    }

    @Override
    public boolean ingressClassesSynced() {
        return true;
    }

    @Override
    public Set<String> defaultIngressClasses() {
        return defaults;
    }

    @Override
    public Optional<JsonNode> middleware(String namespace, String name) {
        return Optional.ofNullable(middlewares.get(namespace + "/" + name));
    }

    @Override
    public Optional<JsonNode> middlewareByTraefikId(String id) {
        return Optional.ofNullable(byTraefikId.get(id));
    }
}
