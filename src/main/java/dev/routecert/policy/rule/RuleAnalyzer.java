package dev.routecert.policy.rule;

import dev.routecert.policy.Check;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.Violation;
import dev.routecert.policy.values.IpAddresses;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks a parsed rule against Traefik's matcher table for one syntax, HTTP or TCP, and extracts the
 * host names it can serve ({@code HostSNI} names for TCP).
 *
 * <p>Negation is pushed down the tree as Traefik does (De Morgan), so each {@code Host} ends up with
 * a polarity: {@code !Host(`x`)} serves nothing, {@code !!Host(`x`)} serves {@code x}. The analysis
 * also answers whether some way of matching the rule places no positive host constraint at all, in
 * which case the route answers for any host name.
 */
public final class RuleAnalyzer {

    /**
     * One host argument of a {@code Host}/{@code HostHeader}/{@code HostRegexp} call.
     *
     * @param value    the argument, or the name derived from a v2 template
     * @param offset   offset of the argument's literal in the rule
     * @param positive false when the call only appears under an odd number of negations
     * @param regexp   true when names cannot be derived from it (a regexp)
     * @param matcher  the matcher name as written
     */
    public record HostUse(String value, int offset, boolean positive, boolean regexp, String matcher) {}

    /** A problem in the rule, at an offset; warnings do not block admission. */
    public record Problem(int offset, String message, String hint, String reason, boolean warning, Check check) {}

    /**
     * What a rule means for the policy.
     *
     * @param hostUnconstrained true when the rule can match without a positive host matcher
     */
    public record Analysis(List<HostUse> hosts, boolean hostUnconstrained, List<Problem> problems) {
        public Analysis {
            hosts = List.copyOf(hosts);
            problems = List.copyOf(problems);
        }

        public List<HostUse> servedHosts() {
            return hosts.stream().filter(h -> h.positive() && !h.regexp()).toList();
        }

        public List<HostUse> servedRegexps() {
            return hosts.stream().filter(h -> h.positive() && h.regexp()).toList();
        }

        public boolean hasErrors() {
            for (Problem p : problems) {
                if (!p.warning()) {
                    return true;
                }
            }
            return false;
        }
    }

    private final RuleSyntax syntax;
    private final boolean tcp;
    // Grown with Lists.append: a rule has one or two hosts and usually no problem.
    private List<HostUse> hosts = List.of();
    private List<Problem> problems = List.of();

    private RuleAnalyzer(RuleSyntax syntax, boolean tcp) {
        this.syntax = syntax;
        this.tcp = tcp;
    }

    public static Analysis analyze(RuleNode root, RuleSyntax syntax) {
        return analyze(root, syntax, false);
    }

    /** The analysis of a TCP router's rule (an IngressRouteTCP's), with the TCP matchers. */
    public static Analysis analyzeTcp(RuleNode root, RuleSyntax syntax) {
        return analyze(root, syntax, true);
    }

    private static Analysis analyze(RuleNode root, RuleSyntax syntax, boolean tcp) {
        RuleAnalyzer a = new RuleAnalyzer(syntax, tcp);
        boolean constrained = a.walk(root, true);
        return new Analysis(a.hosts, !constrained, a.problems);
    }

    /**
     * Collects the hosts and problems of {@code node} and answers whether every way of matching it
     * (with the given polarity) pins the host. Every operand is visited, so the answer does not
     * short-circuit. Recursion depth is bounded by RuleParser.MAX_DEPTH: only parentheses and '!' nest.
     */
    private boolean walk(RuleNode node, boolean positive) {
        return switch (node) {
            case RuleNode.Call c -> call(c, positive);
            case RuleNode.Not n -> walk(n.operand(), !positive);
            // a positive AND is pinned if any operand is; a negated AND is an OR of negations
            case RuleNode.And a -> positive ? walkAny(a.operands(), true) : walkAll(a.operands(), false);
            case RuleNode.Or o -> positive ? walkAll(o.operands(), true) : walkAny(o.operands(), false);
        };
    }

    private boolean walkAny(List<RuleNode> operands, boolean positive) {
        boolean any = false;
        for (RuleNode o : operands) {
            any |= walk(o, positive);
        }
        return any;
    }

    private boolean walkAll(List<RuleNode> operands, boolean positive) {
        boolean all = true;
        for (RuleNode o : operands) {
            all &= walk(o, positive);
        }
        return all;
    }

