package dev.routecert.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.Commands.CommandResult;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.time.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every metric that {@code manifests/monitoring}'s alerts and dashboard query is one a running routecert
 * exports: a renamed or dropped metric fails here, not silently on a dashboard.
 */
class MonitoringManifestsIT {

    private static final Path MONITORING = Path.of("manifests/monitoring");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults()
            .withLeaderElection(true, fixture.namespace("mon-lease"), "routecert-reconciler", Duration.ofSeconds(4))
            .withHostClaims(fixture.namespace("mon-claims"), Duration.ofSeconds(2)));

    @Test
    void everyMetricTheAlertsAndTheDashboardUseIsExported() throws Exception {
        WebhookUnderTest routecert = KUBE.routecert();
        Await.until(
                "routecert leads",
                Duration.ofSeconds(60),
                () -> routecert.metrics().contains("leader_election_master_status{name=\"routecert-reconciler\"} 1"));
        // one review of each webhook, so that their counters and histograms have a series, and a denied
        // one (its TLS does not cover its host), so that the findings counter has one too
        String ns = routecert.namespace("mon");
        CommandResult applied = routecert.kubectl("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web}
                spec:
                  rules:
                  - host: web.monitoring-it.example
                    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: uncovered}
                spec:
                  tls:
                  - {hosts: [other.monitoring-it.example], secretName: uncovered-tls}
                  rules:
                  - host: shop.monitoring-it.example
                    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                """, "apply", "-n", ns, "-f", "-");
        assertTrue(applied.stdout().contains("ingress.networking.k8s.io/web created"), applied.stdout());
        assertTrue(applied.stderr().contains("denied the request"), applied.stderr());
        Await.until(
                "both webhooks and the finding counted",
                Duration.ofSeconds(30),
                () -> routecert.metrics().contains("webhook=\"/mutate\"")
                        && routecert.metrics().contains("webhook=\"/validate\"")
                        && routecert.metrics().contains("routecert_policy_findings_total{"));
        Files.writeString(Path.of("target/monitoring-it-metrics.txt"), routecert.metrics()); // for the docs' excerpts

        Set<String> exported = exportedNames(routecert.metrics());
        // what kubectl apply -k manifests/monitoring/ applies
        RenderedManifests monitoring = RenderedManifests.render(MONITORING);
        RenderedManifests base = RenderedManifests.render();
        JsonNode service = base.one("Service", "routecert");
        JsonNode monitor = monitoring.one("ServiceMonitor", "routecert");
        assertEquals(service.at("/metadata/labels"), monitor.at("/spec/selector/matchLabels"));
        assertEquals("metrics", monitor.at("/spec/endpoints/0/port").asText());
        assertTrue(service.at("/spec/ports").findValuesAsText("name").contains("metrics"), service.toString());
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : monitoring.one("PrometheusRule", "routecert").at("/spec/groups")) {
            for (JsonNode r : group.path("rules")) {
                assertFalse(r.path("alert").asText().isEmpty(), r.toString());
                expressions.add(r.path("expr").asText());
            }
        }
        JsonNode dashboardMap = monitoring.one("ConfigMap", "routecert-dashboard");
        assertEquals("1", dashboardMap.at("/metadata/labels/grafana_dashboard").asText());
        JsonNode dashboard =
                JSON.readTree(dashboardMap.at("/data/routecert-dashboard.json").asText());
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        assertTrue(expressions.size() >= 20, "expressions found: " + expressions.size());
        Set<String> missing = new TreeSet<>();
        Set<String> used = new TreeSet<>();
        for (String expression : expressions) {
            for (String name : PromQlNames.of(expression)) {
                used.add(name);
                if (!exported.contains(name)) {
                    missing.add(name + " (in " + expression.strip() + ")");
                }
            }
        }
        assertTrue(used.contains("controller_runtime_webhook_latency_seconds_bucket"), used.toString());
        assertTrue(used.contains("leader_election_master_status"), used.toString());
        assertEquals(Set.of(), missing, "used by manifests/monitoring but not exported");
    }

    /** The names of the samples in a Prometheus text exposition. */
    private static Set<String> exportedNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }
}
