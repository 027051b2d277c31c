package dev.routecert.certificates;

/**
 * What is known of the Secret a new Certificate would write: whether it exists, and which Certificate
 * cert-manager says it belongs to ({@code cert-manager.io/certificate-name}; null when none).
 */
public record SecretState(boolean exists, String certificateName) {

    public static final SecretState ABSENT = new SecretState(false, null);

    /** True when cert-manager may write it for the Certificate {@code name} without destroying anyone's key. */
    public boolean writableFor(String name) {
        return !exists || name.equals(certificateName);
    }
}