    /** Checks one matcher call; true when it pins the host (a positive Host or HostRegexp). */
    private boolean call(RuleNode.Call c, boolean positive) {
        Optional<Matchers.Spec> found = tcp ? Matchers.lookupTcp(syntax, c.name()) : Matchers.lookup(syntax, c.name());
        if (found.isEmpty()) {
            if (tcp) {
                unknownTcp(c);
            } else {
                unknown(c);
            }
            return false;
        }
        Matchers.Spec spec = found.get();
        check(c, spec, positive);
        return positive && (spec.role() == Matchers.Role.HOST || spec.role() == Matchers.Role.HOST_REGEXP);
    }

    private void check(RuleNode.Call c, Matchers.Spec spec, boolean positive) {
        List<RuleNode.Arg> args = c.args();
        if (args.isEmpty()) {
            error(
                    Check.RULE_ARGUMENTS,
                    c.offset(),
                    spec.name() + " needs a value",
                    "write " + spec.name() + "(`" + example(spec.role()) + "`)",
                    Violation.REQUIRED);
            return;
        }
        if (!spec.acceptsCount(args.size())) {
            wrongCount(c, spec);
            return;
        }
        for (RuleNode.Arg a : args) {
            if (a.value().isEmpty()) {
                error(
                        Check.RULE_ARGUMENTS,
                        a.offset(),
                        spec.name() + " has an empty value",
                        "put a value between the quotes, or remove the matcher",
                        Violation.REQUIRED);
                return;
            }
        }
        if (syntax == RuleSyntax.V2 && spec.role() == Matchers.Role.QUERY && !v2Query(spec, args)) {
            return;
        }
        for (int i = 0; i < args.size(); i++) {
            RuleNode.Arg a = args.get(i);
            switch (spec.role()) {
                case HOST -> host(new HostUse(a.value(), a.offset(), positive, false, c.name()));
                case HOST_REGEXP -> hostRegexp(c, a, positive);
                case PATH, PATH_PREFIX -> path(spec, a);
                case PATH_REGEXP -> regexp(spec, a, a.value());
                // the value of each name/value pair, and QueryRegexp's value; a lone key is no regexp
                case HEADER_REGEXP, QUERY_REGEXP -> {
                    if (i % 2 == 1) {
                        regexp(spec, a, a.value());
                    }
                }
                case CLIENT_IP -> {
                    if (!IpAddresses.isIp(a.value()) && !IpAddresses.isCidr(a.value())) {
                        error(
                                Check.RULE_CLIENT_IP,
                                a.offset(),
                                "ClientIP value '" + a.value() + "' is neither an IP address nor a CIDR range",
                                "write ClientIP(`10.0.0.0/8`) or ClientIP(`192.168.1.7`)",
                                Violation.INVALID);
                    }
                }
                case ALPN -> {
                    if (a.value().equalsIgnoreCase("acme-tls/1")) {
                        error(
                                Check.RULE_ARGUMENTS,
                                a.offset(),
                                spec.name() + "(" + a.literal()
                                        + ") names the protocol of ACME's TLS-ALPN-01 challenge, which Traefik keeps"
                                        + " for itself and refuses in a rule",
                                "match another protocol, such as ALPN(`h2`), or remove the matcher",
                                Violation.NOT_SUPPORTED);
                    }
                }
                default -> {
                    // Method, Header(s) and Query values are free-form
                }
            }
        }
    }

    private void hostRegexp(RuleNode.Call c, RuleNode.Arg a, boolean positive) {
        String v = a.value();
        if (syntax == RuleSyntax.V3) {
            if (looksLikeV2Template(v)) {
                warn(
                        Check.RULE_V2_TEMPLATE,
                        a.offset(),
                        c.name() + "(" + a.literal()
                                + ") uses the v2 {name:regexp} template form; in v3 it is a plain Go regexp and the braces match literally",
                        "write " + c.name() + "(`" + v2TemplateAsRegexp(v) + "`), or set syntax: v2 on this route");
            }
            if (regexp(c.name(), a, v)) {
                host(new HostUse(v, a.offset(), positive, true, c.name()));
            }
            return;
        }
        String templateError = v2TemplateError(v);
        if (templateError != null) {
            error(
                    Check.RULE_HOSTREGEXP_TEMPLATE,
                    a.offset(),
                    c.name() + "(" + a.literal() + "): " + templateError,
                    "write variables as {name} or {name:regexp}, e.g. HostRegexp(`{sub:[a-z]+}.example.com`)",
                    Violation.INVALID);
            return;
        }
        for (String part : GoRegexp.templatePatterns(v)) {
            if (!regexp(c.name(), a, part)) {
                return;
            }
        }
        if (v.indexOf('{') < 0) {
            // a v2 template without variables matches the literal host
            host(new HostUse(v, a.offset(), positive, false, c.name()));
            return;
        }
        int dot = v.indexOf('.');
        String first = dot < 0 ? v : v.substring(0, dot);
        String rest = dot < 0 ? "" : v.substring(dot + 1);
        boolean plainVariable =
                first.startsWith("{") && first.endsWith("}") && first.indexOf(':') < 0 && first.indexOf('{', 1) < 0;
        if (plainVariable && !rest.isEmpty() && rest.indexOf('{') < 0) {
            // {name} alone defaults to [^.]+ in a v2 host template: exactly one label, i.e. a wildcard
            host(new HostUse("*." + rest, a.offset(), positive, false, c.name()));
            return;
        }
        host(new HostUse(v, a.offset(), positive, true, c.name()));
    }

