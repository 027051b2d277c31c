package dev.routecert.policy.rule;

import static dev.routecert.policy.RuleSyntax.V2;
import static dev.routecert.policy.RuleSyntax.V3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.policy.RuleSyntax;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** TCP rules (an IngressRouteTCP's), from Traefik's TCP matcher tables, as a table. */
class TcpRuleAnalyzerTest {

    /** Columns: syntax, rule, served hosts (comma-joined), served regexps, expected error fragment ("" for none). */
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(V3, "HostSNI(`db.example.com`)", "db.example.com", "", ""),
                Arguments.of(V3, "hostsni(`a`) || HOSTSNI(`b`)", "a,b", "", ""),
                Arguments.of(V3, "HostSNI(`*`)", "*", "", ""),
                Arguments.of(V3, "HostSNI(`a`, `b`)", "", "", "HostSNI takes one value in Traefik v3 syntax"),
                Arguments.of(V2, "HostSNI(`a`, `b`)", "a,b", "", ""),
                Arguments.of(V3, "HostSNIRegexp(`^.+\\.example\\.com$`)", "", "^.+\\.example\\.com$", ""),
                Arguments.of(V3, "HostSNIRegexp(`(x`)", "", "", "error parsing regexp: missing closing )"),
                Arguments.of(V2, "HostSNIRegexp(`{sub:[a-z]+}.example.com`)", "", "{sub:[a-z]+}.example.com", ""),
                Arguments.of(V2, "HostSNIRegexp(`{sub}.example.com`)", "*.example.com", "", ""),
                Arguments.of(V2, "HostSNIRegexp(`{sub.example.com`)", "", "", "unbalanced braces"),
                Arguments.of(V3, "HostSNI(`a`) && ALPN(`h2`)", "a", "", ""),
                Arguments.of(V3, "ALPN(`acme-tls/1`)", "", "", "TLS-ALPN-01"),
                Arguments.of(V2, "ALPN(`h2`, `ACME-TLS/1`)", "", "", "TLS-ALPN-01"),
                Arguments.of(V3, "ClientIP(`10.0.0.0/8`)", "", "", ""),
                Arguments.of(V3, "ClientIP(`ten`)", "", "", "neither an IP address"),
                Arguments.of(V3, "Host(`a`)", "", "", "Host is an HTTP matcher; an IngressRouteTCP matches"),
                Arguments.of(V3, "Host(`a`)", "", "", "did you mean HostSNI?"),
                Arguments.of(V3, "HostRegexp(`a`)", "", "", "did you mean HostSNIRegexp?"),
                Arguments.of(V2, "HostHeader(`a`)", "", "", "did you mean HostSNI?"),
                Arguments.of(
                        V3, "PathPrefix(`/a`)", "", "", "match with one of HostSNI, HostSNIRegexp, ALPN, ClientIP"),
                Arguments.of(V3, "HostSNl(`a`)", "", "", "did you mean HostSNI?"),
                Arguments.of(V3, "hostSni(`a`)", "", "", "did you mean HostSNI?"));
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @MethodSource("table")
    void tcpRule(RuleSyntax syntax, String rule, String hosts, String regexps, String error) {
        ParseResult parsed = RuleParser.parse(rule);
        assertTrue(parsed.ok(), rule);
        RuleAnalyzer.Analysis a = RuleAnalyzer.analyzeTcp(parsed.root(), syntax);
        String problems =
                a.problems().stream().map(p -> p.message() + " / " + p.hint()).collect(Collectors.joining("; "));
        if (error.isEmpty()) {
            assertEquals("", problems, rule);
            assertEquals(
                    hosts,
                    a.servedHosts().stream().map(RuleAnalyzer.HostUse::value).collect(Collectors.joining(",")),
                    rule);
            assertEquals(
                    regexps,
                    a.servedRegexps().stream().map(RuleAnalyzer.HostUse::value).collect(Collectors.joining(",")),
                    rule);
        } else {
            assertTrue(problems.contains(error), rule + " -> " + problems);
        }
    }

    /** The HTTP table still refuses the TCP matchers, and the TCP table the HTTP ones. */
    @ParameterizedTest
    @MethodSource("table")
    void theHttpTableRefusesTcpMatchers(RuleSyntax syntax, String rule, String hosts, String regexps, String error) {
        if (!rule.startsWith("HostSNI")) {
            return;
        }
        RuleAnalyzer.Analysis a = RuleAnalyzer.analyze(RuleParser.parse(rule).root(), syntax);
        assertTrue(a.hasErrors(), rule);
    }
}
