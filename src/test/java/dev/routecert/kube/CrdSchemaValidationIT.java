package dev.routecert.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test CRDs' schemas make the API server reject malformed objects, as in a real cluster. */
@ExtendWith(KubeClusterExtension.class)
class CrdSchemaValidationIT {

    private static KubernetesClient client;
    private static String namespace;

    @BeforeAll
    static void setUp(TestNamespace testNamespace) {
        client = testNamespace.client();
        namespace = testNamespace.name();
    }

    @ParameterizedTest
    @ValueSource(strings = {"traefik.io/v1alpha1", "traefik.containo.us/v1alpha1"})
    void rejectsIngressRouteWithIngressStyleTlsList(String apiVersion) {
        GenericKubernetesResource route = parse("""
                apiVersion: %s
                kind: IngressRoute
                metadata:
                  name: tls-as-list
                spec:
                  routes:
                  - match: Host(`www.example.com`)
                    services:
                    - name: web
                      port: 80
                  tls:
                  - hosts: [www.example.com]
                    secretName: www-tls
                """.formatted(apiVersion));

        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> create(route));

        assertEquals(422, e.getCode());
        assertEquals(
                "IngressRoute." + group(apiVersion) + " \"tls-as-list\" is invalid: spec.tls: Invalid value:"
                        + " \"array\": spec.tls in body must be of type object: \"array\"",
                e.getStatus().getMessage());
        assertEquals(List.of("spec.tls"), fields(e));
    }

    @Test
    void rejectsIngressRouteRouteWithoutMatch() {
        GenericKubernetesResource route = parse("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata:
                  name: no-match
                spec:
                  routes:
                  - kind: Rule
                    services:
                    - name: web
                      port: 80
                """);

        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> create(route));

        assertEquals(422, e.getCode());
        assertEquals(
                "IngressRoute.traefik.io \"no-match\" is invalid: spec.routes.match: Required value",
                e.getStatus().getMessage());
    }

    @Test
    void rejectsCertificateWithoutSecretName() {
        GenericKubernetesResource certificate = parse("""
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata:
                  name: no-secret-name
                spec:
                  dnsNames: [www.example.com]
                  issuerRef:
                    name: letsencrypt
                    kind: ClusterIssuer
                """);

        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> create(certificate));

        assertEquals(422, e.getCode());
        assertEquals(
                "Certificate.cert-manager.io \"no-secret-name\" is invalid: spec.secretName: Required value",
                e.getStatus().getMessage());
        assertEquals(List.of("spec.secretName"), fields(e));
    }

    @ParameterizedTest
    @ValueSource(strings = {"traefik.io/v1alpha1", "traefik.containo.us/v1alpha1"})
    void acceptsWellFormedIngressRouteAndPrunesUnknownFields(String apiVersion) {
        GenericKubernetesResource route = parse("""
                apiVersion: %s
                kind: IngressRoute
                metadata:
                  name: well-formed
                spec:
                  entryPoints: [websecure]
                  routes:
                  - match: Host(`www.example.com`) && PathPrefix(`/images`)
                    kind: Rule
                    priority: 10
                    syntax: v3
                    middlewares:
                    - name: compress
                    services:
                    - name: web
                      port: http
                  tls:
                    secretName: www-tls
                    domains:
                    - main: example.com
                      sans: [www.example.com]
                    unknownField: dropped
                """.formatted(apiVersion));

        GenericKubernetesResource created = create(route);

        Map<String, Object> tls = created.get("spec", "tls");
        assertEquals("www-tls", tls.get("secretName"));
        assertFalse(tls.containsKey("unknownField"), "a structural schema prunes unknown fields: " + tls);
        assertTrue(client.genericKubernetesResources(apiVersion, "IngressRoute")
                        .inNamespace(namespace)
                        .withName("well-formed")
                        .delete()
                        .size()
                == 1);
    }

    private GenericKubernetesResource create(GenericKubernetesResource resource) {
        return client.resource(resource).inNamespace(namespace).create();
    }

    private GenericKubernetesResource parse(String yaml) {
        return client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    }

    private static String group(String apiVersion) {
        return apiVersion.substring(0, apiVersion.indexOf('/'));
    }

    private static List<String> fields(KubernetesClientException e) {
        return e.getStatus().getDetails().getCauses().stream()
                .map(StatusCause::getField)
                .toList();
    }
}
