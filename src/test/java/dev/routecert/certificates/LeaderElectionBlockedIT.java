package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.ServedJar;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.time.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica whose Lease namespace does not exist: one log line with the cause (in JSON, as
 * {@code --log-format=json} writes it), then silence while the retries are counted; the metrics say it
 * is not leading and why; and it still answers admission (readiness does not depend on leading).
 */
class LeaderElectionBlockedIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aMissingLeaseNamespaceIsOneClearLineAndAMetricAndNotAStackTracePerRetry() throws Exception {
        ClusterFixture fixture = KUBE.fixture();
        String claims = fixture.namespace("blocked-claims");
        try (ServedJar served = new ServedJar(
                Map.of("HOSTNAME", "blocked-replica"),
                List.of(
                        "--kubeconfig",
                        fixture.cluster.kubeconfig().toString(),
                        "--leader-election-namespace",
                        "no-such-namespace-i20",
                        "--leader-election-lease-duration",
                        "2s",
                        "--claims-namespace",
                        claims,
                        "--log-format",
                        "json"))) {
            // a retry every 400 ms: by the time the metric has been read a few times, many have failed
            Await.until(
                    "the blocked metric",
                    Duration.ofSeconds(30),
                    () -> metrics(served)
                            .contains("routecert_leader_election_blocked{reason=\"namespace_not_found\"} 1"));
            Await.until("five failed calls", Duration.ofSeconds(30), () -> failures(metrics(served)) >= 5);
            String scrape = metrics(served);
            assertTrue(scrape.contains("leader_election_master_status{name=\"routecert-reconciler\"} 0"), scrape);
            assertTrue(scrape.contains("routecert_leader_election_blocked{reason=\"forbidden\"} 0"), scrape);
            assertTrue(scrape.contains("routecert_build_info{"), scrape);

            List<JsonNode> failing = new ArrayList<>();
            for (String line : List.copyOf(served.log)) {
                if (line.startsWith("WARNING: ")) {
                    continue; // the JVM's own warnings on stderr (a library's use of sun.misc.Unsafe), not the log
                }
                JsonNode node = JSON.readTree(line); // every log line is one JSON object
                assertTrue(node.has("level") && node.has("ts") && node.has("logger") && node.has("msg"), line);
                if (node.get("msg").asText().contains("leader election: Lease no-such-namespace-i20/")) {
                    failing.add(node);
                }
            }
            assertEquals(1, failing.size(), String.join("\n", served.log));
            System.out.println("leader election lines: " + failing); // shown in operations.md
            JsonNode line = failing.get(0);
            assertEquals("warn", line.get("level").asText());
            assertTrue(line.get("cause").asText().startsWith("namespace_not_found: "), line.toString());
            assertTrue(line.get("cause").asText().contains("no-such-namespace-i20"), line.toString());
            assertTrue(served.log.stream().noneMatch(l -> l.contains("\\tat ")), "a stack trace was logged");
            assertEquals(200, served.health("/readyz").statusCode(), "readiness must not depend on leading");
        }
    }

    private static double failures(String scrape) {
        String prefix = "routecert_leader_election_failures_total{reason=\"namespace_not_found\"} ";
        return scrape.lines()
                .filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .sum();
    }

    private static String metrics(ServedJar served) {
        try {
            return served.health("/metrics").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
