package dev.routecert.policy.rule;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.List;

/**
 * Whether Go's {@code regexp.Compile} accepts a pattern, answered with RE2/J, which follows Go's RE2
 * syntax: no lookarounds, backreferences or possessive quantifiers, repeat counts up to 1000, and
 * Perl classes, {@code (?P<name>...)} and {@code (?<name>...)} allowed.
 *
 * <p>Compiling expands counted repeats, so a pattern such as {@code ((a{1000}){1000}){1000}} would
 * exhaust memory and a deep nesting of groups the stack. Before compiling, the pattern is measured
 * the way Go's parser measures it (its size in instructions and its nesting), and what Go rejects
 * for size or depth is rejected with Go's message without compiling. Between a small budget and Go's
 * size limit a pattern is not compiled here at all; Traefik decides.
 */
final class GoRegexp {

    /** Go's maxSize: 128 MiB of 40-byte instructions. */
    static final long GO_MAX_SIZE = (128L << 20) / 40;

    /** Go's maxHeight. */
    static final int GO_MAX_DEPTH = 1000;

    /** Largest pattern compiled here: a few milliseconds and megabytes, far above any real rule. */
    static final long COMPILE_BUDGET = 100_000;

    private GoRegexp() {}

    /** Go's error for the pattern ("invalid escape sequence: `\Z`"), or null when Go compiles it. */
    static String error(String pattern) {
        Measure m = measure(pattern);
        if (m.depth > GO_MAX_DEPTH) {
            return "expression nests too deeply";
        }
        if (m.size > GO_MAX_SIZE) {
            return "expression too large";
        }
        if (m.size > COMPILE_BUDGET) {
            return null;
        }
        try {
            Pattern.compile(pattern);
            return null;
        } catch (PatternSyntaxException e) {
            return e.getDescription() + ": `" + e.getPattern() + "`";
        }
    }

    /**
     * The {@code pattern} parts of a v2 (gorilla/mux) template's {@code {name:pattern}} variables,
     * each as mux embeds it in a group; none when the braces do not balance.
     */
    static List<String> templatePatterns(String template) {
        List<String> parts = List.of();
        int level = 0;
        int open = -1;
        for (int i = 0; i < template.length(); i++) {
            char ch = template.charAt(i);
            if (ch == '{') {
                if (level++ == 0) {
                    open = i;
                }
            } else if (ch == '}') {
                if (--level == 0) {
                    String inner = template.substring(open + 1, i);
                    int colon = inner.indexOf(':');
                    if (colon >= 0) {
                        parts = Lists.append(parts, "(?:" + inner.substring(colon + 1) + ")");
                    }
                } else if (level < 0) {
                    return List.of();
                }
            }
        }
        return level == 0 ? parts : List.of();
    }

    record Measure(long size, int depth) {}

