package dev.routecert.certificates;

import java.util.Map;

/**
 * What is known of the Secret a new Certificate would write: whether it exists, which Certificate
 * cert-manager says it belongs to ({@code cert-manager.io/certificate-name}; null when none), and
 * its annotations (metadata only: the names cert-manager wrote from the certificate it stored).
 */
public record SecretState(boolean exists, String certificateName, Map<String, String> annotations) {

    public static final SecretState ABSENT = new SecretState(false, null);

    public SecretState {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public SecretState(boolean exists, String certificateName) {
        this(exists, certificateName, Map.of());
    }

    /** True when cert-manager may write it for the Certificate {@code name} without destroying anyone's key. */
    public boolean writableFor(String name) {
        return !exists || name.equals(certificateName);
    }
}
