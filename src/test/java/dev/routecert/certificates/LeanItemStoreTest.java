package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeanItemStoreTest {

    @Test
    void cachedObjectsLoseManagedFieldsAndTheLastAppliedCopyOnly() {
        GenericKubernetesResource route = new GenericKubernetesResource();
        route.setApiVersion("traefik.io/v1alpha1");
        route.setKind("IngressRoute");
        route.setMetadata(new ObjectMetaBuilder()
                .withName("shop")
                .withNamespace("web")
                .withUid("u-1")
                .withAnnotations(
                        Map.of("cert-manager.io/cluster-issuer", "le", LeanItemStore.LAST_APPLIED, "{\"a\":1}"))
                .withLabels(Map.of(LeanItemStore.LAST_APPLIED, "a label, kept"))
                .withManagedFields(new ManagedFieldsEntryBuilder()
                        .withManager("kubectl")
                        .withOperation("Update")
                        .build())
                .build());
        route.setAdditionalProperty("spec", Map.of("routes", List.of(Map.of("match", "Host(`a.example.com`)"))));

        LeanItemStore store = new LeanItemStore();
        assertEquals("web/shop", store.getKey(route));
        store.put(store.getKey(route), route);
        GenericKubernetesResource cached = store.get("web/shop");
        assertSame(route, cached, "the informer hands handlers the object it stored");
        assertTrue(cached.getMetadata().getManagedFields().isEmpty());
        assertEquals(
                Map.of("cert-manager.io/cluster-issuer", "le"),
                cached.getMetadata().getAnnotations());
        assertEquals(
                Map.of(LeanItemStore.LAST_APPLIED, "a label, kept"),
                cached.getMetadata().getLabels());
        assertEquals("u-1", cached.getMetadata().getUid());
        assertEquals(
                Map.of("routes", List.of(Map.of("match", "Host(`a.example.com`)"))),
                cached.getAdditionalProperties().get("spec"));
    }

    @Test
    void objectsWithoutThoseFieldsAreStoredAsTheyAre() {
        GenericKubernetesResource certificate = new GenericKubernetesResource();
        certificate.setMetadata(new ObjectMetaBuilder()
                .withName("shop-tls")
                .withNamespace("web")
                .build());
        LeanItemStore store = new LeanItemStore();
        store.put("web/shop-tls", certificate);
        assertEquals("shop-tls", store.get("web/shop-tls").getMetadata().getName());
        assertEquals(1, store.size());
    }
}