    /**
     * An estimate of Go's calcSize (literal runes and classes 1, {@code *} and groups +2, {@code +} and
     * {@code ?} +1, {@code x{n,m}} m times x, alternation the sum) and of the group nesting. It reads
     * the pattern once; malformed parts are measured as literals and left to the compiler to report.
     */
    static Measure measure(String p) {
        int n = p.length();
        // per open group: size of the finished alternatives and of the current one
        long[] done = new long[n + 2];
        long[] current = new long[n + 2];
        boolean[] capture = new boolean[n + 2];
        int depth = 0;
        int deepest = 0;
        long last = 0;
        int i = 0;
        while (i < n) {
            char ch = p.charAt(i);
            long atom;
            switch (ch) {
                case '\\' -> {
                    i = skipEscape(p, i);
                    atom = 1;
                }
                case '[' -> {
                    i = skipClass(p, i);
                    atom = 1;
                }
                case '(' -> {
                    depth++;
                    deepest = Math.max(deepest, depth);
                    done[depth] = 0;
                    current[depth] = 0;
                    capture[depth] = !(i + 1 < n && p.charAt(i + 1) == '?')
                            || p.startsWith("(?P<", i)
                            || (p.startsWith("(?<", i));
                    if (i + 1 < n && p.charAt(i + 1) == '?') {
                        int end = i + 2;
                        while (end < n && p.charAt(end) != ':' && p.charAt(end) != ')' && p.charAt(end) != '>') {
                            end++;
                        }
                        i = end;
                    }
                    i++;
                    last = 0;
                    continue;
                }
                case ')' -> {
                    if (depth == 0) {
                        i++;
                        last = 0;
                        continue;
                    }
                    long group = done[depth] + current[depth] + (capture[depth] ? 2 : 0);
                    depth--;
                    i++;
                    atom = group;
                }
                case '|' -> {
                    done[depth] += current[depth] + 1;
                    current[depth] = 0;
                    i++;
                    last = 0;
                    continue;
                }
                case '*', '+', '?' -> {
                    long grown = ch == '*' ? 2 : 1;
                    current[depth] += grown;
                    last += grown;
                    i++;
                    if (i < n && p.charAt(i) == '?') {
                        i++;
                    }
                    continue;
                }
                case '{' -> {
                    int[] repeat = repeat(p, i);
                    if (repeat == null) {
                        i++;
                        atom = 1;
                        break;
                    }
                    int min = repeat[0];
                    int max = repeat[1];
                    long times = max < 0 ? min : max;
                    long repeated = max < 0 ? (min == 0 ? 2 + last : 1 + min * last) : times * last + (max - min);
                    current[depth] = Math.min(GO_MAX_SIZE + 1, current[depth] - last + Math.max(1, repeated));
                    last = Math.max(1, repeated);
                    i = repeat[2];
                    continue;
                }
                default -> {
                    i++;
                    atom = 1;
                }
            }
            current[depth] = Math.min(GO_MAX_SIZE + 1, current[depth] + atom);
            last = Math.min(GO_MAX_SIZE + 1, atom);
        }
        long size = current[0] + done[0];
        for (int d = 1; d <= depth; d++) {
            size += current[d] + done[d];
        }
        return new Measure(size, deepest);
    }

    /** {@code {n}}, {@code {n,}} or {@code {n,m}} at i: min, max (-1 unbounded), end; null if literal. */
    private static int[] repeat(String p, int i) {
        int j = i + 1;
        int n = p.length();
        int start = j;
        while (j < n && Character.isDigit(p.charAt(j))) {
            j++;
        }
        if (j == start || j - start > 4 || j >= n) {
            return null;
        }
        int min = Integer.parseInt(p.substring(start, j));
        int max = min;
        if (p.charAt(j) == ',') {
            j++;
            int s2 = j;
            while (j < n && Character.isDigit(p.charAt(j))) {
                j++;
            }
            if (j - s2 > 4) {
                return null;
            }
            max = j == s2 ? -1 : Integer.parseInt(p.substring(s2, j));
        }
        if (j >= n || p.charAt(j) != '}') {
            return null;
        }
        return new int[] {min, max, j + 1};
    }

    private static int skipEscape(String p, int i) {
        int n = p.length();
        if (i + 1 >= n) {
            return n;
        }
        char c = p.charAt(i + 1);
        if (c == 'Q') {
            int close = p.indexOf("\\E", i + 2);
            return close < 0 ? n : close + 2;
        }
        if ((c == 'p' || c == 'P' || c == 'x') && i + 2 < n && p.charAt(i + 2) == '{') {
            int close = p.indexOf('}', i + 2);
            return close < 0 ? n : close + 1;
        }
        return i + 2;
    }

    private static int skipClass(String p, int i) {
        int n = p.length();
        int j = i + 1;
        if (j < n && p.charAt(j) == '^') {
            j++;
        }
        if (j < n && p.charAt(j) == ']') {
            j++;
        }
        while (j < n) {
            char c = p.charAt(j);
            if (c == '\\') {
                j = skipEscape(p, j);
            } else if (c == '[' && j + 1 < n && p.charAt(j + 1) == ':') {
                int close = p.indexOf(":]", j + 2);
                j = close < 0 ? j + 1 : close + 2;
            } else if (c == ']') {
                return j + 1;
            } else {
                j++;
            }
        }
        return n;
    }
}
