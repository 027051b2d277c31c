package dev.routecert.certificates;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.routecert.config.CertificateOptions;
import dev.routecert.config.DnsOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * manifests/rbac.yaml with the optional manifests/dns component is enough for --dns-endpoints:
 * routecert, authenticated as the ServiceAccount routecert/routecert with only those two bound, writes
 * a route's DNSEndpoint during admission, follows the target Service in Traefik's namespace, and its
 * record goes with the route.
 */
class DnsRbacIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture();

    private static ClusterFixture fixture;
    private static String ns;

    @BeforeAll
    static void setUp() throws Exception {
        fixture = KUBE.fixture();
        for (String namespace : List.of("routecert", "traefik")) {
            if (fixture.client.namespaces().withName(namespace).get() == null) {
                fixture.client
                        .namespaces()
                        .resource(new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(namespace)
                                .endMetadata()
                                .build())
                        .create();
                fixture.onClose(
                        () -> fixture.client.namespaces().withName(namespace).delete());
            }
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
        List<HasMetadata> rbac = new ArrayList<>();
        for (String file : List.of("manifests/rbac.yaml", "manifests/dns/rbac.yaml")) {
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                rbac.addAll(fixture.client.load(in).items());
            }
        }
        rbac.forEach(object -> fixture.client.resource(object).createOr(existing -> existing.update()));
        fixture.onClose(
                () -> rbac.forEach(object -> fixture.client.resource(object).delete()));

        fixture.client
                .services()
                .inNamespace("traefik")
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("traefik-dnsrbac")
                        .endMetadata()
                        .withNewSpec()
                        .withType("LoadBalancer")
                        .addNewPort()
                        .withPort(443)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        fixture.onClose(() -> fixture.client
                .services()
                .inNamespace("traefik")
                .withName("traefik-dnsrbac")
                .delete());
        loadBalancer("192.0.2.30");

        Path kubeconfig = fixture.serviceAccountKubeconfig("routecert", "routecert");

        WebhookUnderTest routecert = fixture.routecert(
                kubeconfig,
                CertificateOptions.defaults()
                        .withLeaderElection(true, "routecert", "routecert-reconciler", Duration.ofSeconds(4)),
                config -> config.toBuilder()
                        .dns(new DnsOptions(
                                true,
                                DnsOptions.DEFAULT_KINDS,
                                "traefik/traefik-dnsrbac",
                                List.of(),
                                Duration.ofSeconds(300)))
                        .build());
        ns = routecert.namespace("dnsrbac");
    }

    private static void loadBalancer(String address) {
        fixture.client
                .services()
                .inNamespace("traefik")
                .withName("traefik-dnsrbac")
                .editStatus(s -> {
                    s.setStatus(new ServiceStatusBuilder()
                            .withNewLoadBalancer()
                            .withIngress(new LoadBalancerIngressBuilder()
                                    .withIp(address)
                                    .build())
                            .endLoadBalancer()
                            .build());
                    return s;
                });
    }

    private static String targets() {
        GenericKubernetesResource endpoint = fixture.dnsEndpoint(ns, "web-ir");
        return endpoint == null
                ? null
                : fixture.json(endpoint).at("/spec/endpoints/0/targets").toString();
    }

    @Test
    void theDnsComponentsPermissionsAreEnoughForTheWholeJob() {
        var apply = fixture.kubectl("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: web}
                spec:
                  routes:
                  - match: Host(`web.dnsrbac.example`)
                    kind: Rule
                    services: [{name: web, port: 80}]
                """, "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
        assertEquals("[\"192.0.2.30\"]", targets(), "written in admission, targets read from the Service");
        await(
                "the leader owns it and tells the route",
                Duration.ofSeconds(30),
                () -> CertificateAdmissionIT.events(fixture, ns, "web"),
                events -> events.stream().anyMatch(e -> e.startsWith("DNSEndpointCreated: DNSEndpoint web-ir")));

        loadBalancer("192.0.2.31");
        await("the record follows the Service", Duration.ofSeconds(30), DnsRbacIT::targets, "[\"192.0.2.31\"]"::equals);

        var delete = fixture.kubectl("", "delete", "ingressroute.traefik.io", "web", "-n", ns);
        assertEquals(0, delete.exitCode(), delete.err());
        await("the record goes with the route", Duration.ofSeconds(60), DnsRbacIT::targets, t -> t == null);
    }
}