    private void path(Matchers.Spec spec, RuleNode.Arg a) {
        String v = a.value();
        if (!v.startsWith("/")) {
            error(
                    Check.RULE_PATH,
                    a.offset(),
                    spec.name() + "(" + a.literal() + ") does not start with '/'",
                    "write " + spec.name() + "(`/" + v + "`)",
                    Violation.INVALID);
            return;
        }
        if (syntax == RuleSyntax.V3 && looksLikeV2Template(v)) {
            warn(
                    Check.RULE_V2_TEMPLATE,
                    a.offset(),
                    spec.name() + "(" + a.literal()
                            + ") contains a v2 {name} template; in v3 syntax the path is matched literally",
                    "use PathRegexp(`^...$`) for variable parts, or set syntax: v2 on this route");
        }
        if (syntax == RuleSyntax.V2) {
            for (String part : GoRegexp.templatePatterns(v)) {
                if (!regexp(spec.name(), a, part)) {
                    return;
                }
            }
        }
    }

    /**
     * v2 Query takes {@code key=value} arguments: Traefik splits each at its first '=' and hands the
     * parts to gorilla mux as key/value pairs, which refuses an odd count. An even count of '='-less
     * arguments loads, paired up across arguments ({@code Query(`a`, `b`)} is {@code a=b}); that is
     * refused too, on purpose, and the message says so.
     */
    private boolean v2Query(Matchers.Spec spec, List<RuleNode.Arg> args) {
        int parts = 0;
        RuleNode.Arg first = null;
        for (RuleNode.Arg a : args) {
            boolean pair = a.value().indexOf('=') >= 0;
            parts += pair ? 2 : 1;
            if (!pair && first == null) {
                first = a;
            }
        }
        if (first == null) {
            return true;
        }
        String why = parts % 2 == 1
                ? "; Traefik refuses the rule (the keys and values must pair up)"
                : "; Traefik would pair it with a neighbouring argument as key and value, which routecert refuses on purpose";
        error(
                Check.RULE_ARGUMENTS,
                first.offset(),
                spec.name() + " in Traefik v2 syntax takes key=value arguments, and " + first.literal() + " has no '='"
                        + why,
                "write " + spec.name() + "(`" + first.value() + "=value`), or " + spec.name() + "(`" + first.value()
                        + "=`) for an empty value",
                Violation.INVALID);
        return false;
    }

    private boolean regexp(Matchers.Spec spec, RuleNode.Arg a, String pattern) {
        return regexp(spec.name(), a, pattern);
    }

    /** Compiles a regexp as Go does; false, with an error at the argument, when Go would refuse it. */
    private boolean regexp(String matcher, RuleNode.Arg a, String pattern) {
        String goError = GoRegexp.error(pattern);
        if (goError == null) {
            return true;
        }
        error(
                Check.RULE_REGEXP,
                a.offset(),
                matcher + "(" + a.literal() + "): error parsing regexp: " + goError,
                "write it in Go's RE2 syntax: no lookarounds, backreferences or possessive quantifiers",
                Violation.INVALID);
        return false;
    }

