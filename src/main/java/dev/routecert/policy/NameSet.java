package dev.routecert.policy;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of host names for the two coverage questions. Agrees with {@link HostName#covers}.
 *
 * <p>A set of up to {@link #FEW} names, what {@code spec.tls} lists almost always, is asked by
 * comparing with each name: no hashing of the name asked about. A larger one is indexed, so that
 * checking n served names against m TLS names costs O(n + m) rather than O(n * m). For the other
 * direction, a few TLS names against many served ones, {@link #overlapped} scans the served names
 * instead of indexing them.
 */
final class NameSet {

    /** Up to this many names, comparing with each costs less than hashing the name asked about. */
    static final int FEW = 8;

    // either the names, when there are few, or the index: the other side is null
    private final List<HostName> few;
    private final Set<String> exact;
    private final Parents dnsParents; // parent of every plain DNS name
    private final Parents wildcardParents; // what follows "*." in every wildcard

    private NameSet(List<HostName> few, int size) {
        this.few = few;
        boolean indexed = few == null;
        exact = indexed ? HashSet.newHashSet(size) : null; // sized once: a large object's served names are thousands
        dnsParents = indexed ? new Parents() : null;
        wildcardParents = indexed ? new Parents() : null;
    }

    static NameSet of(Collection<HostName> names) {
        if (names.size() <= FEW) {
            return new NameSet(List.copyOf(names), 0);
        }
        NameSet s = new NameSet(null, names.size());
        for (HostName n : names) {
            s.add(n);
        }
        return s;
    }

    /**
     * For each of {@code tls}, whether some name of {@code served} covers it or is covered by it:
     * {@code NameSet.of(served).overlaps(t)} for every t, without indexing thousands of served names
     * to answer a few questions.
     */
    static boolean[] overlapped(List<HostName> tls, Collection<HostName> served) {
        boolean[] answers = new boolean[tls.size()];
        if (tls.size() > FEW) {
            NameSet index = of(served);
            for (int i = 0; i < answers.length; i++) {
                answers[i] = index.overlaps(tls.get(i));
            }
            return answers;
        }
        for (int i = 0; i < answers.length; i++) {
            HostName t = tls.get(i);
            for (HostName s : served) {
                if (overlap(t, s)) {
                    answers[i] = true;
                    break;
                }
            }
        }
        return answers;
    }

    private void add(HostName n) {
        switch (n.type()) {
            case MULTI_WILDCARD -> {
                // covers nothing a certificate can hold; never equal to a coverable name
            }
            case WILDCARD -> {
                exact.add(n.ascii());
                wildcardParents.addParentOf(n.ascii()); // "*." has no dot before the parent
            }
            case DNS -> {
                exact.add(n.ascii());
                dnsParents.addParentOf(n.ascii());
            }
            default -> exact.add(n.ascii());
        }
    }

    /** True when one of the two names covers the other. */
    private static boolean overlap(HostName a, HostName b) {
        return a.covers(b) || b.covers(a);
    }

    /** True when some name of this set, read as TLS names, covers {@code served}. */
    boolean covers(HostName served) {
        if (few != null) {
            for (HostName n : few) {
                if (n.covers(served)) {
                    return true;
                }
            }
            return false;
        }
        if (served.type() == HostName.Type.MULTI_WILDCARD) {
            return false;
        }
        if (exact.contains(served.ascii())) {
            return true;
        }
        return served.type() == HostName.Type.DNS && wildcardParents.containsParentOf(served.ascii());
    }

    /** True when some name of this set, read as served names, is covered by {@code tls} or covers it. */
    boolean overlaps(HostName tls) {
        if (few != null) {
            for (HostName n : few) {
                if (overlap(n, tls)) {
                    return true;
                }
            }
            return false;
        }
        if (tls.type() == HostName.Type.MULTI_WILDCARD) {
            return false;
        }
        if (exact.contains(tls.ascii())) {
            return true;
        }
        if (tls.type() == HostName.Type.WILDCARD) {
            return dnsParents.containsParentOf(tls.ascii());
        }
        if (tls.type() == HostName.Type.DNS) {
            return wildcardParents.containsParentOf(tls.ascii());
        }
        return false;
    }

    /**
     * Where the parent of {@code ascii} starts (after its first dot), or -1 when it has none: no dot,
     * a leading dot or a trailing one.
     */
    private static int parentStart(String ascii) {
        int dot = ascii.indexOf('.');
        return dot > 0 && dot < ascii.length() - 1 ? dot + 1 : -1;
    }

    /**
     * A set of parent domains, each held as a name it is the parent of, so that neither adding one
     * nor looking one up cuts a substring out of a name: the policy does one or the other for every
     * host of every route. Open addressing with linear probing, at most half full; the hash is
     * {@link String#hashCode} of the parent, spread.
     */
    private static final class Parents {
        private String[] names = new String[8];
        private int[] hashes = new int[8];
        private int size;

        /** Adds the parent of {@code ascii}; a name without one adds nothing. */
        void addParentOf(String ascii) {
            int from = parentStart(ascii);
            if (from < 0) {
                return;
            }
            int h = hash(ascii, from);
            if (find(ascii, from, h)) {
                return;
            }
            if (2 * (size + 1) > names.length) {
                grow();
            }
            place(ascii, h);
            size++;
        }

        /** True when the parent of {@code ascii} is in this set. */
        boolean containsParentOf(String ascii) {
            if (size == 0) {
                return false;
            }
            int from = parentStart(ascii);
            return from >= 0 && find(ascii, from, hash(ascii, from));
        }

        private boolean find(String ascii, int from, int h) {
            int mask = names.length - 1;
            int length = ascii.length() - from;
            for (int i = h & mask; names[i] != null; i = (i + 1) & mask) {
                if (hashes[i] == h) {
                    String other = names[i];
                    int otherFrom = parentStart(other);
                    if (other.length() - otherFrom == length && other.regionMatches(otherFrom, ascii, from, length)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private void place(String ascii, int h) {
            int mask = names.length - 1;
            int i = h & mask;
            while (names[i] != null) {
                i = (i + 1) & mask;
            }
            names[i] = ascii;
            hashes[i] = h;
        }

        private void grow() {
            String[] oldNames = names;
            int[] oldHashes = hashes;
            names = new String[oldNames.length * 2];
            hashes = new int[oldNames.length * 2];
            for (int i = 0; i < oldNames.length; i++) {
                if (oldNames[i] != null) {
                    place(oldNames[i], oldHashes[i]);
                }
            }
        }

        private static int hash(String s, int from) {
            int h = 0;
            for (int i = from; i < s.length(); i++) {
                h = 31 * h + s.charAt(i);
            }
            return h ^ (h >>> 16);
        }
    }
}
