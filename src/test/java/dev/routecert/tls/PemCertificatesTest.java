package dev.routecert.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.tls.TestPki.Issued;
import dev.routecert.tls.TestPki.KeyFormat;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PemCertificatesTest {

    private static final TestPki PKI = new TestPki();

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void readsEveryKeyFormatCertManagerWrites(KeyFormat format) throws Exception {
        Issued issued = PKI.issue(format);
        ServingCertificate certificate = PemCertificates.parse(
                issued.certificatePem().getBytes(US_ASCII), issued.keyPem().getBytes(US_ASCII), "test");
        assertEquals(issued.serial(), certificate.serial());
        assertEquals(2, certificate.chain().size(), "leaf and CA");
        assertEquals(PKI.caCertificate(), certificate.chain().get(1));
        assertEquals(95, certificate.sha256Fingerprint().length());
        assertTrue(certificate.toKeyStore().isKeyEntry("serving"));
    }

    @Test
    void rejectsAKeyThatBelongsToAnotherCertificate() {
        Issued one = PKI.issue(KeyFormat.EC_PKCS8);
        Issued other = PKI.issue(KeyFormat.EC_SEC1);
        CertificateLoadException e = assertThrows(
                CertificateLoadException.class,
                () -> PemCertificates.parse(
                        one.certificatePem().getBytes(US_ASCII), other.keyPem().getBytes(US_ASCII), "test"));
        assertTrue(e.getMessage().contains("does not match the certificate"), e.getMessage());
    }

    @Test
    void rejectsAKeyOfAnotherAlgorithm() {
        Issued ec = PKI.issue(KeyFormat.EC_PKCS8);
        Issued rsa = PKI.issue(KeyFormat.RSA_PKCS8);
        CertificateLoadException e = assertThrows(
                CertificateLoadException.class,
                () -> PemCertificates.parse(
                        ec.certificatePem().getBytes(US_ASCII), rsa.keyPem().getBytes(US_ASCII), "test"));
        assertEquals("private key (RSA) does not match the certificate's public key (EC)", e.getMessage());
    }

    @Test
    void rejectsTruncatedEmptyAndSwappedFiles() {
        Issued issued = PKI.issue(KeyFormat.RSA_PKCS1);
        byte[] certificate = issued.certificatePem().getBytes(US_ASCII);
        byte[] key = issued.keyPem().getBytes(US_ASCII);
        byte[] halfCertificate = issued.certificatePem()
                .substring(0, issued.certificatePem().length() / 3)
                .getBytes(US_ASCII);
        byte[] halfKey =
                issued.keyPem().substring(0, issued.keyPem().length() / 2).getBytes(US_ASCII);

        assertMessage("certificate file is empty", new byte[0], key);
        assertMessage("private key file is empty", certificate, new byte[0]);
        assertMessage("certificate file is not valid PEM", halfCertificate, key);
        assertMessage("private key file is not valid PEM", certificate, halfKey);
        assertMessage("certificate file holds a PEMKeyPair where only CERTIFICATE blocks belong", key, key);
        assertMessage(
                "private key file holds a X509CertificateHolder, not a private key",
                certificate,
                PKI.caPem().getBytes(US_ASCII));
        assertMessage(
                "private key file holds more than one PEM block",
                certificate,
                (issued.keyPem() + issued.keyPem()).getBytes(US_ASCII));
        assertMessage("certificate file holds no CERTIFICATE block", "not pem at all".getBytes(US_ASCII), key);
    }

    private static void assertMessage(String expected, byte[] certificate, byte[] key) {
        CertificateLoadException e =
                assertThrows(CertificateLoadException.class, () -> PemCertificates.parse(certificate, key, "test"));
        assertTrue(e.getMessage().startsWith(expected), "expected '" + expected + "' but got: " + e.getMessage());
    }

    @Test
    void selfSignedDefaultCoversLocalhostAndReadsBackFromItsOwnPem() throws Exception {
        ServingCertificate selfSigned = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
        assertEquals("EC", selfSigned.privateKey().getAlgorithm());
        var names = selfSigned.leaf().getSubjectAlternativeNames().stream()
                .map(n -> String.valueOf(n.get(1)))
                .toList();
        assertTrue(names.contains("localhost") && names.contains("127.0.0.1"), names.toString());
        String pem = SelfSignedCertificates.certificatePem(selfSigned);
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----") && !pem.contains("PRIVATE KEY"), pem);
        assertEquals(
                selfSigned.leaf(),
                PemCertificates.parseChain(pem.getBytes(US_ASCII)).getFirst());
    }
}
