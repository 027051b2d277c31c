package dev.routecert.policy;

/**
 * Kubernetes' name rules (apimachinery {@code IsDNS1123Subdomain}, {@code IsQualifiedName},
 * {@code IsValidLabelValue}), written as scanners. Each method returns null when the value is valid,
 * otherwise a message for a person.
 */
public final class KubeNames {

    public static final int MAX_SUBDOMAIN = 253;
    public static final int MAX_LABEL = 63;

    private KubeNames() {}

    /** A DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', starting and ending alphanumeric, at most 253. */
    public static String dns1123SubdomainError(String value) {
        if (value == null || value.isEmpty()) {
            return "must not be empty";
        }
        if (value.length() > MAX_SUBDOMAIN) {
            return "must be no more than " + MAX_SUBDOMAIN + " characters (it has " + value.length() + ")";
        }
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (alnum) {
                continue;
            }
            if (c == '-' || c == '.') {
                if (i == 0 || i == n - 1) {
                    return "must start and end with a lower-case letter or digit";
                }
                char prev = value.charAt(i - 1);
                char next = value.charAt(i + 1);
                if (c == '.' && (prev == '-' || prev == '.' || next == '-' || next == '.')) {
                    return "each part between dots must start and end with a lower-case letter or digit";
                }
                continue;
            }
            if (c >= 'A' && c <= 'Z') {
                return "must be lower case ('" + c + "' is upper case)";
            }
            return "must consist of lower-case letters, digits, '-' and '.' ('" + printable(c) + "' is not allowed)";
        }
        return null;
    }

    /** A label key or annotation key: optional DNS subdomain prefix and '/', then a name of at most 63. */
    public static String qualifiedNameError(String key) {
        if (key == null || key.isEmpty()) {
            return "key must not be empty";
        }
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            if (key.indexOf('/', slash + 1) >= 0) {
                return "key '" + key + "' may contain at most one '/'";
            }
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            String prefixError = dns1123SubdomainError(prefix);
            if (prefixError != null) {
                return "prefix of key '" + key + "' " + prefixError;
            }
        }
        if (name.isEmpty()) {
            return "key '" + key + "' has an empty name part";
        }
        if (name.length() > MAX_LABEL) {
            return "name part of key '" + key + "' must be no more than " + MAX_LABEL + " characters";
        }
        String err = labelLikeError(name);
        return err == null ? null : "name part of key '" + key + "' " + err;
    }

    /** A label value: empty, or at most 63 of alphanumerics, '-', '_' and '.', starting and ending alphanumeric. */
    public static String labelValueError(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > MAX_LABEL) {
            return "label value must be no more than " + MAX_LABEL + " characters";
        }
        String err = labelLikeError(value);
        return err == null ? null : "label value '" + value + "' " + err;
    }

    private static String labelLikeError(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum) {
                if ((c == '-' || c == '_' || c == '.') && i > 0 && i < n - 1) {
                    continue;
                }
                return "must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric";
            }
        }
        return null;
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7F ? String.format("U+%04X", (int) c) : String.valueOf(c);
    }
}
