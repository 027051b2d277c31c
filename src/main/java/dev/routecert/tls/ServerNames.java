package dev.routecert.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Whether a serving certificate can work: valid now, and covering the names clients connect to. */
final class ServerNames {

    private static final int DNS_NAME = 2;

    private ServerNames() {}

    /** A certificate refused for its validity period: it may become usable later with the same bytes. */
    static final class NotValidNow extends CertificateLoadException {
        NotValidNow(String message) {
            super(message);
        }
    }

    /**
     * @throws NotValidNow when {@code now} is outside the leaf's validity, widened by {@code skew}
     * @throws CertificateLoadException when a name of {@code required} is not covered
     */
    static void checkUsable(X509Certificate leaf, Instant now, Duration skew, List<String> required)
            throws CertificateLoadException {
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        if (now.plus(skew).isBefore(notBefore)) {
            throw new NotValidNow("certificate is not valid yet by this node's clock: valid from " + notBefore);
        }
        if (now.minus(skew).isAfter(notAfter)) {
            throw new NotValidNow("certificate has expired by this node's clock: valid until " + notAfter);
        }
        if (required.isEmpty()) {
            return;
        }
        List<String> present = dnsNames(leaf);
        List<String> missing = new ArrayList<>();
        for (String name : required) {
            if (present.stream().noneMatch(pattern -> matches(pattern, name))) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new CertificateLoadException("certificate does not cover " + String.join(", ", missing)
                    + " (--tls-server-names); its DNS names are "
                    + (present.isEmpty() ? "none" : String.join(", ", present)));
        }
    }

    /**
     * RFC 6125 matching of one reference name against one DNS name of the certificate: equal ignoring
     * case and a trailing dot, or a wildcard {@code *} standing for the whole leftmost label, exactly
     * one label.
     */
    static boolean matches(String pattern, String name) {
        String p = normalize(pattern);
        String n = normalize(name);
        if (!p.startsWith("*.")) {
            return p.equals(n);
        }
        int dot = n.indexOf('.');
        return dot > 0 && n.substring(dot).equals(p.substring(1)) && p.indexOf('.', 2) > 0;
    }

    private static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** The leaf's DNS subject alternative names; the subject's CN is not a name clients check. */
    private static List<String> dnsNames(X509Certificate leaf) throws CertificateLoadException {
        Collection<List<?>> alternatives;
        try {
            alternatives = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new CertificateLoadException("certificate's subject alternative names do not parse", e);
        }
        List<String> names = new ArrayList<>();
        if (alternatives != null) {
            for (List<?> entry : alternatives) {
                if (entry.size() >= 2 && entry.get(0) instanceof Integer type && type == DNS_NAME) {
                    names.add(String.valueOf(entry.get(1)));
                }
            }
        }
        return names;
    }
}
