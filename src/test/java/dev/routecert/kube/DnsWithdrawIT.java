package dev.routecert.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.routecert.config.CertificateOptions;
import dev.routecert.config.DnsOptions;
import dev.routecert.files.MountedVolume;
import dev.routecert.policy.PolicyConfig;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A record is a claim: when a new policy file takes a domain away from a namespace, the leader
 * deletes the DNSEndpoints routecert made there for routes that publish it, through the real API
 * server, and says so on the route.
 */
class DnsWithdrawIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture();

    private static final Duration FOLLOW = Duration.ofSeconds(30);

    private static String policy(String allowed) {
        return """
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                tenancy:
                  domains:
                    - namespaceSelector: {}
                      allow: ["%s"]
                """.formatted(allowed);
    }

    @Test
    void aDomainTakenAwayByThePolicyTakesRoutecertsRecordsOfItAlong() throws Exception {
        ClusterFixture fixture = KUBE.fixture();
        MountedVolume volume = fixture.policyVolume(policy("*.withdraw-it.example"));
        WebhookUnderTest routecert = fixture.routecert(
                PolicyConfig.defaults(),
                config -> config.toBuilder()
                        .certificates(
                                CertificateOptions.defaults().withLeaderElection(false, "", "", Duration.ofSeconds(4)))
                        .dns(new DnsOptions(
                                true, DnsOptions.DEFAULT_KINDS, null, List.of("192.0.2.30"), DnsOptions.DEFAULT_TTL))
                        .build()
                        .withPolicyFile(volume.file("policy.yaml"), Duration.ofMillis(100)));
        String ns = routecert.namespace("withdraw");
        for (String name : List.of("web", "kept")) {
            String host = name.equals("web") ? "web.withdraw-it.example" : "kept.withdraw-it.example";
            ClusterFixture.Kubectl applied = fixture.kubectl("""
                    apiVersion: traefik.io/v1alpha1
                    kind: IngressRoute
                    metadata: {name: %s}
                    spec:
                      entryPoints: [websecure]
                      routes:
                      - match: Host(`%s`)
                        kind: Rule
                        services: [{name: web, port: 80}]
                    """.formatted(name, host), "apply", "-n", ns, "-f", "-");
            assertEquals(0, applied.exitCode(), applied.err());
            assertNotNull(fixture.dnsEndpoint(ns, name + "-ir"), "written during admission");
        }

        ClusterFixture.writePolicy(routecert, volume.file("policy.yaml"), policy("kept.withdraw-it.example"));

        ClusterFixture.await(
                "the record of the domain taken away to go",
                FOLLOW,
                () -> fixture.dnsEndpoint(ns, "web-ir"),
                e -> e == null);
        assertNotNull(fixture.dnsEndpoint(ns, "kept-ir"), "a record of a domain still allowed stays");
        ClusterFixture.await(
                "a Warning on the route",
                FOLLOW,
                () -> fixture.client.events().v1().events().inNamespace(ns).list().getItems().stream()
                        .filter(e -> "DNSEndpointDeleted".equals(e.getReason())
                                && "web".equals(e.getRegarding().getName()))
                        .map(Event::getNote)
                        .findFirst()
                        .orElse(""),
                note -> note.contains("[domain-not-allowed]") && note.contains("web.withdraw-it.example"));
    }
}
