package dev.routecert.policy.rule;

import static dev.routecert.policy.RuleSyntax.V2;
import static dev.routecert.policy.RuleSyntax.V3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.policy.RuleSyntax;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a rule serves and which matcher mistakes are caught, as a table. */
class RuleAnalyzerTest {

    /**
     * Columns: syntax, rule, served hosts (comma-joined), served regexps, host-unconstrained,
     * expected error fragment ("" for none), expected warning fragment ("" for none).
     */
    static Stream<Arguments> table() {
        return Stream.of(
                row(V3, "Host(`a.example.com`)", "a.example.com", "", false, "", ""),
                row(V3, "Host(`a`) && PathPrefix(`/x`)", "a", "", false, "", ""),
                row(V3, "!Host(`a`)", "", "", true, "", ""),
                row(V3, "!!Host(`a`)", "a", "", false, "", ""),
                row(V3, "!(Host(`a`) || Host(`b`))", "", "", true, "", ""),
                row(V3, "!(!Host(`a`) && Path(`/`))", "a", "", true, "", ""),
                row(V3, "Host(`a`) && !Host(`b`)", "a", "", false, "", ""),
                row(V3, "PathPrefix(`/`)", "", "", true, "", ""),
                row(V3, "Host(`a`) || PathPrefix(`/x`)", "a", "", true, "", ""),
                row(V3, "(Host(`a`) || Host(`b`)) && Method(`GET`)", "a,b", "", false, "", ""),
                row(V3, "HostRegexp(`^.+\\.example\\.com$`)", "", "^.+\\.example\\.com$", false, "", ""),
                row(V3, "host(`a`) || HOST(`b`) || Host(`c`)", "a,b,c", "", false, "", ""),
                row(V3, "PATHPREFIX(`/x`) && Pathprefix(`/y`) && pathprefix(`/z`)", "", "", true, "", ""),
                row(V3, "pathPrefix(`/x`)", "", "", true, "write PathPrefix", ""),
                row(V3, "Host(`a`, `b`)", "", "", true, "write (Host(`a`) || Host(`b`)), or set syntax: v2", ""),
                row(V3, "PathPrefix(`/a`, `/b`)", "", "", true, "(PathPrefix(`/a`) || PathPrefix(`/b`))", ""),
                row(V2, "Host(`a`, `b`)", "a,b", "", false, "", ""),
                row(V2, "HostHeader(`a`)", "a", "", false, "", ""),
                row(V3, "HostHeader(`a`)", "", "", true, "use Host instead", ""),
                row(V3, "Headers(`k`, `v`)", "", "", true, "use Header instead", ""),
                row(V2, "PathRegexp(`^/a`)", "", "", true, "v3 matcher", ""),
                row(V3, "HostSNI(`db.example.com`)", "", "", true, "IngressRouteTCP", ""),
                row(V3, "Nope(`x`)", "", "", true, "unknown matcher 'Nope'", ""),
                row(V3, "Path(`api`)", "", "", true, "does not start with '/'", ""),
                row(V3, "Header(`X-Env`)", "", "", true, "a header name and a value", ""),
                row(V3, "Query(`a`, `b`, `c`)", "", "", true, "a key and an optional value", ""),
                row(V3, "Query(`a`)", "", "", true, "", ""),
                row(V3, "ClientIP(`nope`)", "", "", true, "neither an IP address nor a CIDR", ""),
                row(V3, "ClientIP(`10.0.0.0/8`) && ClientIP(`2001:db8::/32`)", "", "", true, "", ""),
                row(V3, "Host()", "", "", true, "needs a value", ""),
                row(V3, "Host(``)", "", "", true, "empty value", ""),
                row(V3, "HostRegexp(`{host:.+}`)", "", "{host:.+}", false, "", "HostRegexp(`^.+$`)"),
                row(V3, "Path(`/users/{id}`)", "", "", true, "", "matched literally"),
                row(V2, "HostRegexp(`{sub}.example.com`)", "*.example.com", "", false, "", ""),
                row(V2, "HostRegexp(`{sub:[a-z]+}.example.com`)", "", "{sub:[a-z]+}.example.com", false, "", ""),
                row(V2, "HostRegexp(`example.com`)", "example.com", "", false, "", ""),
                row(V2, "HostRegexp(`{a.example.com`)", "", "", true, "unbalanced braces", ""),
                row(V2, "Headers(`a`)", "", "", true, "name/value pairs", ""),
                row(V2, "Host()", "", "", true, "needs a value", ""));
    }

    private static Arguments row(
            RuleSyntax syntax,
            String rule,
            String served,
            String regexps,
            boolean unconstrained,
            String error,
            String warning) {
        return Arguments.of(syntax, rule, served, regexps, unconstrained, error, warning);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("table")
    void analyses(
            RuleSyntax syntax,
            String rule,
            String served,
            String regexps,
            boolean unconstrained,
            String error,
            String warning) {
        ParseResult p = RuleParser.parse(rule);
        assertTrue(p.ok(), () -> "should parse: " + p.error());
        RuleAnalyzer.Analysis a = RuleAnalyzer.analyze(p.root(), syntax);
        List<RuleAnalyzer.Problem> errors =
                a.problems().stream().filter(x -> !x.warning()).toList();
        List<RuleAnalyzer.Problem> warnings =
                a.problems().stream().filter(RuleAnalyzer.Problem::warning).toList();
        if (error.isEmpty()) {
            assertEquals(List.of(), errors);
            assertEquals(
                    served,
                    a.servedHosts().stream().map(RuleAnalyzer.HostUse::value).collect(Collectors.joining(",")));
            assertEquals(
                    regexps,
                    a.servedRegexps().stream().map(RuleAnalyzer.HostUse::value).collect(Collectors.joining(",")));
            assertEquals(unconstrained, a.hostUnconstrained(), "host-unconstrained");
        } else {
            assertEquals(1, errors.size(), () -> "errors: " + errors);
            String text =
                    errors.getFirst().message() + " / " + errors.getFirst().hint();
            assertTrue(text.contains(error), () -> "'" + text + "' should contain '" + error + "'");
        }
        if (warning.isEmpty()) {
            assertEquals(List.of(), warnings);
        } else {
            assertEquals(1, warnings.size(), () -> "warnings: " + warnings);
            String text =
                    warnings.getFirst().message() + " / " + warnings.getFirst().hint();
            assertTrue(text.contains(warning), () -> "'" + text + "' should contain '" + warning + "'");
        }
    }
}
