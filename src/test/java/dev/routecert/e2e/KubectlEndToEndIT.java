package dev.routecert.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.Commands.CommandResult;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** kubectl against the real API server, which calls routecert through the registration manifests/ ships. */
class KubectlEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KubeClusterExtension KUBE =
            KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults());

    static WebhookUnderTest webhook;
    static String namespace;

    @BeforeAll
    static void start() {
        webhook = KUBE.routecert();
        namespace = webhook.namespace("e2e");
        // With a cluster, routecert creates the Certificates these routes plan, so the issuers they name must exist.
        KUBE.fixture().acmeClusterIssuer("letsencrypt-prod", "{http01: {ingress: {class: traefik}}}");
        KUBE.fixture().create("""
                apiVersion: cert-manager.io/v1
                kind: Issuer
                metadata: {name: internal-ca, namespace: %s}
                spec: {ca: {secretName: internal-ca}}
                """.formatted(namespace));
    }

    /** {@code kubectl apply -n <namespace> -f - <extra...>} with {@code manifest} on standard input. */
    private static CommandResult apply(String manifest, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("apply", "-n", namespace, "-f", "-"));
        args.addAll(List.of(extra));
        return webhook.kubectl(manifest, args.toArray(String[]::new));
    }

    private static JsonNode get(String resource, String name) throws Exception {
        CommandResult result = webhook.kubectl(null, "get", resource, name, "-n", namespace, "-o", "json");
        assertEquals(0, result.exitCode(), result.output());
        return JSON.readTree(result.stdout());
    }

    @Test
    void applyOfAnIngressIsMutatedByRoutecert() throws Exception {
        CommandResult result = apply("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: shop
                  annotations: {cert-manager.io/cluster-issuer: letsencrypt-prod}
                spec:
                  tls: [{hosts: [shop.example.com]}]
                  rules:
                    - host: shop.example.com
                      http:
                        paths:
                          - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}
                """);
        assertEquals(0, result.exitCode(), result.output());
        assertEquals("ingress.networking.k8s.io/shop created", result.stdout().trim());
        assertEquals(
                "shop-tls",
                get("ingress", "shop")
                        .path("spec")
                        .path("tls")
                        .path(0)
                        .path("secretName")
                        .asText(),
                "the secretName routecert defaulted was stored");
        assertEquals(
                "[\"shop.example.com\"]",
                get("certificate.cert-manager.io", "shop-tls")
                        .path("spec")
                        .path("dnsNames")
                        .toString(),
                "the Certificate exists when kubectl returns");
    }

    @ParameterizedTest
    @ValueSource(strings = {"traefik.io", "traefik.containo.us"})
    void applyOfAnIngressRouteInEitherGroupIsMutatedByRoutecert(String group) throws Exception {
        String name = "web-" + group.replace('.', '-');
        CommandResult result = apply("""
                apiVersion: %s/v1alpha1
                kind: IngressRoute
                metadata:
                  name: %s
                  annotations: {cert-manager.io/issuer: internal-ca}
                spec:
                  entryPoints: [websecure]
                  routes:
                    - match: Host(`www.example.com`) && PathPrefix(`/images`)
                      kind: Rule
                      services: [{name: web, port: 8080}]
                  tls: {}
                """.formatted(group, name));
        assertEquals(0, result.exitCode(), result.output());
        JsonNode stored = get("ingressroutes." + group, name);
        assertEquals(
                name + "-tls",
                stored.path("spec").path("tls").path("secretName").asText(),
                stored.toString());
        assertEquals(
                "websecure", stored.path("spec").path("entryPoints").path(0).asText(), "other fields untouched");
    }

    @Test
    void aDeniedRouteFailsApplyWithThePolicysMessage() throws Exception {
        CommandResult result = apply("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: uncovered}
                spec:
                  routes:
                    - match: Host(`www.example.com`)
                      kind: Rule
                      services: [{name: web, port: 8080}]
                  tls:
                    secretName: example-tls
                    domains: [{main: example.com}]
                """);
        System.out.println("kubectl apply of a route routecert denies:\n" + result.stderr());
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(
                result.stderr()
                        .contains(
                                "admission webhook \"mutate.routecert.dev\" denied the request: routecert rejected this object: "
                                        + "1 problem to fix. [tls-uncovered-host] spec.routes[0].match: "),
                result.stderr());
        assertTrue(
                result.stderr().contains("www.example.com is served by this route but not covered by spec.tls.domains"),
                result.stderr());
        CommandResult absent = webhook.kubectl(null, "get", "ingressroute.traefik.io", "uncovered", "-n", namespace);
        assertNotEquals(0, absent.exitCode(), "a denied route is not stored");
        assertTrue(absent.stderr().contains("NotFound"), absent.output());
    }

    @Test
    void warningsArePrintedByKubectl() throws Exception {
        // the Secret exists, so the only warning is the policy's (no certificate health warning)
        KUBE.fixture().create("""
                apiVersion: v1
                kind: Secret
                metadata: {name: ab-tls, namespace: %s}
                """.formatted(namespace));
        CommandResult result = apply("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: extra-tls-name}
                spec:
                  tls: [{hosts: [a.example.com, b.example.com], secretName: ab-tls}]
                  rules:
                    - host: a.example.com
                      http:
                        paths:
                          - {path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}
                """);
        assertEquals(0, result.exitCode(), result.output());
        System.out.println("kubectl apply with a warning:\n" + result.stderr() + result.stdout());
        List<String> warnings =
                result.stderr().lines().filter(l -> l.startsWith("Warning: ")).toList();
        assertEquals(
                1,
                warnings.size(),
                "one warning, printed once although two webhooks judged the object: " + result.stderr());
        assertTrue(warnings.getFirst().contains("b.example.com"), warnings.toString());
    }

    @Test
    void serverSideDryRunShowsTheMutationAndStoresNothing() throws Exception {
        CommandResult result = apply("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata:
                  name: dry
                  annotations: {cert-manager.io/cluster-issuer: letsencrypt-prod}
                spec:
                  routes:
                    - match: Host(`dry.example.com`)
                      kind: Rule
                      services: [{name: web, port: 8080}]
                  tls: {}
                """, "--dry-run=server", "-o", "json");
        assertEquals(0, result.exitCode(), result.output());
        assertEquals(
                "dry-tls",
                JSON.readTree(result.stdout())
                        .path("spec")
                        .path("tls")
                        .path("secretName")
                        .asText(),
                result.stdout());
        CommandResult absent = webhook.kubectl(null, "get", "ingressroute.traefik.io", "dry", "-n", namespace);
        assertTrue(absent.stderr().contains("NotFound"), absent.output());
    }

    @Test
    void theRegisteredConfigurationIsTheOneManifestsShips() throws Exception {
        for (JsonNode shipped : WebhookUnderTest.renderedWebhookConfigurations()) {
            String kind = shipped.path("kind").asText();
            CommandResult live =
                    webhook.kubectl(null, "get", kind.toLowerCase(), webhook.webhookConfigurationName(), "-o", "json");
            assertEquals(0, live.exitCode(), live.output());
            JsonNode registered = JSON.readTree(live.stdout());
            for (int i = 0; i < shipped.path("webhooks").size(); i++) {
                JsonNode want = shipped.path("webhooks").get(i);
                JsonNode got = registered.path("webhooks").get(i);
                for (String field : List.of(
                        "name",
                        "rules",
                        "failurePolicy",
                        "sideEffects",
                        "timeoutSeconds",
                        "matchPolicy",
                        "admissionReviewVersions",
                        "reinvocationPolicy")) {
                    if (want.has(field)) {
                        assertEquals(want.get(field), got.get(field), kind + " webhooks[" + i + "]." + field);
                    }
                }
                JsonNode expressions = got.path("namespaceSelector").path("matchExpressions");
                assertEquals(
                        want.path("namespaceSelector").path("matchExpressions").size() + 1,
                        expressions.size(),
                        "only this run's namespace label is added");
                for (int e = 0;
                        e
                                < want.path("namespaceSelector")
                                        .path("matchExpressions")
                                        .size();
                        e++) {
                    assertEquals(
                            want.path("namespaceSelector")
                                    .path("matchExpressions")
                                    .get(e),
                            expressions.get(e));
                }
            }
        }
    }
}
