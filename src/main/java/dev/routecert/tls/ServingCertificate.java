package dev.routecert.tls;

import java.math.BigInteger;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/** A validated certificate chain and its private key, ready to serve TLS with. */
public record ServingCertificate(List<X509Certificate> chain, PrivateKey privateKey, String origin) {

    static final char[] KEYSTORE_PASSWORD = "routecert-in-memory".toCharArray();
    private static final String ALIAS = "serving";

    public ServingCertificate {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("certificate chain is empty");
        }
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    public BigInteger serial() {
        return leaf().getSerialNumber();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** SHA-256 of the leaf's DER encoding, as {@code openssl x509 -fingerprint -sha256} prints it. */
    public String sha256Fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(leaf().getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An in-memory PKCS#12 store holding this pair, for Jetty's SslContextFactory. */
    public KeyStore toKeyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, privateKey, KEYSTORE_PASSWORD, chain.toArray(new X509Certificate[0]));
            return store;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build an in-memory key store: " + e.getMessage(), e);
        }
    }

    /** One line for logs: never includes key material. */
    public String describe() {
        return "subject=\"%s\" serial=%s notAfter=%s keyAlgorithm=%s sha256=%s from %s"
                .formatted(
                        leaf().getSubjectX500Principal().getName(),
                        serial().toString(16),
                        notAfter(),
                        privateKey.getAlgorithm(),
                        sha256Fingerprint(),
                        origin);
    }
}