    private void wrongCount(RuleNode.Call c, Matchers.Spec spec) {
        List<RuleNode.Arg> args = c.args();
        int n = args.size();
        if (syntax == RuleSyntax.V3 && spec.maxArgs() == 1) {
            StringBuilder fix = new StringBuilder("(");
            for (int i = 0; i < n; i++) {
                fix.append(i == 0 ? "" : " || ")
                        .append(spec.name())
                        .append('(')
                        .append(args.get(i).literal())
                        .append(')');
            }
            fix.append(')');
            error(
                    Check.RULE_V2_MULTI_VALUE,
                    c.offset(),
                    spec.name() + " takes one value in Traefik v3 syntax but has " + n
                            + "; listing several values is Traefik v2 syntax",
                    "write " + fix + ", or set syntax: v2 on this route",
                    Violation.INVALID);
            return;
        }
        String expected = switch (spec.role()) {
            case HEADER, HEADER_REGEXP -> spec.pairs() ? "name/value pairs" : "a header name and a value";
            case QUERY, QUERY_REGEXP -> "a key and an optional value";
            default -> spec.maxArgs() < 0 ? "at least " + spec.minArgs() + " value(s)" : spec.minArgs() + " value(s)";
        };
        error(
                Check.RULE_ARGUMENTS,
                c.offset(),
                spec.name() + " takes " + expected + " but has " + n + " argument" + (n == 1 ? "" : "s"),
                "write " + spec.name() + "("
                        + (spec.minArgs() == 2 ? "`X-Name`, `value`" : "`" + example(spec.role()) + "`") + ")",
                Violation.INVALID);
    }

    private void unknown(RuleNode.Call c) {
        String name = c.name();
        Optional<String> closest = Matchers.closest(syntax, name);
        Optional<String> tcp = Matchers.tcpOnly(name);
        if (tcp.isPresent()) {
            error(
                    Check.RULE_TCP_MATCHER,
                    c.offset(),
                    tcp.get() + " is a TCP matcher; it belongs to an IngressRouteTCP, not an HTTP IngressRoute"
                            + closest.map(n -> "; did you mean " + n + "?").orElse(""),
                    "move this route to an IngressRouteTCP, or match HTTP requests with " + closest.orElse("Host")
                            + "(`...`)",
                    Violation.NOT_SUPPORTED);
            return;
        }
        RuleSyntax other = syntax == RuleSyntax.V3 ? RuleSyntax.V2 : RuleSyntax.V3;
        Optional<Matchers.Spec> inOther = Matchers.lookup(other, name);
        if (inOther.isPresent()) {
            String canonical = inOther.get().name();
            String replacement = syntax == RuleSyntax.V3
                    ? switch (canonical) {
                        case "HostHeader" -> "Host";
                        case "Headers" -> "Header";
                        case "HeadersRegexp" -> "HeaderRegexp";
                        default -> closest.orElse(null);
                    }
                    : closest.orElse(null);
            String hint = syntax == RuleSyntax.V3
                    ? (replacement != null
                            ? "use " + replacement + " instead, or set syntax: v2 on this route"
                            : "set syntax: v2 on this route")
                    : (replacement != null
                            ? "use " + replacement + " instead, or remove syntax: v2 from this route"
                            : "remove syntax: v2 from this route to use the v3 matchers");
            error(
                    Check.RULE_MATCHER_VERSION,
                    c.offset(),
                    canonical + " is a Traefik " + other.fieldValue() + " matcher; this route uses "
                            + syntax.fieldValue() + " syntax"
                            + (replacement != null ? "; did you mean " + replacement + "?" : ""),
                    hint,
                    Violation.NOT_SUPPORTED);
            return;
        }
        Optional<String> sameIgnoringCase = Matchers.caseInsensitiveMatch(syntax, name);
        if (sameIgnoringCase.isPresent()) {
            String n = sameIgnoringCase.get();
            String lower = n.toLowerCase(Locale.ROOT);
            error(
                    Check.RULE_UNKNOWN_MATCHER,
                    c.offset(),
                    "unknown matcher '" + name + "'; Traefik accepts " + n + ", " + lower + ", "
                            + n.toUpperCase(Locale.ROOT) + " or " + Character.toUpperCase(lower.charAt(0))
                            + lower.substring(1),
                    "write " + n,
                    Violation.NOT_SUPPORTED);
            return;
        }
        if (closest.isPresent()) {
            error(
                    Check.RULE_UNKNOWN_MATCHER,
                    c.offset(),
                    "unknown matcher '" + name + "' in Traefik " + syntax.fieldValue() + " syntax; did you mean "
                            + closest.get() + "?",
                    "write " + closest.get() + " instead of " + name + ", or use one of " + Matchers.names(syntax),
                    Violation.NOT_SUPPORTED);
            return;
        }
        error(
                Check.RULE_UNKNOWN_MATCHER,
                c.offset(),
                "unknown matcher '" + name + "' in Traefik " + syntax.fieldValue() + " syntax",
                "use one of " + Matchers.names(syntax),
                Violation.NOT_SUPPORTED);
    }

