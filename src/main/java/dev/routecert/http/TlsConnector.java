package dev.routecert.http;

import dev.routecert.tls.ServingCertificate;
import java.security.KeyStore;
import java.time.Duration;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The HTTPS connector and its TLS context. {@link #install} swaps the certificate through Jetty's
 * {@code reload}: new handshakes get the new pair (and a fresh session cache, so nothing resumes
 * into the old one) while connections already open carry on undisturbed.
 */
final class TlsConnector {

    private static final String KEYSTORE_PASSWORD = "routecert-in-memory";

    /**
     * Mozilla's "intermediate" profile without its DHE suites: TLS 1.3's three suites unchanged, and
     * TLS 1.2 only with ECDHE key exchange and an AEAD cipher, never CBC.
     */
    static final String[] CIPHER_SUITES = {
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
    };

    private final SslContextFactory.Server sslContextFactory = new SslContextFactory.Server();

    TlsConnector(ServingCertificate initial) {
        sslContextFactory.setKeyStore(initial.toKeyStore());
        sslContextFactory.setKeyStorePassword(KEYSTORE_PASSWORD);
        sslContextFactory.setKeyManagerPassword(KEYSTORE_PASSWORD);
        sslContextFactory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        sslContextFactory.setIncludeCipherSuites(CIPHER_SUITES);
        sslContextFactory.setRenegotiationAllowed(false);
        sslContextFactory.setSniRequired(false);
    }

    ServerConnector create(Server server, HttpConfiguration base, String host, int port, Duration idleTimeout) {
        HttpConfiguration https = new HttpConfiguration(base);
        https.setSendServerVersion(false);
        // The client validates our certificate; Jetty's extra SNI-versus-certificate check would only
        // turn a name mismatch the client accepted into a 400.
        https.addCustomizer(new SecureRequestCustomizer(false));
        ServerConnector connector = new ServerConnector(
                server,
                new SslConnectionFactory(sslContextFactory, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(idleTimeout.toMillis());
        return connector;
    }

    /**
     * Every handshake must present a client certificate that chains to one of {@code cas}; a client
     * without one, or with one from another CA, fails the handshake before any request is read.
     */
    void requireClientCertificates(KeyStore cas) {
        sslContextFactory.setTrustStore(cas);
        sslContextFactory.setNeedClientAuth(true);
    }

    /** Swaps the client CAs for new handshakes; connections already open carry on. */
    void installClientCas(KeyStore cas) throws Exception {
        sslContextFactory.reload(factory -> factory.setTrustStore(cas));
    }

    void install(ServingCertificate certificate) throws Exception {
        sslContextFactory.reload(factory -> factory.setKeyStore(certificate.toKeyStore()));
    }
}
