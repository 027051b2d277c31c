package dev.routecert.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.config.CertificateOptions;
import dev.routecert.config.DnsOptions;
import dev.routecert.policy.PolicyConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DNSEndpoints through the real API server and kubectl: {@code kubectl apply} returns with the
 * route's DNSEndpoint in place, pointing at the LoadBalancer Service's address; the record follows
 * the Service; a dry run writes nothing and shows the record; the record goes with the route; a
 * foreign DNSEndpoint is left as it is; switchboard's is taken over in place; routes stored without
 * routecert get theirs from the leader, as admission would have given it.
 */
class DnsEndpointsIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture();

    private static final Duration FOLLOW = Duration.ofSeconds(30);

    private static ClusterFixture fixture;
    private static WebhookUnderTest routecert;
    private static String ns;
    private static String lbNamespace;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        lbNamespace = fixture.namespace("dnslb");
        fixture.client
                .services()
                .inNamespace(lbNamespace)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("traefik")
                        .endMetadata()
                        .withNewSpec()
                        .withType("LoadBalancer")
                        .addNewPort()
                        .withPort(443)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        loadBalancer("192.0.2.10");
        routecert = fixture.routecert(
                PolicyConfig.defaults(),
                config -> config.toBuilder()
                        .certificates(
                                CertificateOptions.defaults().withLeaderElection(false, "", "", Duration.ofSeconds(4)))
                        .dns(new DnsOptions(
                                true,
                                DnsOptions.DEFAULT_KINDS,
                                lbNamespace + "/traefik",
                                List.of(),
                                DnsOptions.DEFAULT_TTL))
                        .build());
        ns = routecert.namespace("dns");
    }

    /** Sets the Service's load-balancer status, as a cloud controller would. */
    private static void loadBalancer(String... addresses) {
        fixture.client.services().inNamespace(lbNamespace).withName("traefik").editStatus(s -> {
            List<io.fabric8.kubernetes.api.model.LoadBalancerIngress> ingress = new ArrayList<>();
            for (String a : addresses) {
                ingress.add(
                        a.matches("[0-9.:a-f]+")
                                ? new LoadBalancerIngressBuilder().withIp(a).build()
                                : new LoadBalancerIngressBuilder()
                                        .withHostname(a)
                                        .build());
            }
            s.setStatus(new ServiceStatusBuilder()
                    .withNewLoadBalancer()
                    .withIngress(ingress)
                    .endLoadBalancer()
                    .build());
            return s;
        });
    }

    private static ClusterFixture.Kubectl apply(String namespace, String yaml, String... flags) {
        List<String> args = new ArrayList<>(List.of("apply", "-n", namespace, "-f", "-"));
        args.addAll(List.of(flags));
        return fixture.kubectl(yaml, args.toArray(String[]::new));
    }

    private static String route(String name, String host) {
        return """
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: %s}
                spec:
                  entryPoints: [websecure]
                  routes:
                  - match: Host(`%s`)
                    kind: Rule
                    services: [{name: web, port: 80}]
                """.formatted(name, host);
    }

    private static GenericKubernetesResource endpoint(String namespace, String name) {
        return fixture.dnsEndpoint(namespace, name);
    }

    private static String records(GenericKubernetesResource endpoint) {
        if (endpoint == null) {
            return null;
        }
        List<String> rows = new ArrayList<>();
        for (JsonNode e : fixture.json(endpoint).path("spec").path("endpoints")) {
            List<String> targets = new ArrayList<>();
            e.path("targets").forEach(t -> targets.add(t.asText()));
            rows.add(e.path("dnsName").asText() + " " + e.path("recordType").asText() + " " + String.join(",", targets)
                    + " " + e.path("recordTTL").asText());
        }
        return String.join(" | ", rows);
    }

    @Test
    void applyReturnsWithTheRecordWhichFollowsTheServiceAndGoesWithTheRoute() {
        ClusterFixture.Kubectl applied = apply(ns, route("web", "web.dnsit.example"));
        assertEquals(0, applied.exitCode(), applied.err());
        // in place when kubectl returns: no waiting
        assertEquals("web.dnsit.example A 192.0.2.10 300", records(endpoint(ns, "web-ir")));

        loadBalancer("192.0.2.20", "2001:db8::20");
        ClusterFixture.await(
                "the record to follow the Service",
                FOLLOW,
                () -> records(endpoint(ns, "web-ir")),
                "web.dnsit.example A 192.0.2.20 300 | web.dnsit.example AAAA 2001:db8::20 300"::equals);
        GenericKubernetesResource followed = endpoint(ns, "web-ir");
        assertEquals(
                "web",
                followed.getMetadata().getOwnerReferences().get(0).getName(),
                "the reconciler gave it the route as owner");

        ClusterFixture.Kubectl deleted = fixture.kubectl("", "delete", "-n", ns, "ingressroutes.traefik.io", "web");
        assertEquals(0, deleted.exitCode(), deleted.err());
        ClusterFixture.await("the record to go with the route", FOLLOW, () -> endpoint(ns, "web-ir"), e -> e == null);
        loadBalancer("192.0.2.10");
        ClusterFixture.await(
                "the Service back at its first address",
                FOLLOW,
                () -> fixture.client
                        .services()
                        .inNamespace(lbNamespace)
                        .withName("traefik")
                        .get()
                        .getStatus(),
                s -> s.getLoadBalancer().getIngress().size() == 1);
    }

    @Test
    void aDryRunShowsTheRecordAndWritesNothing() {
        ClusterFixture.Kubectl dry = apply(ns, route("preview", "preview.dnsit.example"), "--dry-run=server");
        assertEquals(0, dry.exitCode(), dry.err());
        assertTrue(
                dry.err()
                        .contains("[dry-run] dry run: routecert would create DNSEndpoint " + ns
                                + "/preview-ir (preview.dnsit.example A"),
                dry.err());
        assertNull(endpoint(ns, "preview-ir"));
    }

    @Test
    void aForeignDnsEndpointOfTheSameNameIsLeftByteForByte() {
        GenericKubernetesResource foreign =
                fixture.client.resource(fixture.parse("""
                        apiVersion: externaldns.k8s.io/v1alpha1
                        kind: DNSEndpoint
                        metadata: {name: shop-ir, namespace: %s, labels: {team: shop}}
                        spec:
                          endpoints:
                          - {dnsName: shop.dnsit.example, recordType: A, targets: [198.51.100.1], recordTTL: 60}
                        """.formatted(ns))).create();
        ClusterFixture.Kubectl applied = apply(ns, route("shop", "shop.dnsit.example"));
        assertEquals(0, applied.exitCode(), applied.err());
        assertTrue(
                applied.err().contains("[dns-endpoint-foreign] DNSEndpoint " + ns + "/shop-ir exists"), applied.err());
        GenericKubernetesResource after = endpoint(ns, "shop-ir");
        assertEquals(
                foreign.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion());
        assertEquals(fixture.json(foreign), fixture.json(after));
    }

    @Test
    void switchboardsDnsEndpointIsTakenOverInPlace() {
        String old = fixture.namespace("dnssb");
        GenericKubernetesResource route = fixture.client
                .resource(fixture.parse(route("legacy", "legacy.dnsit.example")))
                .inNamespace(old)
                .create();
        // as switchboard writes it: named after the route, its managed-by label, the route as controller
        GenericKubernetesResource made = fixture.parse("""
                apiVersion: externaldns.k8s.io/v1alpha1
                kind: DNSEndpoint
                metadata:
                  name: legacy
                  labels: {kubernetes.io/managed-by: switchboard}
                spec:
                  endpoints:
                  - {dnsName: legacy.dnsit.example, recordType: A, targets: [192.0.2.10], recordTTL: 300}
                """);
        made.getMetadata()
                .getOwnerReferences()
                .add(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                        .withApiVersion("traefik.io/v1alpha1")
                        .withKind("IngressRoute")
                        .withName("legacy")
                        .withUid(route.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(true)
                        .build());
        fixture.client.resource(made).inNamespace(old).create();
        // routecert arrives in the namespace
        fixture.label(old, WebhookUnderTest.RUN_LABEL, fixture.runLabel(ns));
        String changed = route("legacy", "legacy.dnsit.example").replace("[websecure]", "[websecure, web]");
        // a bad TTL is denied once the registration covers the namespace
        String badTtl = changed.replace(
                "metadata: {name: legacy}",
                "metadata: {name: legacy, annotations: {external-dns.alpha.kubernetes.io/ttl: soon}}");
        ClusterFixture.await(
                "the registration to cover the namespace",
                FOLLOW,
                () -> apply(old, badTtl, "--dry-run=server").err(),
                err -> err.contains("[dns-annotation]"));
        ClusterFixture.Kubectl applied = apply(old, changed);
        assertEquals(0, applied.exitCode(), applied.err());
        GenericKubernetesResource taken = endpoint(old, "legacy");
        assertNotNull(taken);
        assertEquals("routecert", taken.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals(
                "traefik.io/IngressRoute/legacy",
                taken.getMetadata().getAnnotations().get("routecert.dev/route"));
        // the Service may still be on its way back from another test's address
        ClusterFixture.await(
                "switchboard's record kept, at the Service's address",
                FOLLOW,
                () -> records(endpoint(old, "legacy")),
                "legacy.dnsit.example A 192.0.2.10 300"::equals);
        assertNull(endpoint(old, "legacy-ir"), "no second DNSEndpoint for the route");
        assertFalse(fixture.client
                        .genericKubernetesResources(ClusterFixture.DNS_ENDPOINTS)
                        .inNamespace(old)
                        .list()
                        .getItems()
                        .size()
                > 1);
    }

    @Test
    void theLeaderGivesRoutesStoredWithoutRoutecertTheirRecordsAsAdmissionWouldHave() {
        // routes stored where the webhook is not registered: the leader is their only path to a record
        String before = fixture.namespace("dnsold");
        ClusterFixture.Kubectl claimed = apply(ns, route("claimed", "claimed.dnsit.example"));
        assertEquals(0, claimed.exitCode(), claimed.err());
        fixture.client
                .resource(fixture.parse(route("rival", "claimed.dnsit.example")))
                .inNamespace(before)
                .create();
        fixture.client
                .resource(fixture.parse(route("quiet", "quiet.dnsit.example")
                        .replace(
                                "metadata: {name: quiet}",
                                "metadata: {name: quiet, annotations: {routecert.dev/ignore: 'true'}}")))
                .inNamespace(before)
                .create();
        GenericKubernetesResource old = fixture.client
                .resource(fixture.parse(route("old", "old.dnsit.example")))
                .inNamespace(before)
                .create();

        ClusterFixture.await(
                "the stored route's record",
                FOLLOW,
                () -> records(endpoint(before, "old-ir")),
                r -> r != null && r.startsWith("old.dnsit.example A "));
        GenericKubernetesResource made = endpoint(before, "old-ir");
        assertEquals(
                old.getMetadata().getUid(),
                made.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals("routecert", made.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        // one worker, in order: the routes stored earlier were judged before this one got its record
        assertNull(endpoint(before, "quiet-ir"), "an opted-out route gets no record");
        assertNull(endpoint(before, "rival-ir"), "a record is a claim: the name is namespace " + ns + "'s");
        ClusterFixture.await(
                "a warning on the route whose name another namespace holds",
                FOLLOW,
                () -> fixture.client.events().v1().events().inNamespace(before).list().getItems().stream()
                        .filter(e -> "DNSEndpointSkipped".equals(e.getReason())
                                && "rival".equals(e.getRegarding().getName()))
                        .map(io.fabric8.kubernetes.api.model.events.v1.Event::getNote)
                        .findFirst()
                        .orElse(""),
                note -> note.contains("[host-ownership]") && note.contains("claimed.dnsit.example"));
        assertNotNull(endpoint(ns, "claimed-ir"), "the holder's record stands");
    }
}
