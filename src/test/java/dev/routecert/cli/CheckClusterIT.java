package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.RouteRef;
import dev.routecert.cli.CheckCommandTest.Run;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeCluster;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.TestNamespace;
import dev.routecert.policy.HostName;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.tenancy.KubeHostClaimStore;
import dev.routecert.time.Clock;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check --kubeconfig} against the real API server: the cluster's issuers, Certificates,
 * TLSOptions, Secrets and host claims decide as admission would, and nothing in the cluster changes
 * (resourceVersions equal, no object created). Host names under {@code ckc-it.example} are this
 * class's own.
 */
@ExtendWith(KubeClusterExtension.class)
class CheckClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String[]> KINDS = List.of(
            new String[] {"cert-manager.io/v1", "Certificate"},
            new String[] {"cert-manager.io/v1", "Issuer"},
            new String[] {"traefik.io/v1alpha1", "TLSOption"},
            new String[] {"v1", "Secret"},
            new String[] {"coordination.k8s.io/v1", "Lease"},
            new String[] {"networking.k8s.io/v1", "Ingress"},
            new String[] {"traefik.io/v1alpha1", "IngressRoute"});
    /** What a Secret holds: check reads only its metadata, so this never reaches its output. */
    private static final String SECRET_DATA = "ckc-it-private-key-material";

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
                List.of("TLSOptions", "TLSStores", "issuers", "existing Certificates", "Secrets", "host ownership"),
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
                text.out()
                        .contains(
                                "cluster checks: TLSOptions, TLSStores, issuers, existing Certificates, Secrets, host ownership\n"),
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
        assertEquals(6, sarif.at("/runs/0/properties/clusterChecks").size());

        assertEquals(before, versions(client, ns), "check --kubeconfig must not write");
    }

    @Test
    void secretsAndHostOwnershipAsAdmissionAndWriteNothing(
            KubeCluster cluster, TestNamespace testNamespace, @TempDir Path dir) throws Exception {
        KubernetesClient client = testNamespace.client();
        String ns = testNamespace.name();
        String other = cluster.createNamespace("ckc-other");
        String claims = cluster.createNamespace("ckc-claims");
        try {
            // another namespace holds the claim on taken.ckc-it.example, as serve's admission writes it
            new KubeHostClaimStore(client, client, claims, Clock.system())
                    .create(
                            new ClaimKey("taken.ckc-it.example", HostName.Type.DNS),
                            other,
                            new RouteRef("networking.k8s.io", "Ingress", other, "taken").annotationValue(),
                            Deadline.in(Duration.ofSeconds(10), Clock.system()));
            // and serves older.ckc-it.example from a stored route that holds no claim yet
            create(client, other, """
                    apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata: {name: older}
                    spec:
                      rules: [{host: older.ckc-it.example}]
                    """);
            create(client, ns, """
                    apiVersion: v1
                    kind: Secret
                    metadata:
                      name: present-tls
                      annotations: {cert-manager.io/alt-names: elsewhere.ckc-it.example}
                    data: {tls.key: %s}
                    """.formatted(base64(SECRET_DATA)));
            create(client, ns, """
                    apiVersion: cert-manager.io/v1
                    kind: Certificate
                    metadata: {name: pending}
                    spec:
                      secretName: pending-tls
                      dnsNames: [pending.ckc-it.example]
                      issuerRef: {name: ckc-it, kind: ClusterIssuer}
                    """);
            Path routes = dir.resolve("routes.yaml");
            Files.writeString(
                    routes,
                    String.join(
                            "---\n",
                            plainRoute(ns, "taken", "taken-tls"),
                            plainRoute(ns, "older", "older-tls"),
                            plainRoute(ns, "missing", "missing-tls"),
                            plainRoute(ns, "present", "present-tls"),
                            plainRoute(ns, "pending", "pending-tls"),
                            plainRoute(ns, "taken", "taken-tls")
                                    .replace("name: taken", "name: ignored")
                                    .replace(
                                            "metadata:\n",
                                            "metadata:\n  annotations: {routecert.dev/ignore: \"true\"}\n")));
            Map<String, String> before = versions(client, ns, other, claims);

            Run offline = CheckCommandTest.run("", "-o", "json", routes.toString());
            Run r = CheckCommandTest.run(
                    "",
                    "-o",
                    "json",
                    "--kubeconfig",
                    cluster.kubeconfig().toString(),
                    "--claims-namespace",
                    claims,
                    routes.toString());

            assertEquals(1, r.exit(), r.out() + r.err());
            JsonNode report = JSON.readTree(r.out());
            assertEquals(
                    List.of("TLSOptions", "TLSStores", "issuers", "existing Certificates", "Secrets", "host ownership"),
                    JSON.convertValue(report.at("/summary/clusterChecks"), List.class));
            assertTrue(report.at("/summary/inputErrors").isEmpty(), r.out());
            JsonNode objects = report.get("objects");
            for (int i = 0; i < 2; i++) {
                JsonNode o = objects.get(i);
                String host = o.at("/name").asText() + ".ckc-it.example";
                assertEquals("DENY", o.at("/verdict").asText(), o::toString);
                assertEquals(1, o.at("/violations").size(), o::toString);
                assertEquals("host-ownership", o.at("/violations/0/check").asText(), o::toString);
                assertEquals(
                        host + " is served by another namespace, and a host belongs to the namespace that served it"
                                + " first",
                        o.at("/violations/0/message").asText());
            }
            assertEquals(
                    List.of("[secret-missing] spec.tls.secretName: Secret " + ns + "/missing-tls does not exist and"
                            + " nothing will create it: no Certificate writes it, and the route has no"
                            + " cert-manager.io/cluster-issuer or cert-manager.io/issuer annotation (nor does routecert"
                            + " have a default issuer for it) (add one of those annotations, create a Certificate with"
                            + " secretName missing-tls, or create the Secret; until then the ingress controller serves"
                            + " its default certificate)"),
                    health(objects.get(2)));
            assertEquals(
                    List.of("[secret-not-covering] spec.tls.secretName: the certificate in Secret " + ns
                            + "/present-tls is for elsewhere.ckc-it.example (its cert-manager.io/alt-names and ip-sans),"
                            + " which does not cover present.ckc-it.example (put a certificate for them into the Secret,"
                            + " or let cert-manager issue it (a cert-manager.io/cluster-issuer annotation, or a"
                            + " Certificate))"),
                    health(objects.get(3)));
            assertEquals(
                    List.of("[certificate-not-ready] spec.tls.secretName: Certificate " + ns + "/pending is not Ready"
                            + " yet: cert-manager has not reported on it (wait for cert-manager, or see kubectl describe"
                            + " certificate -n " + ns + " pending if it stays so)"),
                    health(objects.get(4)));
            for (int i = 2; i < 5; i++) {
                assertTrue(objects.get(i).at("/violations").isEmpty(), objects.get(i)::toString);
            }

            // an opted-out route is still held to host ownership, as in admission
            assertEquals("DENY", objects.at("/5/verdict").asText(), objects.get(5)::toString);
            assertEquals("host-ownership", objects.at("/5/violations/0/check").asText(), objects.get(5)::toString);
            assertEquals(3, report.at("/summary/verdicts/DENY").asInt(), r.out());

            // without the cluster none of it is known
            JsonNode alone = JSON.readTree(offline.out()).get("objects");
            assertEquals("SKIPPED", alone.at("/5/verdict").asText(), alone.get(5)::toString);
            for (int i = 0; i < 5; i++) {
                assertEquals(0, alone.get(i).at("/violations").size(), alone.get(i)::toString);
                assertEquals(List.of(), health(alone.get(i)));
            }

            Run text = CheckCommandTest.run(
                    "",
                    "--kubeconfig",
                    cluster.kubeconfig().toString(),
                    "--claims-namespace",
                    claims,
                    routes.toString());
            assertTrue(text.out().contains("    - [host-ownership] "), text.out());
            assertTrue(text.out().contains("    - [secret-not-covering] "), text.out());
            for (String output : List.of(r.out(), r.err(), text.out(), text.err())) {
                assertFalse(output.contains(SECRET_DATA), "a Secret's data in check's output");
                assertFalse(output.contains(base64(SECRET_DATA)), "a Secret's data in check's output");
            }

            assertEquals(before, versions(client, ns, other, claims), "check --kubeconfig must not write");
        } finally {
            cluster.deleteNamespace(other);
            cluster.deleteNamespace(claims);
        }
    }

    /**
     * The policy file's namespace selectors see the cluster's labels, as admission's do: a host shared
     * by label with a namespace the input does not define, and an override selected by a label only
     * the cluster holds. A Namespace document of the input wins over the cluster's.
     */
    @Test
    void thePolicyFileSelectsNamespacesByTheClustersLabels(
            KubeCluster cluster, TestNamespace testNamespace, @TempDir Path dir) throws Exception {
        String ns = testNamespace.name();
        String other = cluster.createNamespace("ckc-share");
        String claims = cluster.createNamespace("ckc-claims");
        try (KubernetesClient admin = cluster.newClient()) {
            label(admin, other, Map.of("ckc-it.example/team", "web"));
            label(admin, ns, Map.of("ckc-it.example/team", "web", "ckc-it.example/rollout", "warn"));
            // the other namespace holds the claim on the shared name
            new KubeHostClaimStore(admin, admin, claims, Clock.system())
                    .create(
                            new ClaimKey("shared.ckc-it.example", HostName.Type.DNS),
                            other,
                            new RouteRef("networking.k8s.io", "Ingress", other, "shared").annotationValue(),
                            Deadline.in(Duration.ofSeconds(10), Clock.system()));
            Path policy = dir.resolve("policy.yaml");
            Files.writeString(policy, """
                    apiVersion: routecert.dev/v1alpha1
                    kind: Policy
                    tenancy:
                      sharedHosts:
                        - namespaceSelector: {matchLabels: {ckc-it.example/team: web}}
                          hosts: [shared.ckc-it.example]
                    overrides:
                      - namespaceSelector: {matchLabels: {ckc-it.example/rollout: warn}}
                        enforcement: {checks: {tls-uncovered-host: warn}}
                    """);
            String routes = plainRoute(ns, "shared", "shared-tls") + "---\n" + """
                    apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata: {name: uncovered, namespace: %s}
                    spec:
                      tls: [{hosts: [uncovered.ckc-it.example], secretName: uncovered-tls}]
                      rules: [{host: uncovered.ckc-it.example}, {host: also.ckc-it.example}]
                    """.formatted(ns);
            Path file = dir.resolve("routes.yaml");
            Files.writeString(file, routes);
            Map<String, String> before = versions(admin, ns, other, claims);
            before.put("Namespace/" + ns, namespaceVersion(admin, ns));

            Run r = CheckCommandTest.run(
                    "",
                    "-o",
                    "json",
                    "--policy-file",
                    policy.toString(),
                    "--kubeconfig",
                    cluster.kubeconfig().toString(),
                    "--claims-namespace",
                    claims,
                    file.toString());

            assertEquals(0, r.exit(), r.out() + r.err());
            JsonNode report = JSON.readTree(r.out());
            assertEquals(
                    List.of(
                            "namespace labels",
                            "TLSOptions",
                            "TLSStores",
                            "issuers",
                            "existing Certificates",
                            "Secrets",
                            "host ownership"),
                    JSON.convertValue(report.at("/summary/clusterChecks"), List.class));
            JsonNode shared = report.at("/objects/0");
            assertTrue(shared.at("/violations").isEmpty(), shared::toString);
            JsonNode uncovered = report.at("/objects/1");
            assertTrue(uncovered.at("/violations").isEmpty(), uncovered::toString);
            assertTrue(uncovered.at("/warnings/0").asText().startsWith("[tls-uncovered-host] "), uncovered::toString);

            // the input's own Namespace, without the labels, is what the namespace will be once applied
            Path withNamespace = dir.resolve("with-namespace.yaml");
            Files.writeString(withNamespace, """
                    apiVersion: v1
                    kind: Namespace
                    metadata: {name: %s}
                    ---
                    """.formatted(ns) + routes);
            JsonNode input = JSON.readTree(CheckCommandTest.run(
                                    "",
                                    "-o",
                                    "json",
                                    "--policy-file",
                                    policy.toString(),
                                    "--kubeconfig",
                                    cluster.kubeconfig().toString(),
                                    "--claims-namespace",
                                    claims,
                                    withNamespace.toString())
                            .out())
                    .get("objects");
            assertEquals("host-ownership", input.at("/1/violations/0/check").asText(), input.get(1)::toString);
            assertEquals("tls-uncovered-host", input.at("/2/violations/0/check").asText(), input.get(2)::toString);

            Map<String, String> after = versions(admin, ns, other, claims);
            after.put("Namespace/" + ns, namespaceVersion(admin, ns));
            assertEquals(before, after, "check --kubeconfig must not write");
        } finally {
            cluster.deleteNamespace(other);
            cluster.deleteNamespace(claims);
        }
    }

    private static String namespaceVersion(KubernetesClient admin, String namespace) {
        return admin.namespaces().withName(namespace).get().getMetadata().getResourceVersion();
    }

    private static void label(KubernetesClient admin, String namespace, Map<String, String> labels) {
        admin.namespaces().withName(namespace).edit(n -> {
            Map<String, String> all = new HashMap<>(
                    n.getMetadata().getLabels() == null
                            ? Map.of()
                            : n.getMetadata().getLabels());
            all.putAll(labels);
            n.getMetadata().setLabels(all);
            return n;
        });
    }

    @Test
    void whatTheUserMayNotReadIsReportedAsNotRun(KubeCluster cluster, TestNamespace testNamespace, @TempDir Path dir)
            throws Exception {
        String ns = testNamespace.name();
        String role = "ckc-it-check-" + ns;
        try (ClusterFixture fixture = new ClusterFixture(cluster)) {
            KubernetesClient admin = fixture.client;
            admin.serviceAccounts()
                    .inNamespace(ns)
                    .resource(new ServiceAccountBuilder()
                            .withNewMetadata()
                            .withName("check")
                            .endMetadata()
                            .build())
                    .create();
            // every list check needs, but no get on Secrets and no list on Leases
            fixture.create("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata: {name: %s}
                    rules:
                      - apiGroups: [cert-manager.io]
                        resources: [certificates, issuers, clusterissuers]
                        verbs: [list]
                      - apiGroups: [traefik.io, traefik.containo.us]
                        resources: [tlsoptions, tlsstores, middlewares, ingressroutes, ingressroutetcps]
                        verbs: [list]
                      - apiGroups: [networking.k8s.io]
                        resources: [ingressclasses, ingresses]
                        verbs: [list]
                    """.formatted(role));
            fixture.onClose(() -> admin.genericKubernetesResources("rbac.authorization.k8s.io/v1", "ClusterRole")
                    .withName(role)
                    .delete());
            fixture.create("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata: {name: %s}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %s}
                    subjects: [{kind: ServiceAccount, name: check, namespace: %s}]
                    """.formatted(role, role, ns));
            fixture.onClose(() -> admin.genericKubernetesResources("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")
                    .withName(role)
                    .delete());
            Path kubeconfig = fixture.serviceAccountKubeconfig(ns, "check");
            Path routes = dir.resolve("routes.yaml");
            Files.writeString(routes, plainRoute(ns, "missing", "missing-tls"));

            Run r = CheckCommandTest.run("", "-o", "json", "--kubeconfig", kubeconfig.toString(), routes.toString());

            assertEquals(0, r.exit(), r.out() + r.err());
            JsonNode report = JSON.readTree(r.out());
            assertEquals(
                    List.of("TLSOptions", "TLSStores", "issuers", "existing Certificates"),
                    JSON.convertValue(report.at("/summary/clusterChecks"), List.class));
            List<String> notices = new ArrayList<>();
            report.at("/summary/inputErrors").forEach(e -> notices.add(e.asText()));
            assertEquals(
                    List.of(
                            "warning: cluster check host ownership not run: the kubeconfig's user may not list Leases"
                                    + " (the host claims) in namespace routecert (403 Forbidden)",
                            "warning: cluster check Secrets not run: the kubeconfig's user may not get Secrets in"
                                    + " namespace " + ns + " (403 Forbidden); the health of the certificates the"
                                    + " routes serve there is not reported"),
                    notices);
            assertEquals(List.of(), health(report.at("/objects/0")), "nothing said of a Secret not read");
            assertTrue(r.err().contains(notices.get(1)), r.err());
            Run text = CheckCommandTest.run("", "--kubeconfig", kubeconfig.toString(), routes.toString());
            assertEquals(String.join("\n", notices) + "\n", text.err());
            // with a policy file the Namespaces are listed for their labels, which this user may not
            Path policy = dir.resolve("policy.yaml");
            Files.writeString(policy, "apiVersion: routecert.dev/v1alpha1\nkind: Policy\n");
            Run withPolicy = CheckCommandTest.run(
                    "", "--policy-file", policy.toString(), "--kubeconfig", kubeconfig.toString(), routes.toString());
            assertEquals(0, withPolicy.exit(), withPolicy.out() + withPolicy.err());
            assertTrue(
                    withPolicy
                            .err()
                            .startsWith("warning: cluster check namespace labels not run: the kubeconfig's user may"
                                    + " not list Namespaces (403 Forbidden); the policy file's namespace selectors"),
                    withPolicy.err());
            assertTrue(
                    text.out().contains("cluster checks: TLSOptions, TLSStores, issuers, existing Certificates\n"),
                    text.out());
        }
    }

    /** The certificate health warnings among an object's warnings. */
    private static List<String> health(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.path("warnings").forEach(w -> {
            String text = w.asText();
            if (text.startsWith("[secret-") || text.startsWith("[certificate-")) {
                out.add(text);
            }
        });
        return out;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** An IngressRoute without a cert-manager annotation: routecert plans no Certificate for it. */
    private static String plainRoute(String ns, String name, String secret) {
        return """
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  routes:
                    - match: Host(`%s.ckc-it.example`)
                      services: [{name: web, port: 80}]
                  tls: {secretName: %s}
                """.formatted(name, ns, name, secret);
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

    /** Every object of the kinds check reads in the namespaces, by kind and name, with its resourceVersion. */
    private static Map<String, String> versions(KubernetesClient client, String... namespaces) {
        Map<String, String> out = new HashMap<>();
        for (String ns : namespaces) {
            for (String[] k : KINDS) {
                client.genericKubernetesResources(k[0], k[1])
                        .inNamespace(ns)
                        .list()
                        .getItems()
                        .forEach(r -> out.put(
                                ns + "/" + k[1] + "/" + r.getMetadata().getName(),
                                r.getMetadata().getResourceVersion()));
            }
        }
        return out;
    }
}
