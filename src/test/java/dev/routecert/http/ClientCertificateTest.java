package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.health.Readiness;
import dev.routecert.tls.CertificateLoadException;
import dev.routecert.tls.ClientCaSource;
import dev.routecert.tls.FileCertificateSource;
import dev.routecert.tls.SecretVolume;
import dev.routecert.tls.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --client-ca-file} over real TLS: the admission port takes only callers whose certificate chains to the bundle. */
class ClientCertificateTest {

    private static final TestPki SERVING = new TestPki();
    private static final TestPki API_SERVER = new TestPki();
    private static final TestPki STRANGER = new TestPki();

    @TempDir
    Path dir;

    private Path caFile;
    private ClientCaSource cas;
    private RoutecertServer server;

    @BeforeEach
    void start() throws Exception {
        SecretVolume volume = new SecretVolume(dir.resolve("tls"));
        volume.write(SERVING.issue(TestPki.KeyFormat.EC_PKCS8));
        caFile = dir.resolve("client-ca.crt");
        Files.writeString(caFile, API_SERVER.caPem());
        // polled by the test, not the timer
        cas = new ClientCaSource(caFile, Duration.ofHours(1));
        server = new RoutecertServer(
                        TestServer.defaults(),
                        new FileCertificateSource(
                                volume.certificateFile(),
                                volume.keyFile(),
                                Duration.ofHours(1),
                                FileCertificateSource.Events.NONE),
                        cas,
                        AdmissionPolicy.ALLOW_ALL,
                        AdmissionPolicy.ALLOW_ALL,
                        new Readiness(),
                        new ServerMetrics())
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
        cas.close();
    }

    private RawHttps.Exchange post(SSLContext client) throws IOException {
        return RawHttps.post(client, server.securePort(), "/validate", RawHttps.review("uid-client-ca"));
    }

    @Test
    void aCallerWithoutAClientCertificateIsRefused() {
        assertThrows(IOException.class, () -> post(SERVING.clientContext("TLS")));
    }

    @Test
    void aCallerWithACertificateFromTheBundleIsServed() throws Exception {
        assertEquals(200, post(API_SERVER.clientCertificateContext(SERVING)).status());
    }

    @Test
    void aCallerWithACertificateFromAnotherCaIsRefused() {
        assertThrows(IOException.class, () -> post(STRANGER.clientCertificateContext(SERVING)));
    }

    @Test
    void aSwappedBundleIsTrustedFromTheNextHandshake() throws Exception {
        Files.writeString(caFile, STRANGER.caPem());
        cas.poll();
        assertEquals(200, post(STRANGER.clientCertificateContext(SERVING)).status());
        assertThrows(IOException.class, () -> post(API_SERVER.clientCertificateContext(SERVING)));
    }

    @Test
    void aBundleThatDoesNotParseKeepsThePreviousOne() throws Exception {
        Files.writeString(caFile, "-----BEGIN CERTIFICATE-----\ntruncated");
        cas.poll();
        assertEquals(200, post(API_SERVER.clientCertificateContext(SERVING)).status());
    }

    @Test
    void theHealthPortAsksForNoCertificate() throws Exception {
        HttpResponse<String> livez = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.healthPort() + "/livez"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, livez.statusCode());
    }

    @Test
    void anUnreadableBundleStopsStartUp() {
        assertThrows(
                CertificateLoadException.class,
                () -> new ClientCaSource(dir.resolve("missing.crt"), Duration.ofHours(1)));
    }
}
