package dev.routecert.kube;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The controller-manager's garbage collector deletes dependents once their owner is gone. */
@ExtendWith(KubeClusterExtension.class)
class GarbageCollectionIT {

    private static final Duration COLLECTION_TIMEOUT = Duration.ofSeconds(60);
    /** The collector acts on a dangling ownerReference within milliseconds (seen: under 0.1 s). */
    private static final long GC_SETTLE_MILLIS = 1_000;

    private static KubeCluster cluster;
    private static KubernetesClient client;
    private static String namespace;

    @BeforeAll
    static void setUp(TestNamespace testNamespace) {
        cluster = testNamespace.cluster();
        client = testNamespace.client();
        namespace = testNamespace.name();
    }

    @Test
    void deletesConfigMapWhoseOwnerConfigMapWasDeleted() {
        ConfigMap deletedOwner = createConfigMap("owner-deleted", null);
        ConfigMap keptOwner = createConfigMap("owner-kept", null);
        Resource<ConfigMap> orphan = configMap(createConfigMap("dependent-of-deleted", deletedOwner));
        Resource<ConfigMap> kept = configMap(createConfigMap("dependent-of-kept", keptOwner));

        assertCollectedAfterOwnerDeletion(orphan, configMap(deletedOwner), kept);
    }

    @Test
    void deletesCertificateWhoseOwnerIngressRouteWasDeleted() {
        GenericKubernetesResource deletedOwner = createIngressRoute("route-deleted");
        GenericKubernetesResource keptOwner = createIngressRoute("route-kept");
        Resource<GenericKubernetesResource> orphan = createCertificate("cert-of-deleted", deletedOwner);
        Resource<GenericKubernetesResource> kept = createCertificate("cert-of-kept", keptOwner);

        assertCollectedAfterOwnerDeletion(orphan, client.resource(deletedOwner).inNamespace(namespace), kept);
    }

    /**
     * Dependents must survive while their owner exists (a broken ownerReference would get them
     * collected at once), then the one whose owner is deleted must go, and only that one.
     */
    private static <T extends HasMetadata, O extends HasMetadata> void assertCollectedAfterOwnerDeletion(
            Resource<T> orphan, Resource<O> owner, Resource<T> kept) {
        sleep(GC_SETTLE_MILLIS);
        assertNotNull(orphan.get(), "collected although its owner still exists");
        assertNotNull(kept.get(), "collected although its owner still exists");

        owner.delete();

        long deadline = System.nanoTime() + COLLECTION_TIMEOUT.toNanos();
        while (orphan.get() != null) {
            if (System.nanoTime() > deadline) {
                fail(orphan.get().getMetadata().getName() + " still there " + COLLECTION_TIMEOUT.toSeconds()
                        + " s after its owner was deleted; see the garbage collector's log " + controllerManagerLog());
            }
            sleep(200);
        }
        assertNotNull(kept.get(), "the garbage collector deleted a dependent whose owner still exists");
    }

    private static ConfigMap createConfigMap(String name, HasMetadata owner) {
        ConfigMapBuilder builder =
                new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata();
        if (owner != null) {
            builder.editMetadata().withOwnerReferences(ownerReference(owner)).endMetadata();
        }
        return client.configMaps()
                .inNamespace(namespace)
                .resource(builder.build())
                .create();
    }

    private static Resource<ConfigMap> configMap(ConfigMap configMap) {
        return client.configMaps()
                .inNamespace(namespace)
                .withName(configMap.getMetadata().getName());
    }

    private static GenericKubernetesResource createIngressRoute(String name) {
        return client.resource(parse("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata:
                  name: %s
                spec:
                  routes:
                  - match: Host(`%s.example.com`)
                  tls:
                    secretName: %s-tls
                """.formatted(name, name, name)))
                .inNamespace(namespace)
                .create();
    }

    private static Resource<GenericKubernetesResource> createCertificate(String name, HasMetadata owner) {
        GenericKubernetesResource certificate = parse("""
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata:
                  name: %s
                spec:
                  secretName: %s
                  dnsNames: [www.example.com]
                  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
                """.formatted(name, name));
        certificate.getMetadata().getOwnerReferences().add(ownerReference(owner));
        Resource<GenericKubernetesResource> resource =
                client.resource(certificate).inNamespace(namespace);
        resource.create();
        return resource;
    }

    private static Path controllerManagerLog() {
        return cluster.servers().stream()
                .filter(s -> s.name().equals("kube-controller-manager"))
                .map(KubeCluster.Server::log)
                .findFirst()
                .orElseThrow();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    private static io.fabric8.kubernetes.api.model.OwnerReference ownerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .build();
    }

    private static GenericKubernetesResource parse(String yaml) {
        return client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    }
}
