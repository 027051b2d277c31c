package dev.routecert.policy;

import dev.routecert.routes.ObjectMetaView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Deterministic names for TLS secrets the user asked for without naming one.
 *
 * <ul>
 *   <li>Readable first: {@code <object-name>-tls}.</li>
 *   <li>When that is taken (another TLS entry of the same Ingress uses it, or several entries need
 *       a name) or the object has only a {@code generateName}: {@code <base>-<h>-tls}, where
 *       {@code <h>} is the first 8 hex digits of SHA-256 over the entry's sorted, normalised host
 *       names, so the same hosts always get the same name whatever the entry order.</li>
 *   <li>At most 63 characters (a DNS label), although Secret names may have 253: cert-manager
 *       derives other object names and label values from the Certificate name, and 63 is safe for
 *       all of them. A longer base is cut and the hash of the full base keeps it unique.</li>
 * </ul>
 */
final class DefaultSecretNames {

    static final int MAX = 63;
    private static final String SUFFIX = "-tls";

    private DefaultSecretNames() {}

    /** The name for one TLS block; {@code taken} are the secret names already used by the object. */
    static String choose(ObjectMetaView meta, Collection<String> hosts, Collection<String> taken, boolean preferPlain) {
        return choose(meta, hosts, taken, preferPlain, new HashMap<>());
    }

    /**
     * {@link #choose(ObjectMetaView, Collection, Collection, boolean)} for one of several TLS blocks
     * of an object. {@code tried} is kept across the calls for one object, with {@code taken} only
     * growing: it remembers per host hash the last {@code -n} chosen, so that many entries with the
     * same hosts do not each try again every name the entries before them took.
     */
    static String choose(
            ObjectMetaView meta,
            Collection<String> hosts,
            Collection<String> taken,
            boolean preferPlain,
            Map<String, Integer> tried) {
        String hostKey = String.join(",", new TreeSet<>(hosts));
        String base = meta.name();
        boolean generated = false;
        if (base == null || base.isEmpty()) {
            base = meta.generateName();
            generated = true;
        }
        base = trimEnd(base == null ? "" : base);
        if (base.isEmpty()) {
            base = "route";
        }
        if (!generated && preferPlain) {
            String plain = fit(base, base + SUFFIX, "");
            if (!taken.contains(plain)) {
                return plain;
            }
        }
        String hash = hash8(hostKey.isEmpty() ? base : hostKey);
        int n = tried.getOrDefault(hash, 1);
        String candidate = numbered(base, hash, n);
        while (taken.contains(candidate)) {
            n++;
            candidate = numbered(base, hash, n);
        }
        tried.put(hash, n);
        return candidate;
    }

    /** {@code <base>-<hash>-tls} for n = 1, else {@code <base>-<hash>-<n>-tls}. */
    private static String numbered(String base, String hash, int n) {
        String tag = n == 1 ? hash : hash + "-" + n;
        return fit(base, base + "-" + tag + SUFFIX, tag);
    }

    /** Cuts {@code base} so that {@code base-extra-tls} fits in {@link #MAX}; a cut base gains a hash of the whole. */
    private static String fit(String base, String full, String extra) {
        if (full.length() <= MAX) {
            return full;
        }
        String tag = extra.isEmpty() ? hash8(base) : extra;
        int room = MAX - SUFFIX.length() - 1 - tag.length();
        String cut = trimEnd(base.substring(0, Math.min(base.length(), room)));
        if (cut.isEmpty()) {
            return tag + SUFFIX;
        }
        return cut + "-" + tag + SUFFIX;
    }

    private static String trimEnd(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '-' || s.charAt(end - 1) == '.')) {
            end--;
        }
        return s.substring(0, end);
    }

    static String hash8(String input) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    static List<String> sortedUnique(Collection<String> names) {
        return List.copyOf(new TreeSet<>(names));
    }
}
