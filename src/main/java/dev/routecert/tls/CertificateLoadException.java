package dev.routecert.tls;

/** Why a certificate/key pair was not accepted; the message is written for the operator's log. */
public class CertificateLoadException extends Exception {
    public CertificateLoadException(String message) {
        super(message);
    }

    public CertificateLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
