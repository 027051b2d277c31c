package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.Routecert;
import dev.routecert.config.CertificateOptions;
import dev.routecert.config.ServeConfig;
import dev.routecert.policy.PolicyConfig;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A {@link Routecert} started in-process against the test cluster, with a client for its /mutate. */
public final class RoutecertInstance implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    public final Routecert routecert;
    public final String certificatePem;
    private final HttpClient https;

    private RoutecertInstance(Routecert routecert, String certificatePem, HttpClient https) {
        this.routecert = routecert;
        this.certificatePem = certificatePem;
        this.https = https;
    }

    public static RoutecertInstance start(ClusterFixture fixture, CertificateOptions options) {
        return start(fixture, fixture.cluster.kubeconfig(), options);
    }

    /** Starts routecert with the credentials of {@code kubeconfig}. */
    public static RoutecertInstance start(ClusterFixture fixture, Path kubeconfig, CertificateOptions options) {
        try {
            Path dir = Files.createTempDirectory("routecert-it-");
            Path pem = dir.resolve("serving.pem");
            ServeConfig config = new ServeConfig("127.0.0.1", 0, 0, null, null, pem, Duration.ofSeconds(10), 7L * 1024 * 1024,
                    Duration.ofSeconds(10), Duration.ofSeconds(120), Duration.ZERO, Duration.ofSeconds(5),
                    ServeConfig.KubernetesMode.AUTO, kubeconfig, options);
            Routecert routecert = Routecert.start(config, PolicyConfig.defaults());
            String certificatePem = Files.readString(pem);
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("routecert", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
            RoutecertInstance instance = new RoutecertInstance(routecert, certificatePem, https);
            ClusterFixture.await("routecert ready", Duration.ofSeconds(60), () -> routecert.readiness().report(),
                    report -> routecert.readiness().ready());
            return instance;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start routecert", e);
        }
    }

    public String mutateUrl() {
        return "https://127.0.0.1:" + routecert.securePort() + "/mutate";
    }

    public String validateUrl() {
        return "https://127.0.0.1:" + routecert.securePort() + "/validate";
    }

    public String caBundle() {
        return Base64.getEncoder().encodeToString(certificatePem.getBytes(StandardCharsets.US_ASCII));
    }

    /** Posts an AdmissionReview to /mutate as the API server would, and returns the review's response. */
    public JsonNode mutate(JsonNode review) throws Exception {
        HttpResponse<String> response = https.send(HttpRequest.newBuilder(URI.create(mutateUrl()))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(review.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("/mutate answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("response");
    }

    public CertificateManager manager() {
        return routecert.certificateManager().orElseThrow();
    }

    @Override
    public void close() {
        routecert.close();
    }
}
