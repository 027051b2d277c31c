package dev.routecert.certificates;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.admission.AdmissionDecision;
import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What happens around routecert's write: a later webhook rejects the route (the orphan goes after
 * the grace period), the API server rejects the Certificate, or answers too slowly (the route is
 * denied within the deadline, with the reason).
 */
class AdmissionFailureIT {

    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final Duration WRITE_TIMEOUT = Duration.ofMillis(1500);
    private static ClusterFixture fixture;
    private static String ns;
    private static String slowNs;
    private static final AtomicInteger slowCalls = new AtomicInteger();
    private static final AtomicInteger slowCallsAnswered = new AtomicInteger();

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults()
                    .withWriteTimeout(WRITE_TIMEOUT)
                    .withOrphanGracePeriod(GRACE)
                    .withLeaderElection(false, "routecert", "routecert", Duration.ofSeconds(15)))
            .withClusterIssuers()
            // a subject the API server refuses must reach it: subjects need the policy's allowance
            .withPolicyFile("""
                    apiVersion: routecert.dev/v1alpha1
                    kind: Policy
                    tenancy:
                      certificates:
                        - namespaceSelector: {}
                          allow: {subject: true}
                    """);

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        WebhookUnderTest routecert = KUBE.routecert();
        ns = routecert.namespace("failures");
        slowNs = routecert.namespace("slow");
        fixture.label(slowNs, "routecert.dev/slow-certificates", "true");
        String run = fixture.runLabel(ns);

        // A second validating webhook that rejects, after routecert admitted them, routes named reject-*.
        Webhooks.Stub rejecter = new Webhooks.Stub(request -> request.name().startsWith("reject-")
                ? AdmissionDecision.denied("the platform team's policy rejects " + request.name(), List.of(), List.of())
                : AdmissionDecision.allow());
        fixture.onClose(rejecter::close);
        Webhooks.validating(
                fixture,
                "reject-it-" + run,
                rejecter,
                Webhooks.ROUTES,
                10,
                "None",
                Map.of(WebhookUnderTest.RUN_LABEL, run));

        // An API server that answers Certificate writes slowly: a validating webhook that takes 5 s.
        Webhooks.Stub slow = new Webhooks.Stub(request -> {
            slowCalls.incrementAndGet();
            Thread.sleep(5_000);
            slowCallsAnswered.incrementAndGet();
            return AdmissionDecision.allow();
        });
        fixture.onClose(slow::close);
        Webhooks.validating(
                fixture,
                "slow-it-" + run,
                slow,
                Webhooks.CERTIFICATES,
                10,
                "None",
                Map.of(WebhookUnderTest.RUN_LABEL, run, "routecert.dev/slow-certificates", "true"));
    }

    private static String ingress(String name, String secret, String annotations) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  annotations: {cert-manager.io/cluster-issuer: test-ca%s}
                spec:
                  rules: [{host: %s.example.com}]
                  tls: [{hosts: [%s.example.com], secretName: %s}]
                """.formatted(name, annotations, name, name, secret);
    }

    @Test
    void certificateOfARouteRejectedByALaterWebhookIsDeletedAfterTheGracePeriod() {
        var apply = fixture.kubectl(ingress("reject-me", "reject-me-tls", ""), "apply", "-n", ns, "-f", "-");
        assertNotEquals(0, apply.exitCode());
        assertTrue(apply.err().contains("the platform team's policy rejects reject-me"), apply.err());
        assertTrue(
                fixture.certificate(ns, "reject-me-tls").get() != null,
                "routecert created it before the later webhook ran");
        long started = System.nanoTime();
        await(
                "orphan reject-me-tls deleted",
                GRACE.plusSeconds(10),
                () -> fixture.certificate(ns, "reject-me-tls").get(),
                c -> c == null);
        System.out.printf(
                "orphan deleted %d ms after kubectl returned (grace %s)%n",
                (System.nanoTime() - started) / 1_000_000, GRACE);
    }

    @Test
    void certificateTheApiServerRejectsDeniesTheRouteWithTheReason() {
        String serial = "S".repeat(65);
        var apply = fixture.kubectl(
                ingress("serial", "serial-tls", ", cert-manager.io/subject-serialnumber: " + serial),
                "apply",
                "-n",
                ns,
                "-f",
                "-");
        assertNotEquals(0, apply.exitCode());
        assertTrue(
                apply.err()
                        .contains("routecert could not write the Certificate this object needs, so nothing was changed:"
                                + " could not create Certificate " + ns + "/serial-tls: the API server answered 422"),
                apply.err());
        assertTrue(apply.err().contains("spec.subject.serialNumber"), apply.err());
        assertNull(fixture.certificate(ns, "serial-tls").get());
        assertNull(
                fixture.client
                        .network()
                        .v1()
                        .ingresses()
                        .inNamespace(ns)
                        .withName("serial")
                        .get(),
                "the route must not exist");
    }

    @Test
    void slowApiServerDeniesTheRouteWithinTheDeadline() {
        var apply = fixture.kubectl(ingress("slow", "slow-tls", ""), "apply", "-n", slowNs, "-f", "-");
        assertNotEquals(0, apply.exitCode());
        assertTrue(
                apply.err()
                        .contains("could not create Certificate " + slowNs
                                + "/slow-tls: the API server did not answer within 1500ms"),
                apply.err());
        assertTrue(slowCalls.get() >= 1, "the slow webhook was never called");
        // kubectl itself takes ~0.3 s here; the review must not have waited for the 5 s webhook
        assertTrue(apply.millis() < WRITE_TIMEOUT.toMillis() + 2_500, "kubectl took " + apply.millis() + " ms");
        assertNull(
                fixture.client
                        .network()
                        .v1()
                        .ingresses()
                        .inNamespace(slowNs)
                        .withName("slow")
                        .get(),
                "the route must not exist");
        System.out.printf("slow API server: kubectl denied after %d ms (deadline %s)%n", apply.millis(), WRITE_TIMEOUT);
        // whatever the API server still stored after the deadline has no route: gone after the grace period,
        // counted from when the last slow write was let through
        await(
                "every slow Certificate write answered by the API server",
                Duration.ofSeconds(15),
                () -> slowCallsAnswered.get() == slowCalls.get(),
                answered -> answered);
        await(
                "no Certificate slow-tls left",
                GRACE.plusSeconds(10),
                () -> fixture.certificate(slowNs, "slow-tls").get(),
                c -> c == null);
    }
}
