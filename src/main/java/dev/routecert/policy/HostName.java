package dev.routecert.policy;

import dev.routecert.policy.values.IpAddresses;
import java.net.IDN;
import java.util.Locale;

/**
 * A host name in the form the policy compares and plans with: ASCII (A-labels for internationalized
 * names), lower case, no trailing dot; or a canonical IP literal.
 *
 * <p>Coverage follows RFC 6125: a name is covered by itself or by {@code *.} plus its parent; a
 * wildcard covers exactly one label, so {@code *.example.com} covers {@code a.example.com} but
 * neither {@code a.b.example.com} nor {@code example.com}. IP addresses are covered only by the same
 * address.
 */
public record HostName(String ascii, Type type) implements Comparable<HostName> {

    public enum Type {
        /** An ordinary DNS name. */
        DNS,
        /** {@code *.example.com}: exactly one extra label. */
        WILDCARD,
        /** {@code **.example.com} (Traefik 3.8): one or more labels; no certificate can cover it. */
        MULTI_WILDCARD,
        IPV4,
        IPV6
    }

    /** Result of reading a host name: the name (when usable for comparison) and at most one problem. */
    public record Check(HostName name, String problem, String hint) {
        public boolean ok() {
            return problem == null;
        }
    }

    public static final int MAX_NAME = 253;
    public static final int MAX_LABEL = 63;

    public boolean isIp() {
        return type == Type.IPV4 || type == Type.IPV6;
    }

    /** True when a certificate for {@code this} name is valid for {@code served}. */
    public boolean covers(HostName served) {
        if (isIp() || served.isIp()) {
            return isIp() && served.isIp() && ascii.equals(served.ascii);
        }
        if (type == Type.MULTI_WILDCARD || served.type == Type.MULTI_WILDCARD) {
            return false;
        }
        if (ascii.equals(served.ascii)) {
            return true;
        }
        if (type != Type.WILDCARD) {
            return false;
        }
        // the parent after "*." against the served name's after its first dot, compared in place
        int dot = served.ascii.indexOf('.');
        int length = served.ascii.length() - dot - 1;
        return dot > 0
                && served.type == Type.DNS
                && length == ascii.length() - 2
                && served.ascii.regionMatches(dot + 1, ascii, 2, length);
    }

    @Override
    public int compareTo(HostName o) {
        return ascii.compareTo(o.ascii);
    }

    @Override
    public String toString() {
        return ascii;
    }

    /**
     * Reads a host name as written in a rule, a TLS domain or an Ingress host. Upper case and one
     * trailing dot are normalised away. Non-ASCII names are converted to their A-label form for
     * comparison but reported as a problem, because Traefik refuses them and certificates carry
     * A-labels.
     */
    public static Check check(String raw) {
        HostName plain = plain(raw);
        return plain != null ? new Check(plain, null, null) : checkEveryForm(raw);
    }

    /**
     * The name when {@code raw} is already in the form {@link #check} produces: lower-case ASCII
     * letters, digits, '-' and '.', an optional leading "*.", valid labels, no trailing dot, and at
     * least one letter or '-' (so it cannot be an IP literal). Null for anything else, which
     * {@link #checkEveryForm} then reads. Almost every host a route names is of this form, and a
     * large object names thousands: one pass over the characters instead of several, and no copy.
     */
    static HostName plain(String raw) {
        if (raw == null) {
            return null;
        }
        int n = raw.length();
        if (n == 0 || n > MAX_NAME) {
            return null;
        }
        int from = raw.startsWith("*.") ? 2 : 0;
        int labelStart = from;
        boolean notNumeric = false;
        for (int i = from; i < n; i++) {
            char c = raw.charAt(i);
            if (c == '.') {
                if (i == labelStart || i - labelStart > MAX_LABEL || raw.charAt(i - 1) == '-') {
                    return null;
                }
                labelStart = i + 1;
            } else if ((c >= 'a' && c <= 'z') || (c == '-' && i != labelStart)) {
                notNumeric = true;
            } else if (c < '0' || c > '9') {
                return null;
            }
        }
        if (labelStart == n || n - labelStart > MAX_LABEL || raw.charAt(n - 1) == '-' || !notNumeric) {
            return null;
        }
        return new HostName(raw, from == 2 ? Type.WILDCARD : Type.DNS);
    }

