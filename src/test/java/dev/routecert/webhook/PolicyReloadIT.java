package dev.routecert.webhook;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.config.CertificateOptions;
import dev.routecert.files.MountedVolume;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.policy.PolicyConfig;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The policy file swapped between deny, warn and an invalid file while Ingresses are created through
 * the real API server from several threads: every review is answered (denied with the check's id, or
 * admitted), none fails, each probe after a swap sees the mode in force, and the counters match.
 */
class PolicyReloadIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture().withClusterIssuers();

    private static final int THREADS = 3;
    /** deny, warn, invalid, deny, warn, invalid...: a third of the swaps are refused. */
    private static final int SWAPS = 9;

    private static final Duration SETTLE = Duration.ofSeconds(30);

    private static String policy(String mode, int generation) {
        return """
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                enforcement: {default: %s, checks: {tls-unserved-name: "off"}}
                # generation %d
                """.formatted(mode, generation);
    }

    private static String bad(String ns, String name) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s, namespace: %s, annotations: {cert-manager.io/cluster-issuer: test-ca}}
                spec:
                  rules: [{host: a.example.com}]
                  tls: [{hosts: [b.example.com], secretName: %s-tls}]
                """.formatted(name, ns, name);
    }

    /** What one create got: admitted, denied by the check, or anything else (a failed review). */
    private static String create(ClusterFixture fixture, String ns, String name) {
        Ingress ingress = fixture.client.getKubernetesSerialization().unmarshal(bad(ns, name), Ingress.class);
        try {
            fixture.client
                    .network()
                    .v1()
                    .ingresses()
                    .inNamespace(ns)
                    .resource(ingress)
                    .create();
            return "admitted";
        } catch (KubernetesClientException e) {
            String message = String.valueOf(e.getMessage());
            if (e.getCode() == 403 && message.contains("[tls-uncovered-host]")) {
                return "denied";
            }
            return "failed: " + e.getCode() + " " + message;
        }
    }

    @Test
    void everyReviewIsAnsweredUnderTheModeInForceWhileThePolicyIsSwapped() throws Exception {
        ClusterFixture fixture = KUBE.fixture();
        MountedVolume volume = fixture.policyVolume(policy("deny", 0));
        WebhookUnderTest routecert = fixture.routecert(
                PolicyConfig.defaults(),
                config -> config.withCertificates(
                                CertificateOptions.defaults().withLeaderElection(false, "", "", Duration.ofSeconds(4)))
                        .withPolicyFile(volume.file("policy.yaml"), Duration.ofMillis(50)));
        String ns = routecert.namespace("reload");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            load.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String outcome = create(fixture, ns, "load-" + thread + "-" + i);
                    sent.incrementAndGet();
                    if (outcome.startsWith("failed")) {
                        failures.add(outcome);
                    }
                }
            }));
        }
        try {
            int reloads = 1;
            int refusals = 0;
            String inForce = "deny";
            for (int swap = 1; swap <= SWAPS; swap++) {
                int sentBefore = sent.get();
                await("load between swaps", SETTLE, sent::get, n -> n >= sentBefore + THREADS);
                switch (swap % 3) {
                    case 1 -> {
                        volume.write("policy.yaml", policy("warn", swap));
                        inForce = "warn";
                        reloads++;
                    }
                    case 2 -> {
                        volume.write("policy.yaml", policy("nope", swap));
                        refusals++;
                    }
                    default -> {
                        volume.write("policy.yaml", policy("deny", swap));
                        inForce = "deny";
                        reloads++;
                    }
                }
                int wantReloads = reloads;
                int wantRefusals = refusals;
                await(
                        "the swap counted",
                        SETTLE,
                        routecert::metrics,
                        text -> counter(text, "routecert_policy_reloads_total") == wantReloads
                                && counter(text, "routecert_policy_reload_failures_total") == wantRefusals);
                String probe = create(fixture, ns, "probe-" + swap);
                assertEquals(
                        inForce.equals("deny") ? "denied" : "admitted",
                        probe,
                        "after swap " + swap + " the mode in force is " + inForce);
            }
        } finally {
            stop.set(true);
            for (Thread thread : load) {
                thread.join();
            }
        }
        assertEquals(List.of(), failures, "no review failed");
        String text = routecert.metrics();
        assertEquals(1 + 2 * SWAPS / 3, counter(text, "routecert_policy_reloads_total"), text);
        assertEquals(SWAPS / 3, counter(text, "routecert_policy_reload_failures_total"), text);
        assertTrue(sent.get() > SWAPS * THREADS, "reviews were sent throughout: " + sent.get());
    }

    private static double counter(String metrics, String name) {
        return metrics.lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(-1);
    }
}
