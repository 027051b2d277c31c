package dev.routecert.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.cli.Main;
import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.Commands.CommandResult;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.time.Await;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Certificate health through the real API server and kubectl: the test writes the Certificates'
 * status (the status subresource, as cert-manager does) and the Secrets' annotations, and sees each
 * warning kubectl apply prints, the Events kubectl describe shows, and routecert status's list.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CertificateHealthIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults()
            // one replica that reconciles at once: the Events come from the leader's work
            .withLeaderElection(false, "routecert", "routecert", Duration.ofSeconds(15)));

    static WebhookUnderTest webhook;
    static ClusterFixture fixture;
    static String namespace;

    @BeforeAll
    static void start() {
        webhook = KUBE.routecert();
        fixture = KUBE.fixture();
        namespace = webhook.namespace("health");
        fixture.create("""
                apiVersion: cert-manager.io/v1
                kind: Issuer
                metadata: {name: health-ca, namespace: %s}
                spec: {ca: {secretName: health-ca}}
                """.formatted(namespace));
    }

    private static String ingress(String name, String host, String secret, String annotations) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  annotations: %s
                spec:
                  tls: [{hosts: [%s], secretName: %s}]
                  rules:
                    - host: %s
                      http:
                        paths:
                          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                """.formatted(name, annotations, host, secret, host);
    }

    private static CommandResult apply(String manifest) throws Exception {
        CommandResult result = webhook.kubectl(manifest, "apply", "-n", namespace, "-f", "-");
        assertEquals(0, result.exitCode(), result.output());
        System.out.println("kubectl apply:\n" + result.stdout() + result.stderr());
        return result;
    }

    private static void certificate(String name, String secret, String host) {
        fixture.create("""
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata: {name: %s, namespace: %s}
                spec:
                  secretName: %s
                  dnsNames: [%s]
                  issuerRef: {name: health-ca, kind: Issuer}
                """.formatted(name, namespace, secret, host));
    }

    /**
     * Writes status as cert-manager would (again on a conflict with routecert's reconciler, which
     * may adopt the Certificate meanwhile), and waits until routecert's cache holds that version.
     */
    private static void status(String name, String statusJson) throws Exception {
        Object status = JSON.readValue(statusJson, Map.class);
        String[] version = {""};
        Await.until("status of Certificate " + name + " written", Duration.ofSeconds(20), () -> {
            GenericKubernetesResource current =
                    fixture.certificate(namespace, name).get();
            current.setAdditionalProperty("status", status);
            try {
                version[0] = fixture.client
                        .genericKubernetesResources(ClusterFixture.CERTIFICATES)
                        .inNamespace(namespace)
                        .resource(current)
                        .updateStatus()
                        .getMetadata()
                        .getResourceVersion();
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    return false;
                }
                throw e;
            }
        });
        Await.until(
                // at that version or a later one (the reconciler may write after it; etcd's versions grow)
                "routecert's cache holds Certificate " + name + " at " + version[0] + " or later",
                Duration.ofSeconds(20),
                () -> webhook.routecert()
                        .certificates()
                        .orElseThrow()
                        .admissionStore()
                        .cachedCertificate(namespace, name)
                        .filter(c -> Long.parseLong(c.resourceVersion()) >= Long.parseLong(version[0]))
                        .isPresent());
    }

    private static void secret(String name, String altNames) {
        fixture.create("""
                apiVersion: v1
                kind: Secret
                type: Opaque
                metadata:
                  name: %s
                  namespace: %s
                  annotations: {cert-manager.io/alt-names: "%s", cert-manager.io/common-name: "%s"}
                """.formatted(name, namespace, altNames, altNames.split(",")[0]));
    }

    @Test
    @Order(1)
    void aCertificateThatIsNotReady() throws Exception {
        certificate("alpha", "alpha-tls", "alpha.health-it.example");
        status("alpha", """
                {"conditions":[{"type":"Ready","status":"False","reason":"DoesNotExist",
                  "message":"Issuing certificate as Secret does not exist","lastTransitionTime":"2026-01-01T00:00:00Z"}]}""");
        CommandResult result = apply(ingress("alpha", "alpha.health-it.example", "alpha-tls", "{}"));
        assertTrue(
                result.stderr()
                        .contains("Warning: [certificate-not-ready] spec.tls[0].secretName: Certificate " + namespace
                                + "/alpha is not Ready: DoesNotExist: Issuing certificate as Secret does not exist"),
                result.output());
    }

    @Test
    @Order(2)
    void aRenewalThatFailsAndACertificateThatExpiresSoon() throws Exception {
        certificate("bravo", "bravo-tls", "bravo.health-it.example");
        secret("bravo-tls", "bravo.health-it.example");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        status("bravo", """
                {"conditions":[{"type":"Ready","status":"True","reason":"Ready",
                  "message":"Certificate is up to date and has not expired","lastTransitionTime":"2026-01-01T00:00:00Z"},
                 {"type":"Issuing","status":"False","reason":"Failed","lastTransitionTime":"2026-01-01T00:00:00Z",
                  "message":"The certificate request has failed to complete and will be retried: 429 rateLimited"}],
                 "notAfter":"%s","failedIssuanceAttempts":2,"lastFailureTime":"%s"}""".formatted(now.plus(Duration.ofDays(5)), now.minus(Duration.ofHours(1))));
        CommandResult result = apply(ingress("bravo", "bravo.health-it.example", "bravo-tls", "{}"));
        assertTrue(
                result.stderr()
                        .contains("Warning: [certificate-renewal-failing] spec.tls[0].secretName: cert-manager failed"
                                + " to issue Certificate " + namespace + "/bravo (2 failed attempts"),
                result.output());
        assertTrue(
                result.stderr()
                        .contains("Warning: [certificate-expiring] spec.tls[0].secretName: the certificate of"
                                + " Certificate " + namespace + "/bravo in Secret bravo-tls expires at "),
                result.output());
        assertFalse(result.stderr().contains("[secret-not-covering]"), result.output());
    }

    @Test
    @Order(3)
    void aSecretIssuedForOtherNamesAndOneThatNothingCreates() throws Exception {
        secret("charlie-tls", "old.health-it.example");
        CommandResult stale = apply(ingress("charlie", "charlie.health-it.example", "charlie-tls", "{}"));
        assertTrue(
                stale.stderr()
                        .contains("Warning: [secret-not-covering] spec.tls[0].secretName: the certificate in Secret "
                                + namespace + "/charlie-tls is for old.health-it.example (its"
                                + " cert-manager.io/alt-names and ip-sans), which does not cover"
                                + " charlie.health-it.example"),
                stale.output());
        CommandResult missing = webhook.kubectl(
                ingress("delta", "delta.health-it.example", "delta-tls", "{}"),
                "apply",
                "-n",
                namespace,
                "--dry-run=server",
                "-f",
                "-");
        assertEquals(0, missing.exitCode(), missing.output());
        System.out.println("kubectl apply --dry-run=server:\n" + missing.stdout() + missing.stderr());
        assertTrue(
                missing.stderr()
                        .contains("Warning: [secret-missing] spec.tls[0].secretName: Secret " + namespace
                                + "/delta-tls does not exist and nothing will create it"),
                missing.output());
        apply(ingress("delta", "delta.health-it.example", "delta-tls", "{}"));
    }

    @Test
    @Order(4)
    void eventsOnTheRouteWhenItsCertificatesHealthChanges() throws Exception {
        CommandResult created =
                apply(ingress("echo", "echo.health-it.example", "echo-tls", "{cert-manager.io/issuer: health-ca}"));
        assertFalse(created.stderr().contains("[certificate-"), "just requested: " + created.output());
        Await.until(
                "routecert created Certificate echo-tls",
                Duration.ofSeconds(20),
                () -> fixture.certificate(namespace, "echo-tls").get() != null);
        status("echo-tls", """
                {"conditions":[{"type":"Ready","status":"False","reason":"Failed","lastTransitionTime":"2026-01-01T00:00:00Z",
                  "message":"The certificate request has failed to complete and will be retried: CA secret not found"}]}""");
        status("echo-tls", """
                {"conditions":[{"type":"Ready","status":"True","reason":"Ready","lastTransitionTime":"2026-01-01T00:00:00Z",
                  "message":"Certificate is up to date and has not expired"}],"notAfter":"%s"}""".formatted(Instant.now().plus(Duration.ofDays(60)).truncatedTo(ChronoUnit.SECONDS)));
        String[] describe = {""};
        Await.until(
                "kubectl describe shows both Events",
                Duration.ofSeconds(30),
                () -> {
                    try {
                        describe[0] = webhook.kubectl(null, "describe", "ingress", "echo", "-n", namespace)
                                .stdout();
                    } catch (Exception e) {
                        return false;
                    }
                    return hasEvent(describe[0], "Warning", "NotReady") && hasEvent(describe[0], "Normal", "Ready");
                },
                () -> describe[0]);
        System.out.println("kubectl describe ingress echo:\n" + describe[0]);
        assertTrue(hasEvent(describe[0], "Warning", "NotReady"), describe[0]);
        String[] metrics = {""};
        Await.until(
                "the gauge counts the route as healthy",
                Duration.ofSeconds(10),
                () -> (metrics[0] = webhook.metrics()).contains("routecert_route_certificates{health=\"healthy\"} 1.0"),
                () -> metrics[0]);
        System.out.println("metrics:\n"
                + metrics[0]
                        .lines()
                        .filter(l -> l.contains("routecert_route_certificates"))
                        .reduce("", (a, b) -> a + b + "\n"));
        assertTrue(describe[0].contains("is not Ready: Failed: The certificate request has failed"), describe[0]);
    }

    /** A line of kubectl describe's Events table with this type and reason (columns are padded to fit). */
    private static boolean hasEvent(String describe, String type, String reason) {
        return describe.lines().map(String::strip).anyMatch(line -> line.matches(type + "\\s+" + reason + "\\s.*"));
    }

    @Test
    @Order(5)
    void routecertStatusListsTheUnhealthyRoutes() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exit = commandLine.execute(
                "status", "--kubeconfig", fixture.cluster.kubeconfig().toString(), "-n", namespace);
        System.out.println("routecert status -n " + namespace + ":\n" + out + err);
        assertEquals(1, exit, out + "\n" + err);
        String text = out.toString();
        assertTrue(text.contains("Ingress " + namespace + "/alpha: not-ready"), text);
        assertTrue(text.contains("Ingress " + namespace + "/bravo: renewal-failing"), text);
        assertTrue(text.contains("Ingress " + namespace + "/charlie: not-covering"), text);
        assertTrue(text.contains("Ingress " + namespace + "/delta: no-source"), text);
        assertFalse(text.contains("/echo:"), text);
        assertTrue(text.contains("5 routes with TLS secrets checked, 4 unhealthy"), text);
    }
}
