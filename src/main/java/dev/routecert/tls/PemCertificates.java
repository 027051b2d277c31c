package dev.routecert.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Parses PEM the way cert-manager writes it into a Secret: {@code tls.crt} with the leaf first and
 * then its chain, {@code tls.key} as RSA (PKCS#1 or PKCS#8), EC (SEC1 or PKCS#8) or Ed25519
 * (PKCS#8). BouncyCastle reads the PEM structures; the keys and certificates handed to JSSE are
 * built by the JDK's own providers so that TLS sees ordinary JDK key types.
 */
public final class PemCertificates {

    private static final SecureRandom RANDOM = new SecureRandom();

    private PemCertificates() {}

    public static ServingCertificate parse(byte[] certificatePem, byte[] keyPem, String origin)
            throws CertificateLoadException {
        List<X509Certificate> chain = parseChain(certificatePem);
        PrivateKey key = parsePrivateKey(keyPem);
        checkKeyMatches(chain.getFirst(), key);
        return new ServingCertificate(chain, key, origin);
    }

    public static List<X509Certificate> parseChain(byte[] pem) throws CertificateLoadException {
        if (pem.length == 0) {
            throw new CertificateLoadException("certificate file is empty");
        }
        List<X509Certificate> chain = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Object item;
            while ((item = parser.readObject()) != null) {
                if (!(item instanceof X509CertificateHolder holder)) {
                    throw new CertificateLoadException(
                            "certificate file holds a " + describe(item) + " where only CERTIFICATE blocks belong");
                }
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded())));
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new CertificateLoadException("certificate file is not valid PEM: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new CertificateLoadException("certificate file holds no CERTIFICATE block (truncated or not PEM?)");
        }
        return chain;
    }

    public static PrivateKey parsePrivateKey(byte[] pem) throws CertificateLoadException {
        if (pem.length == 0) {
            throw new CertificateLoadException("private key file is empty");
        }
        Object item;
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            item = parser.readObject();
            if (item != null && parser.readObject() != null) {
                throw new CertificateLoadException("private key file holds more than one PEM block");
            }
        } catch (IOException | RuntimeException e) {
            throw new CertificateLoadException("private key file is not valid PEM: " + e.getMessage(), e);
        }
        PrivateKeyInfo info = switch (item) {
            case null ->
                throw new CertificateLoadException("private key file holds no PEM block (truncated or not PEM?)");
            case PEMKeyPair pair -> pair.getPrivateKeyInfo(); // PKCS#1 RSA or SEC1 EC
            case PrivateKeyInfo pkcs8 -> pkcs8; // PKCS#8: RSA, EC, Ed25519
            case PEMEncryptedKeyPair ignored ->
                throw new CertificateLoadException(
                        "private key is encrypted; cert-manager writes unencrypted keys and routecert takes no passphrase");
            case PKCS8EncryptedPrivateKeyInfo ignored ->
                throw new CertificateLoadException(
                        "private key is encrypted; cert-manager writes unencrypted keys and routecert takes no passphrase");
            default ->
                throw new CertificateLoadException(
                        "private key file holds a " + describe(item) + ", not a private key");
        };
        String algorithm = switch (info.getPrivateKeyAlgorithm().getAlgorithm().getId()) {
            case "1.2.840.113549.1.1.1" -> "RSA";
            case "1.2.840.10045.2.1" -> "EC";
            case "1.3.101.112" -> "Ed25519";
            default ->
                throw new CertificateLoadException("unsupported private key algorithm "
                        + info.getPrivateKeyAlgorithm().getAlgorithm().getId() + " (supported: RSA, ECDSA, Ed25519)");
        };
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException | IOException e) {
            throw new CertificateLoadException("cannot read the " + algorithm + " private key: " + e.getMessage(), e);
        }
    }

    /** Proves possession: a signature made with the key must verify with the leaf's public key. */
    static void checkKeyMatches(X509Certificate leaf, PrivateKey key) throws CertificateLoadException {
        PublicKey publicKey = leaf.getPublicKey();
        String signatureAlgorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new CertificateLoadException("unsupported private key algorithm " + key.getAlgorithm());
        };
        if (!publicKey.getAlgorithm().equals(key.getAlgorithm())
                && !(key.getAlgorithm().startsWith("Ed")
                        && publicKey.getAlgorithm().startsWith("Ed"))) {
            throw new CertificateLoadException("private key (" + key.getAlgorithm()
                    + ") does not match the certificate's public key (" + publicKey.getAlgorithm() + ")");
        }
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(signatureAlgorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(signatureAlgorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new CertificateLoadException("private key does not match the certificate (serial "
                        + leaf.getSerialNumber().toString(16) + ")");
            }
        } catch (GeneralSecurityException e) {
            throw new CertificateLoadException("private key does not match the certificate: " + e.getMessage(), e);
        }
    }

    private static String describe(Object item) {
        return item == null ? "nothing" : item.getClass().getSimpleName();
    }
}
