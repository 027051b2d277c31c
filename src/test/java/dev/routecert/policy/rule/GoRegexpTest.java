package dev.routecert.policy.rule;

import static dev.routecert.policy.RuleSyntax.V2;
import static dev.routecert.policy.RuleSyntax.V3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.policy.Check;
import dev.routecert.policy.RuleSyntax;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regexps are checked as Go's regexp.Compile checks them. The rows are mostly patterns on which Go
 * and java.util.regex disagree.
 */
class GoRegexpTest {

    /** Columns: syntax, rule, Go's error ("" when Go compiles every regexp), offset of the argument. */
    static Stream<Arguments> table() {
        return Stream.of(
                // java.util.regex accepts these, Go does not
                row(V3, "PathRegexp(`(?=x)`)", "invalid or unsupported Perl syntax: `(?=`", 11),
                row(V3, "PathRegexp(`(?!x)`)", "invalid or unsupported Perl syntax: `(?!`", 11),
                row(V3, "PathRegexp(`(?<=x)`)", "invalid named capture: `(?<=x)`", 11),
                row(V3, "PathRegexp(`a++`)", "invalid nested repetition operator: `++`", 11),
                row(V3, "PathRegexp(`a*+`)", "invalid nested repetition operator: `*+`", 11),
                row(V3, "PathRegexp(`(a)\\1`)", "invalid escape sequence: `\\1`", 11),
                row(V3, "PathRegexp(`a\\Z`)", "invalid escape sequence: `\\Z`", 11),
                row(V3, "PathRegexp(`a{1001}`)", "invalid repeat count: `{1001}`", 11),
                // Go accepts these; java.util.regex rejects or reads them otherwise
                row(V3, "PathRegexp(`^/[[:alpha:]]+$`)", "", 0),
                row(V3, "PathRegexp(`^/(?P<n>x)$`)", "", 0),
                // Go 1.22 accepts (?<name>...) as well, and so does RE2/J 1.8
                row(V3, "PathRegexp(`^/(?<n>x)$`)", "", 0),
                row(V3, "PathRegexp(`(?i)a`)", "", 0),
                row(V3, "PathRegexp(`a{1000}`)", "", 0),
                row(V3, "HostRegexp(`^api\\.example\\.com$`)", "", 0),
                // invalid anywhere
                row(V3, "PathRegexp(`(`)", "missing closing ): `(`", 11),
                row(V3, "PathRegexp(`[a-`)", "missing closing ]: `[a-`", 11),
                row(V3, "PathRegexp(`*a`)", "missing argument to repetition operator: `*`", 11),
                // every argument Go compiles, at its own offset
                row(V3, "Host(`a`) && HostRegexp(`^(?=a).+$`)", "HostRegexp(`^(?=a).+$`): error parsing regexp", 24),
                row(V3, "HeaderRegexp(`X-A`, `a++`)", "HeaderRegexp(`a++`)", 20),
                row(V3, "HeaderRegexp(`(?=`, `a`)", "", 0),
                row(V3, "QueryRegexp(`k`, `\\Z`)", "QueryRegexp(`\\Z`)", 17),
                row(V3, "QueryRegexp(`(?=`)", "", 0),
                row(V2, "HeadersRegexp(`X-A`, `a`, `X-B`, `(?!b)`)", "HeadersRegexp(`(?!b)`)", 33),
                row(V2, "HostRegexp(`{sub:(?=a)[a-z]+}.example.com`)", "invalid or unsupported Perl syntax", 11),
                row(V2, "HostRegexp(`{sub:[a-z]{2,3}}.example.com`)", "", 0),
                row(V2, "HostRegexp(`(?=a).example.com`)", "", 0),
                row(V2, "Path(`/users/{id:[0-9]++}`)", "invalid nested repetition operator", 5),
                row(V2, "PathPrefix(`/users/{id:\\d+}`)", "", 0),
                // v3 Path is literal, not a template
                row(V3, "Path(`/users/{id:[0-9]++}`)", "", 0),
                // what Go refuses for its size or depth is refused without compiling
                row(V3, "PathRegexp(`((a{1000}){1000}){1000}`)", "expression too large", 11),
                row(
                        V3,
                        "PathRegexp(`" + "(".repeat(1001) + "a" + ")".repeat(1001) + "`)",
                        "expression nests too deeply",
                        11));
    }

    private static Arguments row(RuleSyntax syntax, String rule, String error, int offset) {
        return Arguments.of(syntax, rule, error, offset);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("table")
    void compilesAsGoDoes(RuleSyntax syntax, String rule, String error, int offset) {
        ParseResult p = RuleParser.parse(rule);
        assertTrue(p.ok(), () -> "should parse: " + p.error());
        List<RuleAnalyzer.Problem> errors = RuleAnalyzer.analyze(p.root(), syntax).problems().stream()
                .filter(x -> !x.warning())
                .toList();
        if (error.isEmpty()) {
            assertEquals(List.of(), errors);
            return;
        }
        assertEquals(1, errors.size(), () -> "errors: " + errors);
        RuleAnalyzer.Problem e = errors.getFirst();
        assertEquals(Check.RULE_REGEXP, e.check());
        assertTrue(e.message().contains(error), () -> "'" + e.message() + "' should contain '" + error + "'");
        assertEquals(offset, e.offset());
        assertTrue(e.hint().contains("no lookarounds, backreferences or possessive quantifiers"), e.hint());
    }

    @Test
    void aLargeButValidPatternIsMeasuredNotCompiled() {
        // Go's size for this is about a million instructions: within its limit, above the budget here
        assertEquals(null, GoRegexp.error("(?:a{1000}){1000}"));
        assertTrue(GoRegexp.measure("(?:a{1000}){1000}").size() > GoRegexp.COMPILE_BUDGET);
        assertTrue(GoRegexp.measure("(?:a{1000}){1000}").size() < GoRegexp.GO_MAX_SIZE);
    }
}
