package dev.routecert.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** A test CA that issues serving certificates for 127.0.0.1/localhost in every key format routecert reads. */
public final class TestPki {

    /** Key algorithm and the PEM layout its key file uses. */
    public enum KeyFormat {
        RSA_PKCS1("RSA", "-----BEGIN RSA PRIVATE KEY-----"),
        RSA_PKCS8("RSA", "-----BEGIN PRIVATE KEY-----"),
        EC_SEC1("EC", "-----BEGIN EC PRIVATE KEY-----"),
        EC_PKCS8("EC", "-----BEGIN PRIVATE KEY-----"),
        ED25519_PKCS8("Ed25519", "-----BEGIN PRIVATE KEY-----");

        final String algorithm;
        public final String pemHeader;

        KeyFormat(String algorithm, String pemHeader) {
            this.algorithm = algorithm;
            this.pemHeader = pemHeader;
        }
    }

    /** A PEM pair as cert-manager writes it: leaf then CA in tls.crt, the key in tls.key. */
    public record Issued(String certificatePem, String keyPem, BigInteger serial) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private final KeyPair caKeys;
    private final X509Certificate caCertificate;

    public TestPki() {
        try {
            caKeys = generate("EC");
            X500Name name = new X500Name("CN=routecert test CA " + SERIALS.incrementAndGet());
            JcaX509v3CertificateBuilder builder = builder(name, name, caKeys, Duration.ofDays(2));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            caCertificate = sign(builder, caKeys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    public String caPem() {
        return pem(caCertificate);
    }

    public Issued issue(KeyFormat format) {
        return issue(format, Duration.ofHours(1));
    }

    public Issued issue(KeyFormat format, Duration validity) {
        return issue(format, Instant.now().minusSeconds(60), Instant.now().plus(validity), "localhost");
    }

    /** A leaf valid from {@code notBefore} to {@code notAfter} for these DNS names and 127.0.0.1. */
    public Issued issue(KeyFormat format, Instant notBefore, Instant notAfter, String... dnsNames) {
        try {
            KeyPair keys = generate(format.algorithm);
            BigInteger serial = BigInteger.valueOf(SERIALS.incrementAndGet());
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    new X500Name(caCertificate.getSubjectX500Principal().getName()),
                    serial,
                    Date.from(notBefore),
                    Date.from(notAfter),
                    new X500Name("CN=routecert test " + format),
                    keys.getPublic());
            GeneralName[] names = new GeneralName[dnsNames.length + 1];
            for (int i = 0; i < dnsNames.length; i++) {
                names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            names[dnsNames.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate leaf = sign(builder, caKeys.getPrivate());
            String keyPem = switch (format) {
                case RSA_PKCS1 -> pem(keys.getPrivate()); // BouncyCastle writes the traditional OpenSSL form
                case EC_SEC1 -> sec1(keys.getPrivate());
                case RSA_PKCS8, EC_PKCS8, ED25519_PKCS8 -> pem(new JcaPKCS8Generator(keys.getPrivate(), null));
            };
            if (!keyPem.startsWith(format.pemHeader)) {
                throw new IllegalStateException(format + " key came out as "
                        + keyPem.lines().findFirst().orElse(""));
            }
            return new Issued(pem(leaf) + pem(caCertificate), keyPem, serial);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts only this CA. */
    public SSLContext clientContext(String protocol) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", caCertificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance(protocol);
            context.init(null, factory.getTrustManagers(), RANDOM);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A client context that presents a client certificate this CA signed (as an API server with an
     * AdmissionConfiguration kubeConfigFile does) and trusts {@code server}'s CA.
     */
    public SSLContext clientCertificateContext(TestPki server) {
        try {
            KeyPair keys = generate("EC");
            JcaX509v3CertificateBuilder builder = builder(
                    new X500Name(caCertificate.getSubjectX500Principal().getName()),
                    new X500Name("CN=kube-apiserver-admission"),
                    keys,
                    Duration.ofHours(1));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            X509Certificate leaf = sign(builder, caKeys.getPrivate());
            KeyStore identity = KeyStore.getInstance("PKCS12");
            identity.load(null, null);
            char[] password = "client".toCharArray();
            identity.setKeyEntry("client", keys.getPrivate(), password, new X509Certificate[] {leaf, caCertificate});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(identity, password);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", server.caCertificate);
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), RANDOM);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context trusting exactly one certificate (e.g. the self-signed default). */
    public static SSLContext trusting(X509Certificate certificate) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("trusted", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), RANDOM);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String loopback() {
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    private static KeyPair generate(String algorithm) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        switch (algorithm) {
            case "RSA" -> generator.initialize(2048, RANDOM);
            case "EC" -> generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            default -> {}
        }
        return generator.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(
            X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
        return new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plus(validity)),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    /** SEC1 as Go's x509.MarshalECPrivateKey and OpenSSL write it: with the named curve inside. */
    private static String sec1(PrivateKey key) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner =
                org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        var withCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(
                256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
        return pem(new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
