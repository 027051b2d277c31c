package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.config.PolicyFileSource;
import dev.routecert.config.PolicyMetrics;
import dev.routecert.files.MountedVolume;
import dev.routecert.policy.Fixtures;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.settings.PolicySnapshot;
import dev.routecert.time.Await;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import dev.routecert.webhook.NamespacePolicies;
import dev.routecert.webhook.RouteAdmission;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviews from several threads over real HTTPS while the policy file is swapped between valid and
 * invalid contents: no review fails, and the counters match the swaps.
 */
class PolicyReloadUnderLoadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ServingCertificate CERTIFICATE = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
    private static final int THREADS = 4;
    private static final int SWAPS = 10;

    private static String valid(int generation) {
        return "apiVersion: routecert.dev/v1alpha1\nkind: Policy\nenforcement: {default: "
                + (generation % 2 == 0 ? "warn" : "audit") + "}\n# generation " + generation + "\n";
    }

    private static String invalid(int generation) {
        return "apiVersion: routecert.dev/v1alpha1\nkind: Policy\nenforcement: {default: nope" + generation + "}\n";
    }

    @Test
    void everyReviewIsAnsweredWhileThePolicyIsSwapped(@TempDir Path dir) throws Exception {
        MountedVolume volume = new MountedVolume(dir);
        volume.write("policy.yaml", valid(0));
        PrometheusRegistry registry = new PrometheusRegistry();
        AtomicInteger snapshotReads = new AtomicInteger();
        JsonNode object = Fixtures.all().getFirst().object();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicInteger answered = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        try (PolicyFileSource source = new PolicyFileSource(
                        volume.file("policy.yaml"), Duration.ofMillis(10), new PolicyMetrics(registry));
                TestServer server = server(source, snapshotReads)) {
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                String path = t % 2 == 0 ? "/mutate" : "/validate";
                int thread = t;
                load.add(Thread.ofPlatform().name("load-" + t).start(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String uid = "t" + thread + "-" + i;
                        byte[] review = AdmissionReviewBuilder.forObject(object, "default")
                                .uid(uid)
                                .bytes();
                        try {
                            var response = server.post(path, "application/json", review);
                            JsonNode answer = JSON.readTree(response.body()).path("response");
                            if (response.statusCode() != 200
                                    || !uid.equals(answer.path("uid").asText())
                                    || !answer.path("allowed").isBoolean()
                                    || answer.path("status").path("code").asInt(200) >= 500) {
                                failures.add(uid + ": " + response.statusCode() + " " + response.body());
                            }
                            answered.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(uid + ": " + e);
                        }
                    }
                }));
            }
            for (int swap = 1; swap <= SWAPS; swap++) {
                boolean good = swap % 2 == 0;
                volume.write("policy.yaml", good ? valid(swap) : invalid(swap));
                int reloads = 1 + swap / 2;
                int refusals = (swap + 1) / 2;
                int before = answered.get();
                Await.until(
                        "swap " + swap + " seen",
                        Duration.ofSeconds(20),
                        () -> counter(registry, "routecert_policy_reloads") == reloads
                                && counter(registry, "routecert_policy_reload_failures") == refusals
                                && answered.get() > before + THREADS,
                        () -> "reloads " + counter(registry, "routecert_policy_reloads") + ", failures "
                                + counter(registry, "routecert_policy_reload_failures"));
            }
            stop.set(true);
            for (Thread thread : load) {
                thread.join();
            }
            assertEquals(List.of(), failures);
            assertEquals(1 + SWAPS / 2, counter(registry, "routecert_policy_reloads"));
            assertEquals(SWAPS / 2, counter(registry, "routecert_policy_reload_failures"));
            assertEquals(answered.get(), snapshotReads.get(), "each review read the snapshot once");
            assertTrue(source.get()
                    .settings()
                    .enforcement()
                    .defaultMode()
                    .orElseThrow()
                    .word()
                    .equals("warn"));
        }
    }

    private static TestServer server(PolicyFileSource source, AtomicInteger reads) {
        Supplier<PolicySnapshot> counted = () -> {
            reads.incrementAndGet();
            return source.get();
        };
        NamespacePolicies policies = new NamespacePolicies(counted, NamespacePolicies.NamespaceLabels.NONE);
        RoutePolicy policy = new RoutePolicy(PolicyConfig.defaults());
        return new TestServer(
                new FixedCertificateSource(CERTIFICATE),
                new RouteAdmission(policy, RouteAdmission.Mode.MUTATE).withRules(policies),
                new RouteAdmission(policy, RouteAdmission.Mode.VALIDATE).withRules(policies),
                TestPki.trusting(CERTIFICATE.leaf()),
                cfg -> cfg);
    }

    private static double counter(PrometheusRegistry registry, String name) {
        for (var snapshot : registry.scrape()) {
            if (snapshot instanceof CounterSnapshot c
                    && c.getMetadata().getName().equals(name)) {
                return c.getDataPoints().getFirst().getValue();
            }
        }
        return -1;
    }
}
