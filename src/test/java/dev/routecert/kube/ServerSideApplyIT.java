package dev.routecert.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Server-side apply and dry-run on a custom resource, which only a real API server does. */
@ExtendWith(KubeClusterExtension.class)
class ServerSideApplyIT {

    private static KubernetesClient client;
    private static String namespace;

    @BeforeAll
    static void setUp(TestNamespace testNamespace) {
        client = testNamespace.client();
        namespace = testNamespace.name();
    }

    @Test
    void serverSideApplyRecordsTheFieldManagerAndReportsConflicts() {
        GenericKubernetesResource applied = client.resource(certificate("applied", "a.example.com"))
                .inNamespace(namespace)
                .fieldManager("routecert")
                .forceConflicts()
                .serverSideApply();

        ManagedFieldsEntry entry = applied.getMetadata().getManagedFields().stream()
                .filter(m -> m.getManager().equals("routecert"))
                .findFirst()
                .orElse(null);
        assertNotNull(entry, "managedFields: " + applied.getMetadata().getManagedFields());
        assertEquals("Apply", entry.getOperation());

        GenericKubernetesResource reapplied = client.resource(certificate("applied", "b.example.com"))
                .inNamespace(namespace)
                .fieldManager("routecert")
                .serverSideApply();
        assertEquals(List.of("b.example.com"), reapplied.get("spec", "dnsNames"));

        KubernetesClientException conflict = assertThrows(
                KubernetesClientException.class,
                () -> client.resource(certificate("applied", "c.example.com"))
                        .inNamespace(namespace)
                        .fieldManager("someone-else")
                        .serverSideApply());
        assertEquals(409, conflict.getCode());
        assertTrue(
                conflict.getStatus().getMessage().contains("conflict with \"routecert\""),
                conflict.getStatus().getMessage());
    }

    @Test
    void dryRunCreateValidatesButWritesNothing() {
        GenericKubernetesResource answer = client.resource(certificate("dry-run", "www.example.com"))
                .inNamespace(namespace)
                .dryRun()
                .create();

        assertEquals("dry-run", answer.getMetadata().getName());
        assertNull(
                client.genericKubernetesResources("cert-manager.io/v1", "Certificate")
                        .inNamespace(namespace)
                        .withName("dry-run")
                        .get(),
                "a dry-run create must not store the object");

        GenericKubernetesResource invalid = certificate("dry-run-invalid", "www.example.com");
        invalid.<Map<String, Object>>get("spec").remove("secretName");
        KubernetesClientException e = assertThrows(
                KubernetesClientException.class,
                () -> client.resource(invalid).inNamespace(namespace).dryRun().create());
        assertEquals(422, e.getCode(), "dry-run still validates against the schema");
    }

    private GenericKubernetesResource certificate(String name, String dnsName) {
        return client.getKubernetesSerialization()
                .unmarshal("""
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata:
                  name: %s
                spec:
                  secretName: %s
                  dnsNames: [%s]
                  issuerRef:
                    name: letsencrypt
                    kind: ClusterIssuer
                    group: cert-manager.io
                  privateKey:
                    algorithm: ECDSA
                    size: 256
                    rotationPolicy: Always
                """.formatted(name, name, dnsName), GenericKubernetesResource.class);
    }
}
