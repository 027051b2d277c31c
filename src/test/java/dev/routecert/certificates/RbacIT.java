package dev.routecert.certificates;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.config.CertificateOptions;
import dev.routecert.files.MountedVolume;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * manifests/rbac.yaml is enough: routecert, authenticated as the ServiceAccount routecert/routecert
 * bound only by that file, creates, adopts and deletes Certificates, records Events and holds the
 * Lease; and the ServiceAccount gets nothing beyond what the file grants.
 */
class RbacIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture().withClusterIssuers();

    private static final String SERVICE_ACCOUNT = "system:serviceaccount:routecert:routecert";
    private static ClusterFixture fixture;
    private static boolean createdRoutecertNamespace;
    private static String ns;
    private static List<HasMetadata> rbac;

    @BeforeAll
    static void setUp() throws Exception {
        fixture = KUBE.fixture();
        // DnsRbacIT uses the namespace too: wait out its deletion after an earlier class
        await(
                "namespace routecert not terminating",
                Duration.ofSeconds(60),
                () -> fixture.client.namespaces().withName("routecert").get(),
                n -> n == null || !"Terminating".equals(n.getStatus().getPhase()));
        if (fixture.client.namespaces().withName("routecert").get() == null) {
            fixture.client
                    .namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName("routecert")
                            .endMetadata()
                            .build())
                    .create();
            createdRoutecertNamespace = true;
        }
        fixture.client
                .serviceAccounts()
                .inNamespace("routecert")
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("routecert")
                        .endMetadata()
                        .build())
                .createOr(existing -> existing.update());
        try (InputStream in = Files.newInputStream(Path.of("manifests/rbac.yaml"))) {
            rbac = fixture.client.load(in).items();
        }
        rbac.forEach(object -> fixture.client.resource(object).createOr(existing -> existing.update()));
        fixture.onClose(
                () -> rbac.forEach(object -> fixture.client.resource(object).delete()));

        Path kubeconfig = fixture.serviceAccountKubeconfig("routecert", "routecert");

        if (createdRoutecertNamespace) {
            fixture.onClose(
                    () -> fixture.client.namespaces().withName("routecert").delete());
        }
        // a policy file starts the Namespace cache: routecert is not ready unless it may list and watch them
        MountedVolume policy = fixture.policyVolume("""
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                overrides:
                  - namespaceSelector: {matchLabels: {rollout: audit}}
                    enforcement: {default: audit}
                """);
        WebhookUnderTest routecert = fixture.routecert(
                kubeconfig,
                CertificateOptions.defaults()
                        .withLeaderElection(true, "routecert", "routecert-reconciler", Duration.ofSeconds(4)),
                config -> config.withPolicyFile(policy.file("policy.yaml"), Duration.ofSeconds(1)));
        ns = routecert.namespace("rbac");
    }

    @Test
    void routecertDoesItsWholeJobWithOnlyTheManifestsPermissions() {
        var apply = fixture.kubectl("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: shop, annotations: {cert-manager.io/cluster-issuer: test-ca}}
                spec:
                  rules: [{host: rbac-shop.example.com}]
                  tls: [{hosts: [rbac-shop.example.com], secretName: shop-tls}]
                """, "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
        assertTrue(fixture.certificate(ns, "shop-tls").get() != null, "created in admission, Secret looked up first");

        String uid = fixture.client
                .network()
                .v1()
                .ingresses()
                .inNamespace(ns)
                .withName("shop")
                .get()
                .getMetadata()
                .getUid();
        await(
                "adopted by the reconciler",
                Duration.ofSeconds(30),
                () -> fixture.certificate(ns, "shop-tls").get(),
                c -> c != null
                        && !c.getMetadata().getOwnerReferences().isEmpty()
                        && uid.equals(
                                c.getMetadata().getOwnerReferences().get(0).getUid()));
        await(
                "an Event on the route",
                Duration.ofSeconds(30),
                () -> CertificateAdmissionIT.events(fixture, ns, "shop"),
                list -> list.stream().anyMatch(e -> e.startsWith("CertificateAdopted")));
        Lease lease = fixture.client
                .leases()
                .inNamespace("routecert")
                .withName("routecert-reconciler")
                .get();
        String holder = lease.getSpec().getHolderIdentity();
        assertTrue(holder != null && !holder.isEmpty());
        // renewing is a PATCH: the holder must keep renewing, not lose and re-create the Lease
        Lease renewed = await(
                "the Lease renewed by its holder",
                Duration.ofSeconds(10),
                () -> fixture.client
                        .leases()
                        .inNamespace("routecert")
                        .withName("routecert-reconciler")
                        .get(),
                l -> !l.getSpec().getRenewTime().equals(lease.getSpec().getRenewTime()));
        assertEquals(holder, renewed.getSpec().getHolderIdentity());
        assertEquals(
                lease.getSpec().getAcquireTime(), renewed.getSpec().getAcquireTime(), "renewed, not acquired anew");

        var without = fixture.kubectl("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: shop}
                spec: {rules: [{host: rbac-shop.example.com}]}
                """, "apply", "-n", ns, "-f", "-");
        assertEquals(0, without.exitCode(), without.err());
        JsonNode gone = await(
                "deleted by the reconciler",
                Duration.ofSeconds(30),
                () -> fixture.certificate(ns, "shop-tls").get() == null
                        ? null
                        : fixture.json(fixture.certificate(ns, "shop-tls").get()),
                c -> c == null);
        assertEquals(null, gone);
    }

    @Test
    void theServiceAccountGetsNothingBeyondTheManifest() {
        assertTrue(allowed("get", "", "secrets", ns), "routecert reads Secret metadata");
        assertTrue(allowed("watch", "networking.k8s.io", "ingressclasses", ""), "--ingress-classes reads defaults");
        assertTrue(allowed("list", "traefik.io", "middlewares", ns), "--require-tls reads Middlewares");
        assertTrue(allowed("watch", "traefik.containo.us", "middlewares", ns), "in both groups");
        assertTrue(allowed("list", "", "namespaces", ""), "--policy-file selects namespaces by label");
        assertTrue(allowed("watch", "", "namespaces", ""), "from a cache");
        assertTrue(allowed("get", "", "namespaces", ""), "and reads a new one once");
        for (String[] denied : List.of(
                new String[] {"list", "", "secrets"},
                new String[] {"watch", "", "secrets"},
                new String[] {"update", "", "secrets"},
                new String[] {"update", "cert-manager.io", "certificates"},
                new String[] {"create", "networking.k8s.io", "ingresses"},
                new String[] {"update", "networking.k8s.io", "ingresses"},
                new String[] {"delete", "traefik.io", "ingressroutes"},
                new String[] {"create", "cert-manager.io", "issuers"},
                new String[] {"create", "", "events"},
                new String[] {"update", "networking.k8s.io", "ingressclasses"},
                new String[] {"get", "traefik.io", "middlewares"},
                new String[] {"create", "traefik.io", "middlewares"},
                new String[] {"create", "traefik.io", "tlsoptions"},
                new String[] {"update", "traefik.io", "tlsstores"},
                new String[] {"update", "", "namespaces"},
                new String[] {"patch", "", "namespaces"},
                new String[] {"delete", "", "namespaces"})) {
            assertFalse(
                    allowed(denied[0], denied[1], denied[2], ns), String.join(" ", denied) + " must not be allowed");
        }
        assertFalse(allowed("update", "coordination.k8s.io", "leases", ns), "Leases only in routecert's namespace");
        for (String verb : List.of("get", "list", "watch", "create", "update", "delete")) {
            assertTrue(allowed(verb, "coordination.k8s.io", "leases", "routecert"), "host claims: " + verb + " leases");
        }
        assertFalse(
                allowed("patch", "coordination.k8s.io", "leases", "kube-system"), "host claims only in routecert's");
        assertFalse(allowed("update", "", "configmaps", "routecert"), "no write on routecert's own configuration");
    }

    /** Each rule of the manifest, where routecert uses it: cluster-wide for what lives in every namespace. */
    @Test
    void everyRuleOfTheManifestIsGrantedWhereRoutecertUsesIt() {
        for (String[] granted : List.of(
                new String[] {"list", "networking.k8s.io", "ingresses", ""},
                new String[] {"watch", "networking.k8s.io", "ingresses", ""},
                new String[] {"list", "traefik.io", "ingressroutes", ""},
                new String[] {"watch", "traefik.containo.us", "ingressroutes", ""},
                new String[] {"list", "cert-manager.io", "issuers", ""},
                new String[] {"watch", "cert-manager.io", "clusterissuers", ""},
                new String[] {"list", "traefik.io", "tlsoptions", ""},
                new String[] {"watch", "traefik.containo.us", "tlsoptions", ""},
                new String[] {"list", "traefik.containo.us", "tlsstores", ""},
                new String[] {"watch", "traefik.io", "tlsstores", ""},
                new String[] {"list", "cert-manager.io", "certificates", ""},
                new String[] {"watch", "cert-manager.io", "certificates", ""},
                new String[] {"get", "cert-manager.io", "certificates", ns},
                new String[] {"create", "cert-manager.io", "certificates", ns},
                new String[] {"patch", "cert-manager.io", "certificates", ns},
                new String[] {"delete", "cert-manager.io", "certificates", ns},
                new String[] {"update", "networking.k8s.io", "ingresses/finalizers", ns},
                new String[] {"update", "traefik.io", "ingressroutes/finalizers", ns},
                new String[] {"get", "", "secrets", ns},
                new String[] {"create", "events.k8s.io", "events", ns},
                new String[] {"create", "coordination.k8s.io", "leases", "routecert"})) {
            assertTrue(
                    allowed(granted[0], granted[1], granted[2], granted[3]),
                    String.join(" ", granted) + " must be allowed");
        }
        assertTrue(allowed("get", "coordination.k8s.io", "leases", "routecert", "routecert-reconciler"));
        assertTrue(allowed("patch", "coordination.k8s.io", "leases", "routecert", "routecert-reconciler"));
    }

    /** Leader election is the one thing a namespaced Role can hold, and only there, only that Lease. */
    @Test
    void leasesStayInRoutecertsNamespaceAndOnTheOneLease() {
        assertFalse(allowed("create", "coordination.k8s.io", "leases", ns), "no Lease outside routecert's namespace");
        assertFalse(allowed("create", "coordination.k8s.io", "leases", "kube-system"));
        assertFalse(allowed("patch", "coordination.k8s.io", "leases", "kube-system", "routecert-reconciler"));
        assertFalse(allowed("patch", "coordination.k8s.io", "leases", "routecert", "another-lease"));
        // the host claims' Role covers every Lease of routecert's namespace (their names are hashes),
        // the leader's Lease included; nowhere else
        for (String verb : List.of("delete", "list", "update", "get", "watch")) {
            assertFalse(allowed(verb, "coordination.k8s.io", "leases", ns), verb + " leases outside routecert's");
        }
        for (String[] denied : List.of(
                new String[] {"patch", "events.k8s.io", "events"},
                new String[] {"delete", "events.k8s.io", "events"},
                new String[] {"list", "events.k8s.io", "events"},
                new String[] {"get", "", "configmaps"},
                new String[] {"create", "", "pods"},
                new String[] {"deletecollection", "cert-manager.io", "certificates"},
                new String[] {"create", "rbac.authorization.k8s.io", "rolebindings"})) {
            assertFalse(
                    allowed(denied[0], denied[1], denied[2], ns), String.join(" ", denied) + " must not be allowed");
        }
    }

    private static boolean allowed(String verb, String group, String resource, String namespace) {
        return allowed(verb, group, resource, namespace, null);
    }

    private static boolean allowed(String verb, String group, String resource, String namespace, String name) {
        SubjectAccessReview review = new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(SERVICE_ACCOUNT)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:routecert", "system:authenticated")
                .withNewResourceAttributes()
                .withVerb(verb)
                .withGroup(group)
                .withResource(resource)
                .withNamespace(namespace)
                .withName(name)
                .endResourceAttributes()
                .endSpec()
                .build();
        return fixture.client
                .authorization()
                .v1()
                .subjectAccessReview()
                .create(review)
                .getStatus()
                .getAllowed();
    }
}
