package dev.routecert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.routecert.admission.ApiServerReviews;
import dev.routecert.routes.RouteKind;
import dev.routecert.tls.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as a user runs it: real process, real signals. */
class ServeProcessIT {

    @TempDir
    Path dir;

    /** {@code routecert serve} with a home of its own, so that no kubeconfig of the machine's is found. */
    private static ServedJar served(Path home, Map<String, String> env, String... args) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("HOME", home.toString());
        all.put("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
        return new ServedJar(all, List.of(args));
    }

    @Test
    void servesOnEmbeddedDefaultsAndStopsCleanlyOnSigterm() throws Exception {
        Path pem = dir.resolve("routecert.pem");
        try (ServedJar served =
                served(dir, Map.of(), "--self-signed-cert-out", pem.toString(), "--kubernetes", "auto")) {
            String fingerprintLine = served.awaitLog("SHA-256 fingerprint", Duration.ofSeconds(5));
            served.awaitLog("kubernetes: no configuration found", Duration.ofSeconds(5));
            X509Certificate written = (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(pem));
            String fingerprint = HexFormat.ofDelimiter(":")
                    .withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(written.getEncoded()));
            assertTrue(fingerprintLine.endsWith(fingerprint), fingerprintLine + " vs " + fingerprint);

            HttpClient client = HttpClient.newBuilder()
                    .sslContext(TestPki.trusting(written))
                    .build();
            String review = ApiServerReviews.of(RouteKind.INGRESS)
                    .uid("from-it")
                    .namespace("shop")
                    .name("web")
                    .object(JsonNodeFactory.instance.objectNode())
                    .json();
            HttpResponse<String> answer = client.send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + served.securePort + "/mutate"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(review))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode());
            assertEquals(
                    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\"from-it\",\"allowed\":true}}",
                    answer.body());
            served.awaitLog(
                    "admission uid=from-it endpoint=mutate kind=networking.k8s.io/v1/Ingress object=shop/web operation=CREATE dryRun=false outcome=allowed",
                    Duration.ofSeconds(5));
            assertEquals(200, served.health("/readyz").statusCode());

            served.process
                    .toHandle()
                    .destroy(); // SIGTERM, leaving the output streams open (Process.destroy closes them)
            assertTrue(served.process.waitFor(30, TimeUnit.SECONDS), "did not stop on SIGTERM");
            assertEquals(143, served.process.exitValue(), "exit status of a process ended by SIGTERM");
            served.awaitLog("shutting down: readiness is false", Duration.ofSeconds(1));
            served.awaitLog("stopped", Duration.ofSeconds(1));
        }
    }

    @Test
    void staysUnreadyWhileTheApiServerDoesNotAnswer() throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: nowhere
                  cluster: {server: "https://127.0.0.1:1"}
                users:
                - name: someone
                  user: {token: not-a-real-token}
                contexts:
                - name: nowhere
                  context: {cluster: nowhere, user: someone}
                current-context: nowhere
                """);
        // outside a pod a cluster connection needs the Lease namespace named (no POD_NAMESPACE to default to)
        try (ServedJar served = served(
                dir, Map.of("KUBECONFIG", kubeconfig.toString(), "ROUTECERT_LEADER_ELECTION_NAMESPACE", "routecert"))) {
            served.awaitLog("kubernetes: using kubeconfig " + kubeconfig + " (KUBECONFIG)", Duration.ofSeconds(5));
            HttpResponse<String> readyz = served.health("/readyz");
            assertEquals(503, readyz.statusCode(), readyz.body());
            assertTrue(readyz.body().contains("[+]serving-certificate ok"), readyz.body());
            assertTrue(
                    readyz.body().contains("[-]kubernetes failed: API server at https://127.0.0.1:1/ "), readyz.body());
            assertEquals(200, served.health("/livez").statusCode());
            assertTrue(
                    served.log.stream().noneMatch(line -> line.contains("not-a-real-token")),
                    "a token reached the log");
        }
    }

    @Test
    void aBadValueStopsStartUpWithAMessageNamingIt() throws Exception {
        Process process = new ProcessBuilder(
                        ServedJar.java(), "-jar", ServedJar.jar().toString(), "serve", "--secure-port", "-5")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.contains("--secure-port must be a TCP port (0-65535, 0 picks a free one), got -5"), output);
    }
}
