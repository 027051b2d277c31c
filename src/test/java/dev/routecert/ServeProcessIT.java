package dev.routecert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.routecert.admission.AdmissionReviewBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as a user runs it: real process, real signals. */
class ServeProcessIT {

    private static final Pattern LISTENING =
            Pattern.compile("admission https://127.0.0.1:(\\d+)/mutate .* http://127.0.0.1:(\\d+)/livez");

    @TempDir
    Path dir;

    /** A running {@code routecert serve} and everything it has logged so far. */
    private static final class Served implements AutoCloseable {
        final Process process;
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        int securePort;
        int healthPort;

        Served(Path home, Map<String, String> env, String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "-jar",
                    Path.of("target/routecert.jar").toAbsolutePath().toString(),
                    "serve",
                    "--bind-address",
                    "127.0.0.1",
                    "--secure-port",
                    "0",
                    "--health-port",
                    "0"));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment()
                    .keySet()
                    .removeIf(k -> k.startsWith("ROUTECERT_") || k.equals("KUBECONFIG") || k.startsWith("KUBERNETES_"));
            builder.environment().putAll(env);
            builder.environment().put("HOME", home.toString());
            builder.environment().put("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
            process = builder.start();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        log.add(line);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            reader.setDaemon(true);
            reader.start();
            String listening = awaitLog("listening:", Duration.ofSeconds(60));
            Matcher matcher = LISTENING.matcher(listening);
            assertTrue(matcher.find(), listening);
            securePort = Integer.parseInt(matcher.group(1));
            healthPort = Integer.parseInt(matcher.group(2));
        }

        String awaitLog(String fragment, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                synchronized (log) {
                    for (String line : log) {
                        if (line.contains(fragment)) {
                            return line;
                        }
                    }
                }
                Thread.sleep(50);
            }
            throw new AssertionError(
                    "no log line containing '" + fragment + "'; log so far:\n" + String.join("\n", log));
        }

        HttpResponse<String> health(String path) throws Exception {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() throws Exception {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void servesOnEmbeddedDefaultsAndStopsCleanlyOnSigterm() throws Exception {
        Path pem = dir.resolve("routecert.pem");
        try (Served served =
                new Served(dir, Map.of(), "--self-signed-cert-out", pem.toString(), "--kubernetes", "auto")) {
            String fingerprintLine = served.awaitLog("SHA-256 fingerprint", Duration.ofSeconds(5));
            served.awaitLog("kubernetes: no configuration found", Duration.ofSeconds(5));
            X509Certificate written = (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(pem));
            String fingerprint = HexFormat.ofDelimiter(":")
                    .withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(written.getEncoded()));
            assertTrue(fingerprintLine.endsWith(fingerprint), fingerprintLine + " vs " + fingerprint);

            HttpClient client = HttpClient.newBuilder()
                    .sslContext(dev.routecert.tls.TestPki.trusting(written))
                    .build();
            String review = AdmissionReviewBuilder.of("networking.k8s.io", "v1", "Ingress", "ingresses")
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
        try (Served served = new Served(dir, Map.of("KUBECONFIG", kubeconfig.toString()))) {
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
                        ProcessHandle.current().info().command().orElse("java"),
                        "-jar",
                        Path.of("target/routecert.jar").toAbsolutePath().toString(),
                        "serve",
                        "--secure-port",
                        "-5")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.contains("--secure-port must be a TCP port (0-65535, 0 picks a free one), got -5"), output);
    }
}
