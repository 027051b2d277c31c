package dev.routecert.webhook;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.config.CertificateOptions;
import dev.routecert.files.MountedVolume;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.policy.Action;
import dev.routecert.policy.PolicyConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One bad route (a served host its TLS does not cover) in three namespaces whose policy file overrides,
 * selected by a namespace label, make it deny, warn and audit; applied with kubectl through the real
 * API server.
 */
class EnforcementModesIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture().withClusterIssuers();

    private static final Duration SETTLE = Duration.ofSeconds(30);

    /** The modes by the namespace label {@code rollout}; without it the top level's deny applies. */
    static final String POLICY = """
            apiVersion: routecert.dev/v1alpha1
            kind: Policy
            enforcement: {default: deny, checks: {tls-unserved-name: "off"}}
            overrides:
              - namespaceSelector: {matchLabels: {rollout: deny}}
                enforcement: {default: deny}
              - namespaceSelector: {matchLabels: {rollout: warn}}
                enforcement: {default: warn}
              - namespaceSelector: {matchLabels: {rollout: audit}}
                enforcement: {default: audit}
            """;

    private static ClusterFixture fixture;
    private static WebhookUnderTest routecert;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        MountedVolume policy = fixture.policyVolume(POLICY);
        routecert = fixture.routecert(
                PolicyConfig.defaults(),
                config -> config.withCertificates(CertificateOptions.defaults()
                                .withLeaderElection(false, "routecert", "routecert", Duration.ofSeconds(15)))
                        .withPolicyFile(policy.file("policy.yaml"), Duration.ofMillis(200)));
    }

    /** A route whose one host, {@code <mode>.example.com}, no TLS entry covers; a host per test, as namespaces own hosts. */
    private static String badRoute(String mode) {
        return BAD_ROUTE.replace("a.example.com", mode + ".example.com");
    }

    private static final String BAD_ROUTE = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: web
              annotations: {cert-manager.io/cluster-issuer: test-ca}
            spec:
              rules:
              - host: a.example.com
                http:
                  paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
              tls:
              - {hosts: [b.example.com, a.example.org], secretName: web-tls}
            """;

    private static String namespace(String prefix, Action action) {
        return routecert.namespace(prefix, Map.of("rollout", action.word()));
    }

    @Test
    void denyFailsTheApply() {
        String ns = namespace("deny", Action.DENY);
        var apply = fixture.kubectl(badRoute("deny"), "apply", "-n", ns, "-f", "-");
        assertNotEquals(0, apply.exitCode(), apply.out());
        assertTrue(apply.err().contains("[tls-uncovered-host] spec.rules[0].host: deny.example.com"), apply.err());
        assertEquals("1.0", findings(ns, "deny"), "counted");
    }

    @Test
    void warnAdmitsAndKubectlPrintsTheWarning() {
        String ns = namespace("warn", Action.WARN);
        var apply = fixture.kubectl(badRoute("warn"), "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
        assertTrue(
                apply.err().contains("Warning: [tls-uncovered-host] spec.rules[0].host: warn.example.com"),
                apply.err());
        assertTrue(apply.err().contains("Warning: [no-certificate] "), apply.err());
        assertTrue(fixture.certificate(ns, "web-tls").get() == null, "a broken route gets no Certificate");
        assertEquals("1.0", findings(ns, "warn"));
    }

    @Test
    void auditAdmitsSilentlyAndLeavesTheEventAndTheMetric() {
        String ns = namespace("audit", Action.AUDIT);
        var apply = fixture.kubectl(badRoute("audit"), "apply", "-n", ns, "-f", "-");
        assertEquals(0, apply.exitCode(), apply.err());
        assertFalse(apply.err().contains("Warning"), apply.err());
        String events = await(
                "the PolicyAudit event",
                SETTLE,
                () -> fixture.kubectl("", "get", "events", "-n", ns).out(),
                out -> out.contains("PolicyAudit"));
        assertTrue(events.contains("[tls-uncovered-host] spec.rules[0].host: audit.example.com"), events);
        assertEquals("1.0", findings(ns, "audit"));
        assertTrue(fixture.certificate(ns, "web-tls").get() == null, "a broken route gets no Certificate");
    }

    /** The value of routecert_policy_findings_total for tls-uncovered-host in {@code ns}, from /metrics. */
    private static String findings(String ns, String action) {
        List<String> wanted =
                List.of("check=\"tls-uncovered-host\"", "namespace=\"" + ns + "\"", "action=\"" + action + "\"");
        String line = await(
                        "the findings metric",
                        SETTLE,
                        routecert::metrics,
                        text -> text.lines()
                                .anyMatch(l -> l.startsWith("routecert_policy_findings_total{")
                                        && wanted.stream().allMatch(l::contains)))
                .lines()
                .filter(l -> l.startsWith("routecert_policy_findings_total{")
                        && wanted.stream().allMatch(l::contains))
                .findFirst()
                .orElseThrow();
        return line.substring(line.lastIndexOf(' ') + 1);
    }
}
