package dev.routecert.http;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.config.ServeConfig;
import dev.routecert.health.Readiness;
import dev.routecert.tls.CertificateSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/** routecert's server started in-process on 127.0.0.1 with free ports, and a client that trusts it. */
public final class TestServer implements AutoCloseable {

    final RoutecertServer server;
    final Readiness readiness = new Readiness();
    final ServerMetrics metrics = new ServerMetrics();
    final HttpClient client;
    final HttpClient healthClient = HttpClient.newHttpClient();

    TestServer(
            CertificateSource certificates,
            AdmissionPolicy policy,
            SSLContext trust,
            UnaryOperator<ServeConfig> tweak) {
        this(certificates, policy, policy, trust, tweak);
    }

    TestServer(
            CertificateSource certificates,
            AdmissionPolicy mutating,
            AdmissionPolicy validating,
            SSLContext trust,
            UnaryOperator<ServeConfig> tweak) {
        ServeConfig config = tweak.apply(defaults());
        server = new RoutecertServer(config, certificates, mutating, validating, readiness, metrics).start();
        client = HttpClient.newBuilder()
                .sslContext(trust)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Loopback, free ports, a self-signed certificate, no cluster, short timeouts: what the tests start from. */
    public static ServeConfig defaults() {
        return ServeConfig.builder()
                .bindAddress("127.0.0.1")
                .ports(0, 0)
                .certReloadInterval(Duration.ofMillis(100))
                .maxRequestBytes(7L * 1024 * 1024)
                .requestReadTimeout(Duration.ofSeconds(2))
                .idleTimeout(Duration.ofSeconds(120))
                .shutdown(Duration.ZERO, Duration.ofSeconds(10))
                .kubernetes(ServeConfig.KubernetesMode.OFF)
                .build();
    }

    URI admissionUri(String path) {
        return URI.create("https://localhost:" + server.securePort() + path);
    }

    HttpResponse<String> post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(admissionUri(path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> health(String path) throws IOException, InterruptedException {
        return healthClient.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.healthPort() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.close();
    }
}
