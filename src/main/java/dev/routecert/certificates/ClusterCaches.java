package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.health.Readiness;
import dev.routecert.log.Log;
import dev.routecert.log.RepeatedFailure;
import dev.routecert.policy.TlsObjectFacts;
import dev.routecert.policy.scope.ScopeFacts;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
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
 * Informer caches of Certificates, Issuers, ClusterIssuers, the route kinds and Traefik's TLS objects,
 * all namespaces, so
 * that admission reads them without a round trip. Readiness check {@value #CHECK} passes once every
 * cache has listed its resource. A kind whose API is not served is looked for again every 30 s:
 * cert-manager's kinds keep readiness failing until they appear, absent route kinds are just logged.
 */
public final class ClusterCaches implements ClusterView, ScopeFacts, TlsObjectFacts, AutoCloseable {

    public static final String CHECK = "informer-caches";
    /** Certificates by the route their routecert.dev/route annotation names. */
    private static final String ROUTE_INDEX = "route";
    /** Certificates by {@code <namespace>/<spec.secretName>}: the Certificate behind a TLSStore's Secret, and certificate health. */
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

    /**
     * Exports {@code routecert_cache_synced{resource}}: 1 once the informer of a kind routecert watches
     * has listed it, 0 before, and while the API server does not serve the kind (say, before cert-manager's
     * CRDs are installed). One series per kind of {@link CachedKind}: bounded.
     */
    public void exportSyncState(PrometheusRegistry registry) {
        GaugeWithCallback.builder()
                .name("routecert_cache_synced")
                .help("1 once routecert's cache of a kind (resource.group) has listed it, 0 before; kinds it does"
                        + " not watch are absent")
                .labelNames("resource")
                .callback(callback -> {
                    for (CachedKind kind : CachedKind.values()) {
                        if (wanted(kind)) {
                            SharedIndexInformer<GenericKubernetesResource> informer = informer(kind);
                            callback.call(informer != null && informer.hasSynced() ? 1 : 0, kind.resource());
                        }
                    }
                })
                .register(registry);
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
                                                : kind.isTraefikTls()
                                                        ? ", so references to it are not checked"
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
            RepeatedFailure watchFailure =
                    WatchFailures.report(informer, "caches: list and watch of " + kind.resource(), log);
            informer.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(GenericKubernetesResource object) {
                    watchFailure.recovered();
                    notifyListeners(kind, object);
                }

                @Override
                public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource object) {
                    watchFailure.recovered();
                    notifyListeners(kind, object);
                }

                @Override
                public void onDelete(GenericKubernetesResource object, boolean finalStateUnknown) {
                    watchFailure.recovered();
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

    @Override
    public TlsObjectFacts tlsObjects() {
        return this;
    }

    @Override
    public Optional<List<JsonNode>> tlsOptions() {
        return bothGroups(CachedKind.TLS_OPTION, CachedKind.TLS_OPTION_LEGACY);
    }

    @Override
    public Optional<List<JsonNode>> tlsStores() {
        return bothGroups(CachedKind.TLS_STORE, CachedKind.TLS_STORE_LEGACY);
    }

    /**
     * The objects of a Traefik kind in both groups; empty when neither group is served or a served one
     * has not listed yet, so that an object not seen is never taken for one that does not exist.
     */
    private Optional<List<JsonNode>> bothGroups(CachedKind current, CachedKind legacy) {
        List<JsonNode> all = new ArrayList<>();
        boolean served = false;
        for (CachedKind kind : List.of(current, legacy)) {
            SharedIndexInformer<GenericKubernetesResource> informer = informer(kind);
            if (informer == null) {
                continue;
            }
            if (!informer.hasSynced()) {
                return Optional.empty();
            }
            served = true;
            informer.getIndexer().list().forEach(o -> all.add(json(o)));
        }
        return served ? Optional.of(all) : Optional.empty();
    }

    @Override
    public Optional<List<JsonNode>> certificatesWriting(String namespace, String secretName) {
        SharedIndexInformer<GenericKubernetesResource> informer = informer(CachedKind.CERTIFICATE);
        if (informer == null || !informer.hasSynced()) {
            return Optional.empty();
        }
        return Optional.of(informer.getIndexer().byIndex(SECRET_INDEX, namespace + "/" + secretName).stream()
                .map(this::json)
                .toList());
    }

    private static List<String> secretIndexKeys(GenericKubernetesResource certificate) {
        Object spec = certificate.getAdditionalProperties().get("spec");
        Object secret = spec instanceof Map<?, ?> m ? m.get("secretName") : null;
        return secret instanceof String s && certificate.getMetadata() != null
                ? List.of(certificate.getMetadata().getNamespace() + "/" + s)
                : List.of();
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
    public List<JsonNode> certificatesForSecret(String namespace, String secretName) {
        return certificatesWriting(namespace, secretName).orElse(List.of());
    }

    /** A Certificate's route, read as {@link ExistingCertificate#from} reads it: from routecert's route annotation. */
    private static List<String> routeIndexKeys(GenericKubernetesResource certificate) {
        var meta = certificate.getMetadata();
        if (meta == null || meta.getAnnotations() == null) {
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
