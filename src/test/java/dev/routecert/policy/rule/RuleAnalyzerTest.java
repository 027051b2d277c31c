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
                row(V2, "Host()", "", "", true, "needs a value", ""),
                // arity and argument forms, per syntax (Traefik's matcher.go and matcher_v2.go)
                row(V3, "Path()", "", "", true, "Path needs a value", ""),
                row(V2, "Query()", "", "", true, "Query needs a value", ""),
                row(V3, "Header(`X-A`, ``)", "", "", true, "Header has an empty value", ""),
                row(V2, "Headers(`X-A`, ``)", "", "", true, "Headers has an empty value", ""),
                row(V3, "Method(`GET`, `POST`)", "", "", true, "Method takes one value in Traefik v3", ""),
                row(V3, "ClientIP(`10.0.0.1`, `10.0.0.2`)", "", "", true, "ClientIP takes one value", ""),
                row(V3, "HostRegexp(`^a$`, `^b$`)", "", "", true, "HostRegexp takes one value", ""),
                row(V3, "PathRegexp(`^/a`, `^/b`)", "", "", true, "PathRegexp takes one value", ""),
                row(V3, "Header(`X-A`, `1`)", "", "", true, "", ""),
                row(V3, "Header(`X-A`, `1`, `2`)", "", "", true, "a header name and a value but has 3", ""),
                row(V3, "HeaderRegexp(`X-A`)", "", "", true, "a header name and a value but has 1", ""),
                row(V3, "Query(`a`, `b`)", "", "", true, "", ""),
                row(V3, "QueryRegexp(`a`, `^b$`)", "", "", true, "", ""),
                row(V3, "QueryRegexp(`a`, `b`, `c`)", "", "", true, "a key and an optional value but has 3", ""),
                row(V3, "PathPrefix(`api`)", "", "", true, "write PathPrefix(`/api`)", ""),
                row(V2, "Path(`/a`, `/b`) && PathPrefix(`/c`, `/d`)", "", "", true, "", ""),
                row(V2, "PathPrefix(`/a`, `b`)", "", "", true, "PathPrefix(`b`) does not start with '/'", ""),
                row(V2, "Method(`GET`, `POST`) && ClientIP(`10.0.0.1`, `10.0.0.0/8`)", "", "", true, "", ""),
                row(V2, "Headers(`X-A`, `1`, `X-B`, `2`)", "", "", true, "", ""),
                row(V2, "Headers(`X-A`, `1`, `X-B`)", "", "", true, "name/value pairs but has 3", ""),
                row(V2, "HeadersRegexp(`X-A`)", "", "", true, "name/value pairs but has 1", ""),
                row(V2, "Query(`a=1`, `b=`, `c=d=e`)", "", "", true, "", ""),
                row(V2, "Query(`a`)", "", "", true, "`a` has no '='; Traefik refuses the rule", ""),
                row(V2, "Query(`a=1`, `b`)", "", "", true, "write Query(`b=value`), or Query(`b=`)", ""),
                row(V2, "Query(`a`, `b`)", "", "", true, "which routecert refuses on purpose", ""),
                // unknown and misspelled matchers suggest the closest one of the route's syntax
                row(
                        V3,
                        "Hots(`a`)",
                        "",
                        "",
                        true,
                        "unknown matcher 'Hots' in Traefik v3 syntax; did you mean Host?",
                        ""),
                row(V3, "PathPrefx(`/a`)", "", "", true, "did you mean PathPrefix? / write PathPrefix instead", ""),
                row(V2, "hedaers(`X-A`, `1`)", "", "", true, "did you mean Headers?", ""),
                row(
                        V3,
                        "Headers(`X-A`, `1`)",
                        "",
                        "",
                        true,
                        "Headers is a Traefik v2 matcher; this route uses v3 syntax; did you mean Header?",
                        ""),
                row(
                        V2,
                        "Header(`X-A`, `1`)",
                        "",
                        "",
                        true,
                        "did you mean Headers? / use Headers instead, or remove syntax: v2",
                        ""),
                row(V3, "HostSNIRegexp(`^a$`)", "", "", true, "did you mean HostRegexp?", ""),
                row(
                        V3,
                        "Frobnicate(`a`)",
                        "",
                        "",
                        true,
                        "unknown matcher 'Frobnicate' in Traefik v3 syntax / use one of",
                        ""));
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
