package dev.routecert.policy.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What routecert knows of a Secret: whether it exists and the annotations cert-manager writes on it
 * from the certificate it stored ({@code cert-manager.io/alt-names}, {@code ip-sans},
 * {@code uri-sans}, {@code common-name}, {@code certificate-name}). Never the Secret's data.
 *
 * @param known false when the Secret could not be read: nothing is concluded from it
 */
public record SecretMetadata(boolean known, boolean exists, Map<String, String> annotations) {

    public static final String ALT_NAMES = "cert-manager.io/alt-names";
    public static final String IP_SANS = "cert-manager.io/ip-sans";
    public static final String URI_SANS = "cert-manager.io/uri-sans";
    public static final String COMMON_NAME = "cert-manager.io/common-name";
    public static final String CERTIFICATE_NAME = "cert-manager.io/certificate-name";

    public static final SecretMetadata UNKNOWN = new SecretMetadata(false, false, Map.of());
    public static final SecretMetadata ABSENT = new SecretMetadata(true, false, Map.of());

    public SecretMetadata {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public static SecretMetadata present(Map<String, String> annotations) {
        return new SecretMetadata(true, true, annotations);
    }

    /** cert-manager wrote the names of the certificate it stored here. */
    public boolean describesCertificate() {
        return annotations.containsKey(ALT_NAMES) || annotations.containsKey(IP_SANS);
    }

    /**
     * The names the stored certificate is valid for: its DNS and IP SANs. The common name is not
     * one: TLS clients check only the SANs when there are any (RFC 6125, and browsers and Go always).
     */
    public List<String> coveredNames() {
        List<String> names = new ArrayList<>(split(annotations.get(ALT_NAMES)));
        names.addAll(split(annotations.get(IP_SANS)));
        return names;
    }

    private static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        if (csv == null) {
            return out;
        }
        for (String part : csv.split(",")) {
            String name = part.strip();
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }
}
