package dev.routecert.policy.rule;

import dev.routecert.policy.RuleSyntax;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Traefik's matcher tables, HTTP and TCP, for the v3 and v2 rule syntaxes: names, what they match
 * and how many arguments they take. Like Traefik, a name is accepted as written in the table, all lower
 * case, all upper case, or capitalised ({@code Pathprefix}); any other spelling is unknown.
 */
public final class Matchers {

    /** What a matcher looks at, which decides how the policy reads its arguments. */
    public enum Role {
        HOST,
        HOST_REGEXP,
        PATH,
        PATH_PREFIX,
        PATH_REGEXP,
        METHOD,
        HEADER,
        HEADER_REGEXP,
        QUERY,
        QUERY_REGEXP,
        CLIENT_IP,
        /** A TCP {@code ALPN} protocol name. */
        ALPN
    }

    /**
     * One matcher.
     *
     * @param minArgs fewest arguments
     * @param maxArgs most arguments, or -1 for any number
     * @param pairs   arguments come in name/value pairs (v2 Headers)
     */
    public record Spec(String name, Role role, int minArgs, int maxArgs, boolean pairs) {
        public boolean acceptsCount(int n) {
            return n >= minArgs && (maxArgs < 0 || n <= maxArgs) && (!pairs || n % 2 == 0);
        }
    }

    private static final List<Spec> V3 = List.of(
            new Spec("ClientIP", Role.CLIENT_IP, 1, 1, false),
            new Spec("Method", Role.METHOD, 1, 1, false),
            new Spec("Host", Role.HOST, 1, 1, false),
            new Spec("HostRegexp", Role.HOST_REGEXP, 1, 1, false),
            new Spec("Path", Role.PATH, 1, 1, false),
            new Spec("PathRegexp", Role.PATH_REGEXP, 1, 1, false),
            new Spec("PathPrefix", Role.PATH_PREFIX, 1, 1, false),
            new Spec("Header", Role.HEADER, 2, 2, false),
            new Spec("HeaderRegexp", Role.HEADER_REGEXP, 2, 2, false),
            new Spec("Query", Role.QUERY, 1, 2, false),
            new Spec("QueryRegexp", Role.QUERY_REGEXP, 1, 2, false));

    private static final List<Spec> V2 = List.of(
            new Spec("Host", Role.HOST, 1, -1, false),
            new Spec("HostHeader", Role.HOST, 1, -1, false),
            new Spec("HostRegexp", Role.HOST_REGEXP, 1, -1, false),
            new Spec("ClientIP", Role.CLIENT_IP, 1, -1, false),
            new Spec("Path", Role.PATH, 1, -1, false),
            new Spec("PathPrefix", Role.PATH_PREFIX, 1, -1, false),
            new Spec("Method", Role.METHOD, 1, -1, false),
            new Spec("Headers", Role.HEADER, 2, -1, true),
            new Spec("HeadersRegexp", Role.HEADER_REGEXP, 2, -1, true),
            new Spec("Query", Role.QUERY, 1, -1, false));

    /** TCP routers' matchers; {@code HostSNI} and {@code HostSNIRegexp} pin the server name as Host does. */
    private static final List<Spec> TCP_V3 = List.of(
            new Spec("HostSNI", Role.HOST, 1, 1, false),
            new Spec("HostSNIRegexp", Role.HOST_REGEXP, 1, 1, false),
            new Spec("ALPN", Role.ALPN, 1, 1, false),
            new Spec("ClientIP", Role.CLIENT_IP, 1, 1, false));

    private static final List<Spec> TCP_V2 = List.of(
            new Spec("HostSNI", Role.HOST, 1, -1, false),
            new Spec("HostSNIRegexp", Role.HOST_REGEXP, 1, -1, false),
            new Spec("ALPN", Role.ALPN, 1, -1, false),
            new Spec("ClientIP", Role.CLIENT_IP, 1, -1, false));

    /** Matchers of TCP routers; an HTTP route that uses them never loads. */
    private static final List<String> TCP_ONLY = List.of("HostSNI", "HostSNIRegexp", "ALPN");

    private static final Map<String, Spec> V3_NAMES = index(V3);
    private static final Map<String, Spec> V2_NAMES = index(V2);
    private static final Map<String, Spec> TCP_V3_NAMES = index(TCP_V3);
    private static final Map<String, Spec> TCP_V2_NAMES = index(TCP_V2);

    /**
     * Every accepted spelling of either HTTP syntax (TCP rules are few, so their names are not interned), grouped by length: {@code SPELLINGS[n]} has those of n
     * characters, the names as the tables write them first, since rules nearly always use those.
     */
    private static final String[][] SPELLINGS = byLength();

    private Matchers() {}

    /** The matcher a name denotes in the given syntax, if Traefik would accept that spelling. */
    public static Optional<Spec> lookup(RuleSyntax syntax, String written) {
        return Optional.ofNullable((syntax == RuleSyntax.V2 ? V2_NAMES : V3_NAMES).get(written));
    }

