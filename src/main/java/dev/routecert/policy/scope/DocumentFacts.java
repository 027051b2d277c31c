package dev.routecert.policy.scope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.TlsObjectFacts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link ScopeFacts} from a list of objects: the IngressClass, Middleware, TLSOption, TLSStore and
 * Certificate documents given to {@code routecert check}, and the facts of unit tests. Always synced:
 * the documents are all there is. TLSOptions (and TLSStores) are known only when the documents hold
 * at least one of them; otherwise a reference to one is reported as not checked.
 */
public final class DocumentFacts implements ScopeFacts, TlsObjectFacts {

    private final Set<String> defaults;
    private final Map<String, JsonNode> middlewares;
    private final Map<String, JsonNode> byTraefikId;
    private final List<JsonNode> tlsOptions;
    private final List<JsonNode> tlsStores;
    private final List<JsonNode> certificates;

    private DocumentFacts(
            Set<String> defaults,
            Map<String, JsonNode> middlewares,
            Map<String, JsonNode> byId,
            List<JsonNode> tlsOptions,
            List<JsonNode> tlsStores,
            List<JsonNode> certificates) {
        this.defaults = Collections.unmodifiableSet(defaults);
        this.middlewares = Collections.unmodifiableMap(middlewares);
        this.byTraefikId = Collections.unmodifiableMap(byId);
        this.tlsOptions = List.copyOf(tlsOptions);
        this.tlsStores = List.copyOf(tlsStores);
        this.certificates = List.copyOf(certificates);
    }

    /** The facts in {@code objects}; objects of other kinds are ignored. */
    public static DocumentFacts of(List<JsonNode> objects, String defaultNamespace) {
        Set<String> defaults = new TreeSet<>();
        Map<String, JsonNode> middlewares = new LinkedHashMap<>();
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        List<JsonNode> tlsOptions = new ArrayList<>();
        List<JsonNode> tlsStores = new ArrayList<>();
        List<JsonNode> certificates = new ArrayList<>();
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
            } else if ((kind.equals("TLSOption") || kind.equals("TLSStore")) && isTraefikGroup(apiVersion)) {
                (kind.equals("TLSOption") ? tlsOptions : tlsStores).add(withNamespace(o, defaultNamespace));
            } else if (kind.equals("Certificate") && apiVersion.equals("cert-manager.io/v1")) {
                certificates.add(withNamespace(o, defaultNamespace));
            }
        }
        return new DocumentFacts(defaults, middlewares, byId, tlsOptions, tlsStores, certificates);
    }

    /** The object with its namespace written, the default one when it names none, as kubectl would apply it. */
    private static JsonNode withNamespace(JsonNode o, String defaultNamespace) {
        if (!o.path("metadata").path("namespace").asText("").isEmpty()
                || !o.path("metadata").isObject()) {
            return o;
        }
        JsonNode copy = o.deepCopy();
        ((ObjectNode) copy.get("metadata")).put("namespace", defaultNamespace);
        return copy;
    }

    @Override
    public TlsObjectFacts tlsObjects() {
        return this;
    }

    @Override
    public Optional<List<JsonNode>> tlsOptions() {
        return tlsOptions.isEmpty() ? Optional.empty() : Optional.of(tlsOptions);
    }

    @Override
    public Optional<List<JsonNode>> tlsStores() {
        return tlsStores.isEmpty() ? Optional.empty() : Optional.of(tlsStores);
    }

    @Override
    public Optional<List<JsonNode>> certificatesWriting(String namespace, String secretName) {
        return Optional.of(certificates.stream()
                .filter(c -> namespace.equals(
                                c.path("metadata").path("namespace").asText(""))
                        && secretName.equals(c.path("spec").path("secretName").asText("")))
                .toList());
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
