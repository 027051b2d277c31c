package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.cli.CheckCommandTest.Run;
import dev.routecert.kube.KubeCluster;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.TestNamespace;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check --kubeconfig} against the real API server: the cluster's issuers, Certificates and
 * TLSOptions decide as admission would, and nothing in the cluster changes (resourceVersions equal,
 * no object created).
 */
@ExtendWith(KubeClusterExtension.class)
class CheckClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String[]> KINDS = List.of(
            new String[] {"cert-manager.io/v1", "Certificate"},
            new String[] {"cert-manager.io/v1", "Issuer"},
            new String[] {"traefik.io/v1alpha1", "TLSOption"});

    @Test
    void clusterChecksDecideAsAdmissionAndWriteNothing(
            KubeCluster cluster, TestNamespace testNamespace, @TempDir Path dir) throws Exception {
        KubernetesClient client = testNamespace.client();
        String ns = testNamespace.name();
        create(client, ns, """
                apiVersion: cert-manager.io/v1
                kind: Issuer
                metadata: {name: check-cluster-it-ca}
                spec: {ca: {secretName: check-cluster-it-ca}}
                """);
        create(client, ns, """
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata: {name: foreign-tls}
                spec:
                  secretName: foreign-tls
                  dnsNames: [other.check-cluster-it.example.com]
                  issuerRef: {name: check-cluster-it-ca, kind: Issuer}
                """);
        create(client, ns, """
                apiVersion: traefik.io/v1alpha1
                kind: TLSOption
                metadata: {name: strict}
                spec: {minVersion: VersionTLS12}
                """);
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(
                routes,
                route(ns, "good", "check-cluster-it-ca", "good-tls", "strict")
                        + "---\n" + route(ns, "foreign", "check-cluster-it-ca", "foreign-tls", "strict")
                        + "---\n" + route(ns, "no-issuer", "no-such-issuer", "no-issuer-tls", "strict")
                        + "---\n" + route(ns, "no-option", "check-cluster-it-ca", "no-option-tls", "lenient"));
        Map<String, String> before = versions(client, ns);

        Run offline = CheckCommandTest.run("", "-o", "json", routes.toString());
        Run r = CheckCommandTest.run(
                "", "-o", "json", "--kubeconfig", cluster.kubeconfig().toString(), routes.toString());

        assertEquals(1, r.exit(), r.out() + r.err());
        JsonNode report = JSON.readTree(r.out());
        assertEquals(
                List.of("TLSOptions", "TLSStores", "issuers", "existing Certificates"),
                JSON.convertValue(report.at("/summary/clusterChecks"), List.class));
        JsonNode objects = report.get("objects");
        assertEquals("CREATE", objects.at("/0/verdict").asText(), objects.get(0)::toString);
        assertEquals(
                "certificate-not-covering", objects.at("/1/violations/0/check").asText(), objects.get(1)::toString);
        assertEquals("issuer-not-found", objects.at("/2/violations/0/check").asText(), objects.get(2)::toString);
        assertTrue(objects.at("/1/certificates").isEmpty(), "a denied route gets no Certificate, as in admission");
        assertEquals("tls-options-missing", objects.at("/3/violations/0/check").asText(), objects.get(3)::toString);

        // without the cluster none of these is known, so none of them is denied
        JsonNode alone = JSON.readTree(offline.out()).get("objects");
        for (int i = 1; i < 3; i++) {
            assertEquals("CREATE", alone.get(i).get("verdict").asText(), alone.get(i)::toString);
        }
        assertTrue(JSON.readTree(offline.out()).at("/summary/clusterChecks").isEmpty());

        Run text = CheckCommandTest.run("", "--kubeconfig", cluster.kubeconfig().toString(), routes.toString());
        assertTrue(
                text.out().contains("cluster checks: TLSOptions, TLSStores, issuers, existing Certificates\n"),
                text.out());

        String junit = CheckCommandTest.run(
                        "", "-o", "junit", "--kubeconfig", cluster.kubeconfig().toString(), routes.toString())
                .out();
        CheckOutputTest.assertValidJunit(junit);
        assertTrue(
                junit.contains("<property name=\"routecert.clusterChecks\" value=\"TLSOptions, TLSStores, issuers,"),
                junit);
        JsonNode sarif = JSON.readTree(CheckCommandTest.run(
                        "", "-o", "sarif", "--kubeconfig", cluster.kubeconfig().toString(), routes.toString())
                .out());
        CheckOutputTest.assertValidSarif(sarif);
        assertEquals(4, sarif.at("/runs/0/properties/clusterChecks").size());

        assertEquals(before, versions(client, ns), "check --kubeconfig must not write");
    }

    private static String route(String ns, String name, String issuer, String secret, String option) {
        return """
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata:
                  name: %s
                  namespace: %s
                  annotations: {cert-manager.io/issuer: %s}
                spec:
                  routes:
                    - match: Host(`%s.check-cluster-it.example.com`)
                      services: [{name: web, port: 80}]
                  tls: {secretName: %s, options: {name: %s}}
                """.formatted(name, ns, issuer, name, secret, option);
    }

    private static void create(KubernetesClient client, String ns, String yaml) {
        GenericKubernetesResource r =
                client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
        client.resource(r).inNamespace(ns).create();
    }

    /** Every object of the kinds check reads in the namespace, by kind and name, with its resourceVersion. */
    private static Map<String, String> versions(KubernetesClient client, String ns) {
        Map<String, String> out = new HashMap<>();
        for (String[] k : KINDS) {
            client.genericKubernetesResources(k[0], k[1])
                    .inNamespace(ns)
                    .list()
                    .getItems()
                    .forEach(r -> out.put(
                            k[1] + "/" + r.getMetadata().getName(),
                            r.getMetadata().getResourceVersion()));
        }
        return out;
    }
}