    /**
     * The accepted matcher spelling (in either syntax) that {@code text} holds from {@code start} to
     * {@code end}, as a constant, or null when it holds none. The parser names nearly every call
     * with one of these instead of a new substring.
     */
    static String spelling(String text, int start, int end) {
        int length = end - start;
        if (length >= SPELLINGS.length) {
            return null;
        }
        for (String s : SPELLINGS[length]) {
            if (text.regionMatches(start, s, 0, length)) {
                return s;
            }
        }
        return null;
    }

    /** The TCP matcher a name denotes in the given syntax, if Traefik would accept that spelling. */
    public static Optional<Spec> lookupTcp(RuleSyntax syntax, String written) {
        return Optional.ofNullable((syntax == RuleSyntax.V2 ? TCP_V2_NAMES : TCP_V3_NAMES).get(written));
    }

    /**
     * The TCP matcher to use for an HTTP one written in a TCP rule ({@code Host} → {@code HostSNI}),
     * when {@code written} names an HTTP matcher of either syntax in any case.
     */
    public static Optional<String> tcpCounterpart(String written) {
        for (List<Spec> table : List.of(V3, V2)) {
            for (Spec s : table) {
                if (s.name().equalsIgnoreCase(written) && !TCP_ONLY.contains(s.name())) {
                    return Optional.of(
                            switch (s.role()) {
                                case HOST -> "HostSNI";
                                case HOST_REGEXP -> "HostSNIRegexp";
                                case CLIENT_IP -> "ClientIP";
                                default -> "";
                            });
                }
            }
        }
        return Optional.empty();
    }

    /** The canonical name of a known matcher spelled with the wrong case (e.g. {@code pathPrefix}). */
    public static Optional<String> caseInsensitiveMatch(RuleSyntax syntax, String written) {
        return caseInsensitiveMatch(table(syntax), written);
    }

    /** {@link #caseInsensitiveMatch(RuleSyntax, String)} among the TCP matchers. */
    public static Optional<String> caseInsensitiveMatchTcp(RuleSyntax syntax, String written) {
        return caseInsensitiveMatch(tcpTable(syntax), written);
    }

    private static Optional<String> caseInsensitiveMatch(List<Spec> table, String written) {
        for (Spec s : table) {
            if (s.name().equalsIgnoreCase(written)) {
                return Optional.of(s.name());
            }
        }
        return Optional.empty();
    }

    /** The canonical TCP matcher name when {@code written} names one (any case). */
    public static Optional<String> tcpOnly(String written) {
        return TCP_ONLY.stream().filter(n -> n.equalsIgnoreCase(written)).findFirst();
    }

    /**
     * The known matcher of a syntax closest to {@code written}, compared without case by optimal
     * string alignment distance (Levenshtein plus adjacent transpositions, so {@code Hots} is one edit
     * from {@code Host}); only a name at most 2 edits, or a third of its length, away counts as close.
     */
    public static Optional<String> closest(RuleSyntax syntax, String written) {
        return closest(table(syntax), written);
    }

    /** {@link #closest(RuleSyntax, String)} among the TCP matchers. */
    public static Optional<String> closestTcp(RuleSyntax syntax, String written) {
        return closest(tcpTable(syntax), written);
    }

    private static Optional<String> closest(List<Spec> table, String written) {
        String w = written.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Spec s : table) {
            String name = s.name();
            int d = distance(w, name.toLowerCase(Locale.ROOT));
            if (d < bestDistance && d <= Math.max(2, name.length() / 3)) {
                best = name;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }

    public static List<Spec> table(RuleSyntax syntax) {
        return syntax == RuleSyntax.V2 ? V2 : V3;
    }

    public static List<Spec> tcpTable(RuleSyntax syntax) {
        return syntax == RuleSyntax.V2 ? TCP_V2 : TCP_V3;
    }

    /** Comma-separated canonical names of a syntax, for hints. */
    public static String names(RuleSyntax syntax) {
        return String.join(", ", table(syntax).stream().map(Spec::name).toList());
    }

    /** Comma-separated canonical TCP matcher names, for hints. */
    public static String tcpNames(RuleSyntax syntax) {
        return String.join(", ", tcpTable(syntax).stream().map(Spec::name).toList());
    }

    private static String[][] byLength() {
        Set<String> all = new LinkedHashSet<>();
        V3.forEach(s -> all.add(s.name()));
        V2.forEach(s -> all.add(s.name()));
        V3.forEach(s -> all.addAll(spellings(s.name())));
        V2.forEach(s -> all.addAll(spellings(s.name())));
        int longest = 0;
        for (String s : all) {
            longest = Math.max(longest, s.length());
        }
        String[][] byLength = new String[longest + 1][];
        for (int n = 0; n <= longest; n++) {
            int length = n;
            byLength[n] = all.stream().filter(s -> s.length() == length).toArray(String[]::new);
        }
        return byLength;
    }

    private static Map<String, Spec> index(List<Spec> specs) {
        Map<String, Spec> m = new LinkedHashMap<>();
        for (Spec s : specs) {
            for (String spelling : spellings(s.name())) {
                m.put(spelling, s);
            }
        }
        return Map.copyOf(m);
    }

    /** The spellings Traefik accepts for a name: as written, lower case, upper case, capitalised. */
    private static List<String> spellings(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return List.of(
                name,
                lower,
                name.toUpperCase(Locale.ROOT),
                Character.toUpperCase(lower.charAt(0)) + lower.substring(1));
    }
}
