package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.health.Readiness;
import dev.routecert.log.Log;
import dev.routecert.policy.scope.ScopeFacts;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Informer caches of Certificates, Issuers, ClusterIssuers and the route kinds, all namespaces, so
 * that admission reads them without a round trip. Readiness check {@value #CHECK} passes once every
 * cache has listed its resource. A kind whose API is not served is looked for again every 30 s:
 * cert-manager's kinds keep readiness failing until they appear, absent route kinds are just logged.
 */
public final class ClusterCaches implements ClusterView, ScopeFacts, AutoCloseable {

    public static final String CHECK = "informer-caches";
    /** Certificates by the route their routecert.dev/route annotation names. */
    private static final String ROUTE_INDEX = "route";
    /** Certificates by the Secret they write, {@code <namespace>|<secretName>}: certificate health reads them. */
    private static final String SECRET_INDEX = "secret";
    /** Middlewares by {@code <namespace>-<name>}, the id an Ingress's router.middlewares annotation uses. */
    private static final String TRAEFIK_ID_INDEX = "traefik-id";

    private static final Log log = Log.of(ClusterCaches.class);

    private final KubernetesClient client;
    private final Readiness readiness;
    private final Map<CachedKind, SharedIndexInformer<GenericKubernetesResource>> informers =
            new EnumMap<>(CachedKind.class);
    private final List<BiConsumer<CachedKind, JsonNode>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService discovery = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "informer-discovery");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    private final Set<CachedKind> onDemand;

    public ClusterCaches(KubernetesClient client, Readiness readiness) {
        this(client, readiness, Set.of());
    }

    /** @param onDemand the {@link CachedKind#onDemand on-demand} kinds the settings need */
    public ClusterCaches(KubernetesClient client, Readiness readiness, Set<CachedKind> onDemand) {
        this.client = client;
        this.readiness = readiness;
        this.onDemand = Set.copyOf(onDemand);
    }

    /** The on-demand kinds {@code --ingress-classes} and {@code --require-tls} need. */
    public static Set<CachedKind> needed(boolean ingressClasses, boolean requireTls) {
        return needed(ingressClasses, requireTls, false);
    }

    /** The same, and Namespaces when a policy file selects namespaces by their labels. */
    public static Set<CachedKind> needed(boolean ingressClasses, boolean requireTls, boolean namespaceLabels) {
        Set<CachedKind> kinds = EnumSet.noneOf(CachedKind.class);
        if (namespaceLabels) {
            kinds.add(CachedKind.NAMESPACE);
        }
        if (ingressClasses) {
            kinds.add(CachedKind.INGRESS_CLASS);
        }
        if (requireTls) {
            kinds.add(CachedKind.MIDDLEWARE);
            kinds.add(CachedKind.MIDDLEWARE_LEGACY);
        }
        return kinds;
    }

    private boolean wanted(CachedKind kind) {
        return !kind.onDemand || onDemand.contains(kind);
    }

    /** Starts the informers in the background; readiness tells when they are synced. */
    public ClusterCaches start() {
        readiness.pending(CHECK, this::pendingReason);
        discovery.execute(this::startServedKinds);
        return this;
    }

    /** Called with the kind and the object (the last known state on delete) for every change seen. */
    public void onChange(BiConsumer<CachedKind, JsonNode> listener) {
        listeners.add(listener);
    }

    @Override
    public Optional<JsonNode> get(CachedKind kind, String namespace, String name) {
        SharedIndexInformer<GenericKubernetesResource> informer = informer(kind);
        if (informer == null) {
            return Optional.empty();
        }
        String key = kind.namespaced ? namespace + "/" + name : name;
        GenericKubernetesResource object = informer.getIndexer().getByKey(key);
        return Optional.ofNullable(object).map(this::json);
    }

    @Override
    public List<JsonNode> list(CachedKind kind) {
        SharedIndexInformer<GenericKubernetesResource> informer = informer(kind);
        if (informer == null) {
            return List.of();
        }
        return informer.getIndexer().list().stream().map(this::json).toList();
    }

    @Override
    public boolean allSynced() {
        synchronized (informers) {
            for (CachedKind kind : CachedKind.values()) {
                SharedIndexInformer<GenericKubernetesResource> informer = informers.get(kind);
                if (kind.required && informer == null && wanted(kind)) {
                    return false;
                }
                if (informer != null && !informer.hasSynced()) {
                    return false;
                }
            }
            return true;
        }
    }

    JsonNode json(GenericKubernetesResource object) {
        return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
    }

    private SharedIndexInformer<GenericKubernetesResource> informer(CachedKind kind) {
        synchronized (informers) {
            return informers.get(kind);
        }
    }

    private void startServedKinds() {
        boolean missing = false;
        for (CachedKind kind : CachedKind.values()) {
            if (closed || informer(kind) != null || !wanted(kind)) {
                continue;
            }
            boolean served;
            try {
                served = client.supports(kind.apiVersion(), kind.kind);
            } catch (RuntimeException e) {
                log.warn("caches: cannot ask the API server whether it serves {}: {}", kind.resource(), e.getMessage());
                missing = true;
                continue;
            }
            if (!served) {
                missing = true;
                log.info(
                        "caches: {} is not served{}; looking again every 30s",
                        kind.resource(),
                        kind.required
                                ? " (is cert-manager installed?): routecert is not ready without it"
                                : kind.isRoute()
                                        ? ", so routes of that kind are not reconciled"
                                        : kind == CachedKind.NAMESPACE
                                                ? ", so the policy file's selectors see no namespace labels"
                                                : ", so no route is exempt from --require-tls by redirecting to it");
                continue;
            }
            SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(kind.context())
                    .inAnyNamespace()
                    .runnableInformer(0);
            informer.itemStore(new LeanItemStore());
            if (kind == CachedKind.CERTIFICATE) {
                informer.addIndexers(Map.of(
                        ROUTE_INDEX, ClusterCaches::routeIndexKeys, SECRET_INDEX, ClusterCaches::secretIndexKeys));
            } else if (kind == CachedKind.MIDDLEWARE || kind == CachedKind.MIDDLEWARE_LEGACY) {
                informer.addIndexers(Map.of(TRAEFIK_ID_INDEX, m -> List.of(traefikId(m))));
            }
            informer.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(GenericKubernetesResource object) {
                    notifyListeners(kind, object);
                }

                @Override
                public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource object) {
                    notifyListeners(kind, object);
                }

                @Override
                public void onDelete(GenericKubernetesResource object, boolean finalStateUnknown) {
                    notifyListeners(kind, object);
                }
            });
            synchronized (informers) {
                informers.put(kind, informer);
            }
            long started = System.nanoTime();
            informer.start().whenComplete((ok, error) -> {
                if (error != null) {
                    log.warn("caches: {} informer stopped: {}", kind.resource(), error.getMessage());
                } else {
                    log.info(
                            "caches: {} synced in {} ms ({} objects)",
                            kind.resource(),
                            (System.nanoTime() - started) / 1_000_000,
                            informer.getIndexer().list().size());
                }
                updateReadiness();
            });
        }
        updateReadiness();
        if (missing && !closed) {
            discovery.schedule(this::startServedKinds, 30, TimeUnit.SECONDS);
        }
    }

    /** A namespace's labels from the cache; empty when the cache is off or does not hold it (yet). */
    public Optional<Map<String, String>> namespaceLabels(String namespace) {
        SharedIndexInformer<GenericKubernetesResource> informer = informer(CachedKind.NAMESPACE);
        if (informer == null) {
            return Optional.empty();
        }
        GenericKubernetesResource ns = informer.getIndexer().getByKey(namespace);
        if (ns == null || ns.getMetadata() == null) {
            return Optional.empty();
        }
        Map<String, String> labels = ns.getMetadata().getLabels();
        return Optional.of(labels == null ? Map.of() : Map.copyOf(labels));
    }

    @Override
    public boolean ingressClassesSynced() {
        SharedIndexInformer<GenericKubernetesResource> informer = informer(CachedKind.INGRESS_CLASS);
        return informer != null && informer.hasSynced();
    }

    @Override
    public Set<String> defaultIngressClasses() {
        SharedIndexInformer<GenericKubernetesResource> informer = informer(CachedKind.INGRESS_CLASS);
        if (informer == null) {
            return Set.of();
        }
        Set<String> names = new TreeSet<>();
        for (GenericKubernetesResource c : informer.getIndexer().list()) {
            var meta = c.getMetadata();
            if (meta != null
                    && meta.getAnnotations() != null
                    && "true".equals(meta.getAnnotations().get(ScopeFacts.DEFAULT_CLASS_ANNOTATION))) {
                names.add(meta.getName());
            }
        }
        return names;
    }

    /** The current group's Middleware wins over the legacy group's of the same name, as Traefik v3 reads both. */
    @Override
    public Optional<JsonNode> middleware(String namespace, String name) {
        return get(CachedKind.MIDDLEWARE, namespace, name).or(() -> get(CachedKind.MIDDLEWARE_LEGACY, namespace, name));
    }

    @Override
    public Optional<JsonNode> middlewareByTraefikId(String id) {
        for (CachedKind kind : List.of(CachedKind.MIDDLEWARE, CachedKind.MIDDLEWARE_LEGACY)) {
            SharedIndexInformer<GenericKubernetesResource> informer = informer(kind);
            if (informer != null) {
                List<GenericKubernetesResource> found = informer.getIndexer().byIndex(TRAEFIK_ID_INDEX, id);
                if (!found.isEmpty()) {
                    return Optional.of(json(found.get(0)));
                }
            }
        }
        return Optional.empty();
    }

    private static String traefikId(GenericKubernetesResource middleware) {
        var meta = middleware.getMetadata();
        return meta.getNamespace() + "-" + meta.getName();
    }

    @Override
    public List<JsonNode> certificatesOf(RouteRef route) {
        SharedIndexInformer<GenericKubernetesResource> informer = informer(CachedKind.CERTIFICATE);
        if (informer == null) {
            return List.of();
        }
        return informer
                .getIndexer()
                .byIndex(ROUTE_INDEX, routeIndexKey(route.namespace(), route.annotationValue()))
                .stream()
                .map(this::json)
                .filter(certificate -> ExistingCertificate.from(certificate)
                        .route()
                        .filter(route::equals)
                        .isPresent())
                .toList();
    }

    @Override
    public List<JsonNode> certificatesWriting(String namespace, String secretName) {
        SharedIndexInformer<GenericKubernetesResource> informer = informer(CachedKind.CERTIFICATE);
        if (informer == null) {
            return List.of();
        }
        return informer.getIndexer().byIndex(SECRET_INDEX, namespace + "|" + secretName).stream()
                .map(this::json)
                .toList();
    }

    private static List<String> secretIndexKeys(GenericKubernetesResource certificate) {
        Object spec = certificate.getAdditionalProperties().get("spec");
        if (certificate.getMetadata() == null
                || !(spec instanceof Map<?, ?> map)
                || !(map.get("secretName") instanceof String secret)) {
            return List.of();
        }
        return List.of(certificate.getMetadata().getNamespace() + "|" + secret);
    }

    /** A Certificate's route, read as {@link ExistingCertificate#from} reads it: managed by routecert and annotated. */
    private static List<String> routeIndexKeys(GenericKubernetesResource certificate) {
        var meta = certificate.getMetadata();
        if (meta == null
                || meta.getLabels() == null
                || meta.getAnnotations() == null
                || !Ownership.MANAGED_BY.equals(meta.getLabels().get(Ownership.MANAGED_BY_LABEL))) {
            return List.of();
        }
        String route = meta.getAnnotations().get(Ownership.ROUTE_ANNOTATION);
        return route == null ? List.of() : List.of(routeIndexKey(meta.getNamespace(), route));
    }

    private static String routeIndexKey(String namespace, String routeAnnotation) {
        return (namespace == null ? "" : namespace) + "|" + routeAnnotation;
    }

    private void notifyListeners(CachedKind kind, GenericKubernetesResource object) {
        if (listeners.isEmpty()) {
            return;
        }
        JsonNode json = json(object);
        for (BiConsumer<CachedKind, JsonNode> listener : listeners) {
            try {
                listener.accept(kind, json);
            } catch (RuntimeException e) {
                log.warn(
                        "caches: a listener failed on {} {}: {}",
                        kind.kind,
                        json.path("metadata").path("name").asText(),
                        e.toString());
            }
        }
    }

    private void updateReadiness() {
        if (allSynced()) {
            readiness.pass(CHECK);
        } else {
            readiness.pending(CHECK, this::pendingReason);
        }
    }

    private String pendingReason() {
        List<String> waiting = new ArrayList<>();
        synchronized (informers) {
            for (CachedKind kind : CachedKind.values()) {
                SharedIndexInformer<GenericKubernetesResource> informer = informers.get(kind);
                if (informer == null && kind.required && wanted(kind)) {
                    waiting.add(kind.resource() + " (not served: is cert-manager installed?)");
                } else if (informer != null && !informer.hasSynced()) {
                    waiting.add(kind.resource());
                }
            }
        }
        return waiting.isEmpty() ? "starting" : "waiting for " + String.join(", ", waiting);
    }

    @Override
    public void close() {
        closed = true;
        discovery.shutdownNow();
        synchronized (informers) {
            informers.values().forEach(SharedIndexInformer::stop);
        }
    }
}
