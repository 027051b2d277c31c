package dev.routecert.certificates;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The informers' store: it keeps each cached route and Certificate without the two fields routecert
 * never reads, {@code metadata.managedFields} and kubectl's
 * {@code kubectl.kubernetes.io/last-applied-configuration} annotation (a second copy of the object).
 * The caches hold every route and Certificate of the cluster, so these fields were most of
 * routecert's heap in a large cluster. The informer hands the same stripped object to the event
 * handlers, which read neither field either.
 */
final class LeanItemStore extends BasicItemStore<GenericKubernetesResource> {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    LeanItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public GenericKubernetesResource put(String key, GenericKubernetesResource object) {
        return super.put(key, strip(object));
    }

    static GenericKubernetesResource strip(GenericKubernetesResource object) {
        ObjectMeta meta = object == null ? null : object.getMetadata();
        if (meta == null) {
            return object;
        }
        if (meta.getManagedFields() != null && !meta.getManagedFields().isEmpty()) {
            meta.setManagedFields(List.of());
        }
        Map<String, String> annotations = meta.getAnnotations();
        if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
            Map<String, String> kept = new LinkedHashMap<>(annotations);
            kept.remove(LAST_APPLIED);
            meta.setAnnotations(kept);
        }
        return object;
    }
}
