package dev.routecert.policy;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of host names for the two coverage questions, agreeing with {@link HostName#covers}. It is
 * indexed by name and by parent domain, so that checking n names against a set of m costs O(n + m)
 * rather than O(n * m): an object can list thousands of hosts on either side.
 */
final class NameSet {

    private final Set<String> exact = new HashSet<>();
    /** The parent of every plain DNS name: what a wildcard TLS name must equal to cover it. */
    private final Set<String> dnsParents = new HashSet<>();
    /** What follows {@code *.} in every wildcard. */
    private final Set<String> wildcardParents = new HashSet<>();

    private NameSet() {}

    static NameSet of(Collection<HostName> names) {
        NameSet s = new NameSet();
        for (HostName n : names) {
            s.add(n);
        }
        return s;
    }

    /** For each of {@code tls}, whether some name of {@code served} covers it or is covered by it. */
    static boolean[] overlapped(List<HostName> tls, Collection<HostName> served) {
        NameSet index = of(served);
        boolean[] answers = new boolean[tls.size()];
        for (int i = 0; i < answers.length; i++) {
            answers[i] = index.overlaps(tls.get(i));
        }
        return answers;
    }

    private void add(HostName n) {
        switch (n.type()) {
            case MULTI_WILDCARD -> {
                // covers nothing a certificate can hold, and equals no coverable name
            }
            case WILDCARD -> {
                exact.add(n.ascii());
                wildcardParents.add(n.ascii().substring(2));
            }
            case DNS -> {
                exact.add(n.ascii());
                String parent = parent(n.ascii());
                if (parent != null) {
                    dnsParents.add(parent);
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
        return served.type() == HostName.Type.DNS && wildcardParents.contains(parent(served.ascii()));
    }

    /** True when some name of this set, read as served names, is covered by {@code tls} or covers it. */
    boolean overlaps(HostName tls) {
        if (tls.type() == HostName.Type.MULTI_WILDCARD) {
            return false;
        }
        if (exact.contains(tls.ascii())) {
            return true;
        }
        return switch (tls.type()) {
            case WILDCARD -> dnsParents.contains(tls.ascii().substring(2));
            case DNS -> wildcardParents.contains(parent(tls.ascii()));
            default -> false;
        };
    }

    /** The name after its first label, or null when it has none (no dot, a leading or a trailing one). */
    private static String parent(String ascii) {
        int dot = ascii.indexOf('.');
        return dot > 0 && dot < ascii.length() - 1 ? ascii.substring(dot + 1) : null;
    }
}