    /** {@link #check} for any text: IP literals, upper case, a trailing dot, IDNs, and every problem. */
    static Check checkEveryForm(String raw) {
        if (raw == null || raw.isEmpty()) {
            return new Check(null, "the host name is empty", "write a host name such as example.com");
        }
        String shown = shorten(raw);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                return new Check(
                        null,
                        "host name '" + shown + "' contains whitespace or a control character",
                        "remove the spaces around the name");
            }
        }
        String s = raw;
        if (s.startsWith("[") && s.endsWith("]") && s.length() > 2) {
            String inner = s.substring(1, s.length() - 1);
            return IpAddresses.canonical(inner)
                    .filter(ip -> ip.indexOf(':') >= 0)
                    .map(ip -> new Check(new HostName(ip, Type.IPV6), null, null))
                    .orElse(new Check(
                            null, "'" + shown + "' is not a valid IPv6 address", "write it as [2001:db8::1]"));
        }
        var ip = IpAddresses.canonical(s);
        if (ip.isPresent()) {
            return new Check(new HostName(ip.get(), ip.get().indexOf(':') >= 0 ? Type.IPV6 : Type.IPV4), null, null);
        }
        if (s.indexOf(':') >= 0) {
            int colon = s.lastIndexOf(':');
            String port = s.substring(colon + 1);
            if (!port.isEmpty() && port.chars().allMatch(Character::isDigit) && s.indexOf(':') == colon) {
                return new Check(
                        null,
                        "'" + shown + "' includes a port; host names are compared without it",
                        "write " + s.substring(0, colon) + " without ':" + port + "'");
            }
            return new Check(null, "'" + shown + "' is neither a DNS name nor an IP address", "check for a stray ':'");
        }
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
            if (s.isEmpty() || s.endsWith(".")) {
                return new Check(
                        null, "'" + shown + "' is not a valid host name", "write a host name such as example.com");
            }
        }
        String problem = null;
        String hint = null;
        if (!isAscii(s)) {
            if (s.length() > MAX_NAME) {
                // no conversion makes a name this long valid, and IDN refuses long input with a bare RuntimeException
                String tooLong = dnsProblem(s, s, shown);
                return new Check(null, tooLong, dnsHint(tooLong));
            }
            String converted = toAscii(s);
            if (converted == null) {
                return new Check(
                        null,
                        "'" + shown + "' is not a valid internationalized domain name",
                        "write the name in its punycode (xn--) form");
            }
            problem = "'" + shown
                    + "' contains non-ASCII characters; Traefik refuses them and certificates carry the punycode form";
            hint = "write " + converted;
            s = converted;
        }
        s = s.toLowerCase(Locale.ROOT);
        Type type = Type.DNS;
        String rest = s;
        if (s.startsWith("**.")) {
            type = Type.MULTI_WILDCARD;
            rest = s.substring(3);
        } else if (s.startsWith("*.")) {
            type = Type.WILDCARD;
            rest = s.substring(2);
        }
        if (rest.indexOf('*') >= 0 || rest.isEmpty()) {
            return new Check(
                    null,
                    "'" + shown + "': a wildcard must be the whole leftmost label, as in *.example.com",
                    "use *.example.com, or list the names one by one");
        }
        String dnsProblem = dnsProblem(s, rest, shown);
        if (dnsProblem != null) {
            return new Check(null, dnsProblem, dnsHint(dnsProblem));
        }
        return new Check(new HostName(s, type), problem, hint);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** IDNA conversion of each label (wildcard label kept), or null when the name is not valid IDNA. */
    static String toAscii(String name) {
        try {
            String prefix = "";
            String rest = name;
            if (name.startsWith("**.")) {
                prefix = "**.";
                rest = name.substring(3);
            } else if (name.startsWith("*.")) {
                prefix = "*.";
                rest = name.substring(2);
            }
            String converted = IDN.toASCII(rest, IDN.USE_STD3_ASCII_RULES);
            return converted.isEmpty() ? null : prefix + converted.toLowerCase(Locale.ROOT);
        } catch (RuntimeException e) {
            // IllegalArgumentException for invalid IDNA; a plain RuntimeException from its StringPrep and Punycode
            // steps
            return null;
        }
    }

    private static String dnsProblem(String full, String rest, String shown) {
        if (full.length() > MAX_NAME) {
            return "'" + shown + "' is " + full.length() + " characters long; a DNS name has at most " + MAX_NAME;
        }
        int start = 0;
        int n = rest.length();
        while (start <= n) {
            int dot = rest.indexOf('.', start);
            int end = dot < 0 ? n : dot;
            int len = end - start;
            if (len == 0) {
                return "'" + shown + "' has an empty label (two dots in a row, or a leading dot)";
            }
            if (len > MAX_LABEL) {
                return "label '" + shorten(rest.substring(start, end)) + "' of '" + shown + "' is " + len
                        + " characters long; a DNS label has at most " + MAX_LABEL;
            }
            for (int i = start; i < end; i++) {
                char c = rest.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                if (!ok) {
                    return "'" + shown + "' is not a valid DNS name: '" + c
                            + "' is not allowed (only a-z, 0-9, '-' and '.')";
                }
            }
            if (rest.charAt(start) == '-' || rest.charAt(end - 1) == '-') {
                return "label '" + rest.substring(start, end) + "' of '" + shown
                        + "' must start and end with a letter or digit";
            }
            if (dot < 0) {
                break;
            }
            start = dot + 1;
        }
        return null;
    }

    private static String dnsHint(String problem) {
        if (problem.contains("at most " + MAX_LABEL)) {
            return "shorten that label to " + MAX_LABEL + " characters or fewer";
        }
        if (problem.contains("at most " + MAX_NAME)) {
            return "use a name of " + MAX_NAME + " characters or fewer";
        }
        return "use lower-case letters, digits, '-' and '.' only";
    }

    static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
