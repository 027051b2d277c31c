package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.tls.FileCertificateSource;
import dev.routecert.tls.SecretVolume;
import dev.routecert.tls.TestPki;
import dev.routecert.tls.TestPki.Issued;
import dev.routecert.tls.TestPki.KeyFormat;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Real TLS handshakes against the server, with certificates made at test time. */
class TlsServingTest {

    private static final TestPki PKI = new TestPki();

    @TempDir
    Path dir;

    private TestServer serve(Issued issued) throws IOException {
        SecretVolume volume = new SecretVolume(dir.resolve("tls"));
        volume.write(issued);
        FileCertificateSource source = new FileCertificateSource(
                volume.certificateFile(), volume.keyFile(), Duration.ofSeconds(10), FileCertificateSource.Events.NONE);
        return new TestServer(source, AdmissionPolicy.ALLOW_ALL, PKI.clientContext("TLS"), config -> config);
    }

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void servesReviewsWithEveryKeyFormat(KeyFormat format) throws Exception {
        Issued issued = PKI.issue(format);
        try (TestServer server = serve(issued)) {
            RawHttps.Exchange exchange = RawHttps.post(
                    PKI.clientContext("TLS"), server.server.securePort(), "/mutate", RawHttps.review("uid-" + format));
            assertEquals(issued.serial(), exchange.serial());
            assertEquals(200, exchange.status(), exchange.body());
            assertTrue(exchange.body().contains("\"uid\":\"uid-" + format + "\""), exchange.body());
            assertTrue(server.readiness.ready(), server.readiness.report());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void acceptsTls12And13(String protocol) throws Exception {
        try (TestServer server = serve(PKI.issue(KeyFormat.EC_PKCS8));
                SSLSocket socket = RawHttps.connect(PKI.clientContext("TLS"), server.server.securePort(), protocol)) {
            assertEquals(protocol, socket.getSession().getProtocol());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1", "TLSv1.1"})
    void refusesOlderProtocols(String protocol) throws Exception {
        SSLContext legacy = PKI.clientContext(protocol);
        assertClientCanSpeak(legacy, protocol);
        try (TestServer server = serve(PKI.issue(KeyFormat.RSA_PKCS8));
                SSLSocket socket =
                        (SSLSocket) legacy.getSocketFactory().createSocket("127.0.0.1", server.server.securePort())) {
            socket.setEnabledProtocols(new String[] {protocol});
            socket.setSoTimeout(5_000);
            // Refused twice over: the protocol list is 1.2/1.3 only, and Jetty excludes the SHA-1 suites older
            // protocols need.
            assertThrows(SSLException.class, socket::startHandshake, protocol + " must be refused by routecert");
        }
    }

    /** The control: the same client completes a {@code protocol} handshake with a plain JDK server that allows it. */
    private static void assertClientCanSpeak(SSLContext client, String protocol) throws Exception {
        TestPki.Issued issued = PKI.issue(KeyFormat.RSA_PKCS8);
        var certificate = dev.routecert.tls.PemCertificates.parse(
                issued.certificatePem().getBytes(StandardCharsets.US_ASCII),
                issued.keyPem().getBytes(StandardCharsets.US_ASCII),
                "control");
        var keyManagers = KeyManagerFactory.getInstance("PKIX");
        keyManagers.init(certificate.toKeyStore(), dev.routecert.tls.ServingCertificateAccess.password());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers.getKeyManagers(), null, null);
        try (var listener = (SSLServerSocket)
                serverContext.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setEnabledProtocols(new String[] {protocol});
            var accepted = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket peer = (SSLSocket) listener.accept()) {
                    peer.startHandshake();
                    return peer.getSession().getProtocol();
                } catch (IOException e) {
                    return e.toString();
                }
            });
            try (SSLSocket socket =
                    (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", listener.getLocalPort())) {
                socket.setEnabledProtocols(new String[] {protocol});
                socket.startHandshake();
                assertEquals(protocol, socket.getSession().getProtocol(), "control handshake");
            }
            assertEquals(protocol, accepted.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void refusesClientInitiatedRenegotiation() throws Exception {
        try (TestServer server = serve(PKI.issue(KeyFormat.EC_SEC1));
                SSLSocket socket = RawHttps.connect(PKI.clientContext("TLS"), server.server.securePort(), "TLSv1.2")) {
            socket.startHandshake(); // asks for a renegotiation on the established TLS 1.2 connection
            OutputStream out = socket.getOutputStream();
            byte[] body = RawHttps.review("after-renegotiation");
            IOException failed = assertThrows(
                    IOException.class,
                    () -> {
                        out.write(
                                ("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                                                + body.length + "\r\n\r\n")
                                        .getBytes(StandardCharsets.US_ASCII));
                        out.write(body);
                        out.flush();
                        String answer = RawHttps.readAll(socket.getInputStream());
                        if (answer.isEmpty()) {
                            throw new EOFException("connection closed without an answer");
                        }
                    },
                    "the server must drop a connection that tries to renegotiate");
            assertTrue(failed.getMessage() != null, failed.toString());
        }
    }
}
