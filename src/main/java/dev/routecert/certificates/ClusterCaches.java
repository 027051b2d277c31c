package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.health.Readiness;
import dev.routecert.log.Log;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
public final class ClusterCaches implements ClusterView, AutoCloseable {

    public static final String CHECK = "informer-caches";
    /** Certificates by the route their routecert.dev/route annotation names. */
    private static final String ROUTE_INDEX = "route";

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

    public ClusterCaches(KubernetesClient client, Readiness readiness) {
        this.client = client;
        this.readiness = readiness;
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
                if (kind.required && informer == null) {
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
            if (closed || informer(kind) != null) {
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
                                : ", so routes of that kind are not reconciled");
                continue;
            }
            SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(kind.context())
                    .inAnyNamespace()
                    .runnableInformer(0);
            informer.itemStore(new LeanItemStore());
            if (kind == CachedKind.CERTIFICATE) {
                informer.addIndexers(Map.of(ROUTE_INDEX, ClusterCaches::routeIndexKeys));
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
                if (informer == null && kind.required) {
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
