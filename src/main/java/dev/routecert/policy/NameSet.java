package dev.routecert.policy;

import java.util.HashSet;
import java.util.Set;

/**
 * A set of host names indexed for the two coverage questions, so that checking n served names
 * against m TLS names costs O(n + m) rather than O(n * m). Agrees with {@link HostName#covers}.
 */
final class NameSet {

    private final Set<String> exact = new HashSet<>();
    private final Set<String> dnsParents = new HashSet<>();   // parent of every plain DNS name
    private final Set<String> wildcardParents = new HashSet<>(); // what follows "*." in every wildcard

    static NameSet of(Iterable<HostName> names) {
        NameSet s = new NameSet();
        for (HostName n : names) {
            s.add(n);
        }
        return s;
    }

    private void add(HostName n) {
        switch (n.type()) {
            case MULTI_WILDCARD -> {
                // covers nothing a certificate can hold; never equal to a coverable name
            }
            case WILDCARD -> {
                exact.add(n.ascii());
                wildcardParents.add(n.ascii().substring(2));
            }
            case DNS -> {
                exact.add(n.ascii());
                String p = parent(n.ascii());
                if (p != null) {
                    dnsParents.add(p);
                }
            }
            default -> exact.add(n.ascii());
        }
    }

    /** True when some name of this set, read as TLS names, covers {@code served}. */
    boolean covers(HostName served) {
        if (served.type() == HostName.Type.MULTI_WILDCARD) {
            return false;
        }
        if (exact.contains(served.ascii())) {
            return true;
        }
        if (served.type() != HostName.Type.DNS) {
            return false;
        }
        String p = parent(served.ascii());
        return p != null && wildcardParents.contains(p);
    }

    /** True when some name of this set, read as served names, is covered by {@code tls} or covers it. */
    boolean overlaps(HostName tls) {
        if (tls.type() == HostName.Type.MULTI_WILDCARD) {
            return false;
        }
        if (exact.contains(tls.ascii())) {
            return true;
        }
        if (tls.type() == HostName.Type.WILDCARD) {
            return dnsParents.contains(tls.ascii().substring(2));
        }
        if (tls.type() == HostName.Type.DNS) {
            String p = parent(tls.ascii());
            return p != null && wildcardParents.contains(p);
        }
        return false;
    }

    private static String parent(String ascii) {
        int dot = ascii.indexOf('.');
        return dot > 0 && dot < ascii.length() - 1 ? ascii.substring(dot + 1) : null;
    }
}
