package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.certificates.ClusterHealthFacts;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.routes.RouteKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** routecert status: the report from a cluster's facts, its two outputs, and its exit codes. */
class StatusCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");

    private static JsonNode ingress(String name, String secret, String host, String annotations) throws Exception {
        return JSON.readTree("""
                {"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
                 "metadata":{"name":"%s","namespace":"web","annotations":%s},
                 "spec":{"rules":[{"host":"%s"}],"tls":[{"hosts":["%s"],"secretName":"%s"}]}}""".formatted(name, annotations, host, host, secret));
    }

    private static ClusterHealthFacts facts() throws Exception {
        JsonNode notReady = JSON.readTree("""
                {"metadata":{"namespace":"web","name":"shop-tls"},"spec":{"secretName":"shop-tls"},
                 "status":{"conditions":[{"type":"Ready","status":"False","reason":"DoesNotExist",
                  "message":"Issuing certificate as Secret does not exist"}]}}""");
        return new ClusterHealthFacts(
                Map.of(
                        RouteKind.INGRESS,
                        List.of(
                                ingress("shop", "shop-tls", "shop.example.com", "{}"),
                                ingress("blog", "blog-tls", "blog.example.com", "{}"),
                                ingress("fine", "fine-tls", "fine.example.com", "{}"),
                                ingress(
                                        "asks",
                                        "asks-tls",
                                        "asks.example.com",
                                        "{\"cert-manager.io/cluster-issuer\":\"le\"}")),
                        RouteKind.INGRESS_ROUTE,
                        List.of()),
                List.of(notReady),
                Map.of("web/fine-tls", Map.of("cert-manager.io/alt-names", "fine.example.com")));
    }

    @Test
    void listsTheUnhealthyRoutesWithTheWordsOfTheWarnings() throws Exception {
        StatusReport report =
                StatusReport.of(facts(), new RoutePolicy(PolicyConfig.defaults()), NOW, Duration.ofDays(14));
        assertEquals(4, report.checked());
        assertEquals("""
                Ingress web/shop: not-ready
                  [certificate-not-ready] spec.tls[0].secretName: Certificate web/shop-tls is not Ready: DoesNotExist: \
                Issuing certificate as Secret does not exist (kubectl describe certificate -n web shop-tls shows \
                cert-manager's Events)
                Ingress web/blog: no-source
                  [secret-missing] spec.tls[0].secretName: Secret web/blog-tls does not exist and nothing will create \
                it: no Certificate writes it, and the route has no cert-manager.io/cluster-issuer or \
                cert-manager.io/issuer annotation (nor does routecert have a default issuer for it) (add one of those \
                annotations, create a Certificate with secretName blog-tls, or create the Secret; until then the \
                ingress controller serves its default certificate)
                4 routes with TLS secrets checked, 2 unhealthy
                """, report.text());
        JsonNode json = JSON.readTree(report.json());
        assertEquals(2, json.path("unhealthy").asInt());
        assertEquals(
                "secret-missing",
                json.path("routes")
                        .path(1)
                        .path("findings")
                        .path(0)
                        .path("check")
                        .asText());
    }

    @Test
    void aDefaultIssuerMeansRoutecertCreatesTheMissingCertificate() throws Exception {
        StatusReport report = StatusReport.of(
                facts(),
                new RoutePolicy(PolicyConfig.defaults().withDefaultIssuer("le", "ClusterIssuer")),
                NOW,
                Duration.ofDays(14));
        assertEquals(
                List.of("shop"),
                report.unhealthy().stream().map(StatusReport.Entry::name).toList());
    }

    @Test
    void aClusterThatCannotBeReadIsExitCodeTwo(@TempDir Path dir) throws Exception {
        Path kubeconfig = dir.resolve("config");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """);
        CliRun run = CliRun.of("status", "--kubeconfig", kubeconfig.toString());
        assertEquals(StatusCommand.ERROR, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("routecert status: "), run.err());
        assertEquals(StatusCommand.ERROR, CliRun.of("status", "-o", "yaml").exitCode());
    }
}
