package dev.routecert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.files.MountedVolume;
import dev.routecert.policy.Action;
import dev.routecert.policy.settings.PolicySnapshot;
import dev.routecert.time.Await;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFileSourceTest {

    static String policy(String defaultMode) {
        return """
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                enforcement: {default: %s}
                """.formatted(defaultMode);
    }

    static final String BAD = """
            apiVersion: routecert.dev/v1alpha1
            kind: Policy
            enforcement: {default: sometimes, checks: {tls-uncoverd-host: deny}}
            """;

    /** Records what the source reports. */
    static final class Recorded implements PolicyFileSource.Events {
        final List<String> reloads = new CopyOnWriteArrayList<>();
        final List<List<String>> failures = new CopyOnWriteArrayList<>();

        @Override
        public void reloaded(PolicySnapshot snapshot) {
            reloads.add(snapshot.sha256());
        }

        @Override
        public void failed(List<String> problems) {
            failures.add(problems);
        }
    }

    private static Action mode(PolicyFileSource source) {
        return source.get().resolve("any", Map.of()).defaultOrDeny();
    }

    @Test
    void aBadFileKeepsTheLastGoodPolicyAndIsReportedOnceWithEveryProblem(@TempDir Path dir) throws Exception {
        MountedVolume volume = new MountedVolume(dir);
        volume.write("policy.yaml", policy("audit"));
        Recorded events = new Recorded();
        try (PolicyFileSource source = new PolicyFileSource(volume.file("policy.yaml"), Duration.ZERO, events)) {
            PolicySnapshot first = source.get();
            assertEquals(Action.AUDIT, mode(source));
            assertEquals(PolicyFileSource.sha256(policy("audit").getBytes(StandardCharsets.UTF_8)), first.sha256());

            volume.write("policy.yaml", BAD);
            source.poll();
            source.poll();
            source.poll();
            assertTrue(first == source.get(), "the last good snapshot stays in force");
            assertEquals(
                    List.of(
                            List.of(
                                    "enforcement.default: must be deny, warn, audit or off, got \"sometimes\"",
                                    "enforcement.checks.tls-uncoverd-host: unknown check id 'tls-uncoverd-host' (did you mean tls-uncovered-host?)")),
                    events.failures);

            volume.write("policy.yaml", policy("warn"));
            source.poll();
            assertEquals(Action.WARN, mode(source));
            assertEquals(2, events.reloads.size());
            assertNotEquals(events.reloads.get(0), events.reloads.get(1));
        }
    }

    @Test
    void aDataSwapIsPickedUpByTheRunningPoller(@TempDir Path dir) throws Exception {
        MountedVolume volume = new MountedVolume(dir);
        volume.write("policy.yaml", policy("deny"));
        Recorded events = new Recorded();
        try (PolicyFileSource source =
                new PolicyFileSource(volume.file("policy.yaml"), Duration.ofMillis(10), events)) {
            volume.write("policy.yaml", policy("warn"));
            Await.until("the new policy", Duration.ofSeconds(10), () -> mode(source) == Action.WARN);
            volume.write("policy.yaml", "{not: yaml: at all");
            Await.until("the refusal", Duration.ofSeconds(10), () -> events.failures.size() == 1);
            assertEquals(Action.WARN, mode(source));
            volume.write("policy.yaml", policy("off"));
            Await.until("the next policy", Duration.ofSeconds(10), () -> mode(source) == Action.OFF);
            assertEquals(3, events.reloads.size());
        }
    }

    @Test
    void aMissingOrBadFileStopsStartWithEveryProblem(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("policy.yaml");
        var e = assertThrows(
                PolicyFileSource.PolicyFileException.class,
                () -> new PolicyFileSource(missing, Duration.ZERO, PolicyFileSource.Events.NONE));
        assertEquals(List.of("file " + missing + " does not exist"), e.problems());

        MountedVolume volume = new MountedVolume(dir.resolve("volume"));
        volume.write("policy.yaml", BAD);
        e = assertThrows(
                PolicyFileSource.PolicyFileException.class,
                () -> new PolicyFileSource(volume.file("policy.yaml"), Duration.ZERO, PolicyFileSource.Events.NONE));
        assertEquals(2, e.problems().size(), e.problems()::toString);
        assertEquals(e.problems(), PolicyFileSource.problems(volume.file("policy.yaml")));
    }

    @Test
    void twoDocumentsOrDuplicateKeysAreProblems() {
        assertEquals(
                List.of("holds 2 YAML documents; a policy file holds one"),
                PolicyFileSource.parse((policy("deny") + "---\n" + policy("warn")).getBytes(StandardCharsets.UTF_8))
                        .problems());
        List<String> duplicate = PolicyFileSource.parse(
                        (policy("deny") + "enforcement: {default: warn}\n").getBytes(StandardCharsets.UTF_8))
                .problems();
        assertEquals(1, duplicate.size());
        assertTrue(duplicate.getFirst().contains("Duplicate field 'enforcement'"), duplicate::toString);
    }

    @Test
    void metricsCountLoadsAndRefusalsAndNameTheContentInForce() {
        PrometheusRegistry registry = new PrometheusRegistry();
        PolicyMetrics metrics = new PolicyMetrics(registry);
        metrics.reloaded(new PolicySnapshot(PolicySnapshot.DEFAULTS.settings(), "aaa", "test"));
        metrics.failed(List.of("x"));
        metrics.reloaded(new PolicySnapshot(PolicySnapshot.DEFAULTS.settings(), "bbb", "test"));
        var snapshots = registry.scrape();
        double reloads = 0;
        double failures = 0;
        List<String> inForce = new CopyOnWriteArrayList<>();
        for (var s : snapshots) {
            String name = s.getMetadata().getName();
            if (s instanceof CounterSnapshot c && name.equals("routecert_policy_reloads")) {
                reloads = c.getDataPoints().getFirst().getValue();
            } else if (s instanceof CounterSnapshot c && name.equals("routecert_policy_reload_failures")) {
                failures = c.getDataPoints().getFirst().getValue();
            } else if (s instanceof InfoSnapshot i && name.equals("routecert_policy")) {
                i.getDataPoints().forEach(p -> inForce.add(p.getLabels().get("sha256")));
            }
        }
        assertEquals(2, reloads);
        assertEquals(1, failures);
        assertEquals(List.of("bbb"), inForce);
    }
}