    /** An unknown matcher in a TCP rule: an HTTP one gets its TCP counterpart suggested. */
    private void unknownTcp(RuleNode.Call c) {
        String name = c.name();
        Optional<String> counterpart = Matchers.tcpCounterpart(name);
        if (counterpart.isPresent()) {
            String instead = counterpart.get();
            error(
                    Check.RULE_HTTP_MATCHER,
                    c.offset(),
                    name + " is an HTTP matcher; an IngressRouteTCP matches connections with "
                            + Matchers.tcpNames(syntax)
                            + (instead.isEmpty() ? "" : "; did you mean " + instead + "?"),
                    instead.isEmpty()
                            ? "move this route to an IngressRoute, or match with one of " + Matchers.tcpNames(syntax)
                            : "write " + instead + "(`...`), or move this route to an IngressRoute",
                    Violation.NOT_SUPPORTED);
            return;
        }
        Optional<String> sameIgnoringCase = Matchers.caseInsensitiveMatchTcp(syntax, name);
        Optional<String> closest = sameIgnoringCase.or(() -> Matchers.closestTcp(syntax, name));
        error(
                Check.RULE_UNKNOWN_MATCHER,
                c.offset(),
                "unknown matcher '" + name + "' in a Traefik " + syntax.fieldValue() + " TCP rule"
                        + closest.map(n -> "; did you mean " + n + "?").orElse(""),
                closest.map(n -> "write " + n + " instead of " + name)
                        .orElse("use one of " + Matchers.tcpNames(syntax)),
                Violation.NOT_SUPPORTED);
    }

    static boolean looksLikeV2Template(String v) {
        int n = v.length();
        for (int i = 0; i < n; i++) {
            if (v.charAt(i) != '{') {
                continue;
            }
            int j = i + 1;
            if (j < n && (Character.isLetter(v.charAt(j)) || v.charAt(j) == '_')) {
                while (j < n && (Character.isLetterOrDigit(v.charAt(j)) || v.charAt(j) == '_')) {
                    j++;
                }
                if (j < n && (v.charAt(j) == ':' || v.charAt(j) == '}')) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Rewrites {@code {name:re}} to {@code re} and {@code {name}} to {@code [^.]+}, for a hint. */
    static String v2TemplateAsRegexp(String v) {
        StringBuilder b = new StringBuilder("^");
        int i = 0;
        int n = v.length();
        while (i < n) {
            char ch = v.charAt(i);
            if (ch == '{') {
                int close = v.indexOf('}', i);
                if (close < 0) {
                    b.append(v, i, n);
                    break;
                }
                String inner = v.substring(i + 1, close);
                int colon = inner.indexOf(':');
                b.append(colon < 0 ? "[^.]+" : inner.substring(colon + 1));
                i = close + 1;
            } else {
                b.append(ch == '.' ? "\\." : String.valueOf(ch));
                i++;
            }
        }
        return b.append('$').toString();
    }

    /** Gorilla mux's template rules: balanced braces, each variable with a name (and a pattern after ':'). */
    static String v2TemplateError(String v) {
        int level = 0;
        int open = -1;
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '{') {
                if (level++ == 0) {
                    open = i;
                }
            } else if (ch == '}') {
                if (--level == 0) {
                    String inner = v.substring(open + 1, i);
                    int colon = inner.indexOf(':');
                    String name = colon < 0 ? inner : inner.substring(0, colon);
                    if (name.isEmpty() || (colon >= 0 && colon == inner.length() - 1)) {
                        return "variable {" + inner + "} is missing its name or its pattern";
                    }
                } else if (level < 0) {
                    return "unbalanced braces";
                }
            }
        }
        return level != 0 ? "unbalanced braces" : null;
    }

    private static String example(Matchers.Role role) {
        return switch (role) {
            case HOST -> "example.com";
            case HOST_REGEXP -> "^.+\\.example\\.com$";
            case PATH, PATH_PREFIX -> "/api";
            case PATH_REGEXP -> "^/api/[0-9]+$";
            case METHOD -> "GET";
            case CLIENT_IP -> "10.0.0.0/8";
            case QUERY, QUERY_REGEXP -> "key";
            case ALPN -> "h2";
            default -> "value";
        };
    }

    private void host(HostUse h) {
        hosts = Lists.append(hosts, h);
    }

    private void error(Check check, int offset, String message, String hint, String reason) {
        problems = Lists.append(problems, new Problem(offset, message, hint, reason, false, check));
    }

    private void warn(Check check, int offset, String message, String hint) {
        problems = Lists.append(problems, new Problem(offset, message, hint, Violation.INVALID, true, check));
    }
}
