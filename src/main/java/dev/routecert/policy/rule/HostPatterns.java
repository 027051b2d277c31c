package dev.routecert.policy.rule;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.routecert.policy.RuleSyntax;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Whether a host pattern of a rule matches a given host name, as Traefik would match the request's
 * host (or a connection's SNI): a v3 {@code HostRegexp}/{@code HostSNIRegexp} is a Go regexp found
 * anywhere in the lower-case host, unanchored; a v2 one is a gorilla template, anchored and
 * case-insensitive; {@code **.example.com} (Traefik 3.8) is one or more labels under example.com.
 */
public final class HostPatterns {

    /** Labels tried in place of a wildcard domain's {@code *}: a regexp cannot be enumerated. */
    private static final List<String> PROBE_LABELS = List.of("a", "www", "app", "api", "test", "0");

    private HostPatterns() {}

    /**
     * The test of a regexp or template argument; empty when it is too large to compile here (see
     * {@link GoRegexp}) or does not compile, so its names stay unknown.
     */
    public static Optional<Predicate<String>> regexp(String value, RuleSyntax syntax) {
        String pattern = syntax == RuleSyntax.V2 ? "(?i)" + RuleAnalyzer.v2TemplateAsRegexp(value) : value;
        GoRegexp.Measure m = GoRegexp.measure(pattern);
        if (m.size() > GoRegexp.COMPILE_BUDGET || m.depth() > GoRegexp.GO_MAX_DEPTH) {
            return Optional.empty();
        }
        try {
            Pattern p = Pattern.compile(pattern);
            return Optional.of(host -> p.matcher(host).find());
        } catch (PatternSyntaxException e) {
            return Optional.empty();
        }
    }

    /** The test of {@code **.zone}: any name with at least one label before {@code .zone}. */
    public static Predicate<String> multiWildcard(String zone) {
        String suffix = "." + zone;
        return host -> host.endsWith(suffix) && host.length() > suffix.length() && !host.startsWith(".");
    }

    /**
     * The names to try for a certificate name: itself, and for {@code *.zone} a few names of one
     * label under zone. A pattern that matches none of them may still match another such name.
     */
    public static List<String> probes(String certificateName) {
        if (!certificateName.startsWith("*.")) {
            return List.of(certificateName);
        }
        String zone = certificateName.substring(1);
        List<String> names = new ArrayList<>();
        names.add(certificateName);
        PROBE_LABELS.forEach(l -> names.add(l + zone));
        return names;
    }
}
