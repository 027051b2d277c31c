package dev.routecert.tls;

/** Lets tests in other packages open the in-memory key store a ServingCertificate builds. */
public final class ServingCertificateAccess {
    private ServingCertificateAccess() {}

    public static char[] password() {
        return ServingCertificate.KEYSTORE_PASSWORD.clone();
    }
}
