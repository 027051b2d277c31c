package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import java.io.IOException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Over real TLS: TLS 1.2 only with ECDHE and an AEAD cipher, TLS 1.3 as the JDK offers it. */
class CipherSuitesTest {

    private static final ServingCertificate CERTIFICATE = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
    private static final SSLContext TRUST = TestPki.trusting(CERTIFICATE.leaf());
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(new FixedCertificateSource(CERTIFICATE), AdmissionPolicy.ALLOW_ALL, TRUST, c -> c);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static SSLSocket handshake(String protocol, String suite) throws IOException {
        SSLSocket socket = (SSLSocket) TRUST.getSocketFactory().createSocket("127.0.0.1", server.server.securePort());
        socket.setSoTimeout(10_000);
        socket.setEnabledProtocols(new String[] {protocol});
        socket.setEnabledCipherSuites(new String[] {suite});
        socket.startHandshake();
        return socket;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"
            })
    void refusesCbcSuitesOnTls12(String suite) {
        assertThrows(IOException.class, () -> handshake("TLSv1.2", suite).close());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "TLSv1.2:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLSv1.2:TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLSv1.3:TLS_AES_128_GCM_SHA256",
                "TLSv1.3:TLS_AES_256_GCM_SHA384",
                "TLSv1.3:TLS_CHACHA20_POLY1305_SHA256"
            })
    void acceptsEcdheAeadOnTls12AndTls13(String protocolAndSuite) throws IOException {
        String[] parts = protocolAndSuite.split(":");
        try (SSLSocket socket = handshake(parts[0], parts[1])) {
            assertEquals(parts[1], socket.getSession().getCipherSuite());
        }
    }
}
