package dev.routecert.policy.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RuleParserTest {

    /** A compact rendering of a tree: {@code and(Host[a], !Path[/x])}. */
    static String show(RuleNode n) {
        return switch (n) {
            case RuleNode.Call c ->
                c.name() + c.args().stream().map(RuleNode.Arg::value).collect(Collectors.joining(",", "[", "]"));
            case RuleNode.Not x -> "!" + show(x.operand());
            case RuleNode.And a ->
                a.operands().stream().map(RuleParserTest::show).collect(Collectors.joining(", ", "and(", ")"));
            case RuleNode.Or o ->
                o.operands().stream().map(RuleParserTest::show).collect(Collectors.joining(", ", "or(", ")"));
        };
    }

    static Stream<Arguments> validRules() {
        return Stream.of(
                Arguments.of(
                        "Host(`www.example.com`) && PathPrefix(`/images`)",
                        "and(Host[www.example.com], PathPrefix[/images])"),
                Arguments.of("Host(`a`)||Host(`b`)", "or(Host[a], Host[b])"),
                Arguments.of("Host(`a`) || Host(`b`) && Path(`/x`)", "or(Host[a], and(Host[b], Path[/x]))"),
                Arguments.of("(Host(`a`) || Host(`b`)) && Path(`/x`)", "and(or(Host[a], Host[b]), Path[/x])"),
                Arguments.of("!Host(`a`)", "!Host[a]"),
                Arguments.of("!!Host(`a`)", "!!Host[a]"),
                Arguments.of("! ( Host(`a`) )", "!Host[a]"),
                Arguments.of("Host(\"a.example.com\")", "Host[a.example.com]"),
                Arguments.of("Host(\"a\\u00e9\") ", "Host[a\u00e9]"),
                Arguments.of("PathRegexp(\"^/a\\\\.b$\")", "PathRegexp[^/a\\.b$]"),
                Arguments.of("Host(\"\\x61\\142c\")", "Host[abc]"),
                Arguments.of("Host(`a`, `b`)", "Host[a,b]"),
                Arguments.of("Host(`a`,)", "Host[a]"),
                Arguments.of("Host()", "Host[]"),
                Arguments.of("  \t Host ( `a` )\t ", "Host[a]"),
                Arguments.of("Host(`a`) &&\n  PathPrefix(`/b`)", "and(Host[a], PathPrefix[/b])"),
                Arguments.of("Host(`a`)\n", "Host[a]"),
                Arguments.of("Host(`a`) /* the app */ && Path(`/`)", "and(Host[a], Path[/])"),
                Arguments.of("Host(`a`) && // comment\n Path(`/`)", "and(Host[a], Path[/])"),
                Arguments.of("Host(`multi\nline`)", "Host[multi\nline]"),
                Arguments.of("Header(`X-Env`, `prod`) && Method(`GET`)", "and(Header[X-Env,prod], Method[GET])"),
                Arguments.of("HostRegexp(`{sub:[a-z]+}.example.com`)", "HostRegexp[{sub:[a-z]+}.example.com]"),
                Arguments.of(
                        "Host(`a`) && Host(`b`) && Host(`c`) || Host(`d`)",
                        "or(and(Host[a], Host[b], Host[c]), Host[d])"),
                Arguments.of("h\u00f6st(`x`)", "h\u00f6st[x]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validRules")
    void parsesValidRules(String rule, String expected) {
        ParseResult r = RuleParser.parse(rule);
        assertTrue(r.ok(), () -> "expected to parse, got " + r.error());
        assertEquals(expected, show(r.root()));
    }

    static Stream<Arguments> malformedRules() {
        return Stream.of(
                Arguments.of("", 0, "empty"),
                Arguments.of("   ", 0, "empty"),
                Arguments.of("Host(`a`) & Path(`/`)", 10, "single '&'"),
                Arguments.of("Host(`a`) | Path(`/`)", 10, "single '|'"),
                Arguments.of("Host(`a`", 4, "never closed"),
                Arguments.of("Host(`a)", 5, "never closed"),
                Arguments.of("Host('a')", 5, "single quotes"),
                Arguments.of("Host(a)", 5, "not quoted"),
                Arguments.of("Host(`a`) Path(`/`)", 10, "after a complete matcher"),
                Arguments.of("Host(`a`) &&", 12, "ends where a matcher was expected"),
                Arguments.of("&& Host(`a`)", 0, "where a matcher was expected"),
                Arguments.of("(Host(`a`)", 0, "never closed"),
                Arguments.of("Host(`a`))", 9, "after a complete matcher"),
                Arguments.of("Host", 4, "must be followed by its arguments"),
                Arguments.of("Host(`a` `b`)", 9, "unexpected"),
                Arguments.of("Host(,)", 5, "unexpected ','"),
                Arguments.of("Host(`a`)\n&& Path(`/`)", 9, "line break"),
                Arguments.of("Host(`a`\n)", 8, "line break"),
                Arguments.of("Host(\"a\\q\")", 7, "unknown escape"),
                Arguments.of("Host(\"a)", 5, "never closed"),
                Arguments.of("Host(\"a\nb\")", 5, "never closed"),
                Arguments.of("Host(`a`) == Path(`/`)", 10, "comparison"),
                Arguments.of("Host(`a`) != Path(`/`)", 10, "'!='"),
                Arguments.of("Host(42)", 5, "number"),
                Arguments.of("`a`", 0, "argument of a matcher"),
                Arguments.of("Host(`a`) && /* open", 13, "comment"),
                Arguments.of("Traefik.Host(`a`)", 7, "unexpected character '.'"),
                Arguments.of("Host(`a`) && \u0000", 13, "U+0000"),
                Arguments.of("Host(\"\\uD800\")", 6, "not a valid Unicode"),
                Arguments.of(
                        "(".repeat(RuleParser.MAX_DEPTH + 1) + "Host(`a`)" + ")".repeat(RuleParser.MAX_DEPTH + 1),
                        RuleParser.MAX_DEPTH,
                        "levels deep"),
                Arguments.of("!".repeat(RuleParser.MAX_DEPTH + 1) + "Host(`a`)", RuleParser.MAX_DEPTH, "levels deep"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRules")
    void reportsMalformedRulesWithOffset(String rule, int offset, String messagePart) {
        ParseResult r = RuleParser.parse(rule);
        assertTrue(!r.ok(), () -> "expected a syntax error, got " + show(r.root()));
        RuleSyntaxError e = r.error();
        assertEquals(offset, e.offset(), () -> "offset of: " + e);
        assertTrue(
                e.message().contains(messagePart),
                () -> "message '" + e.message() + "' should contain '" + messagePart + "'");
        assertNotNull(e.hint());
        assertTrue(!e.hint().isBlank());
    }

    @Test
    void acceptsNestingUpToTheLimit() {
        int d = RuleParser.MAX_DEPTH;
        ParseResult r = RuleParser.parse("(".repeat(d) + "Host(`a`)" + ")".repeat(d));
        assertTrue(r.ok(), () -> String.valueOf(r.error()));
        assertEquals("Host[a]", show(r.root()));
    }

    @Test
    void nullRuleIsAnError() {
        assertEquals(0, RuleParser.parse(null).error().offset());
    }

    @Test
    void recordsArgumentOffsetsAndQuotes() {
        ParseResult r = RuleParser.parse("Host(`a`) && Path(\"/b\")");
        RuleNode.And and = (RuleNode.And) r.root();
        RuleNode.Call host = (RuleNode.Call) and.operands().get(0);
        RuleNode.Call path = (RuleNode.Call) and.operands().get(1);
        assertEquals(0, host.offset());
        assertEquals(5, host.args().getFirst().offset());
        assertEquals('`', host.args().getFirst().quote());
        assertEquals(13, path.offset());
        assertEquals(18, path.args().getFirst().offset());
        assertEquals('"', path.args().getFirst().quote());
    }

    @Test
    void hugeFlatChainIsNotDeep() {
        // 20 000 operands in one chain: a flat list, no recursion per operand
        String rule =
                Stream.generate(() -> "Host(`a.example.com`)").limit(20_000).collect(Collectors.joining(" || "));
        ParseResult r = RuleParser.parse(rule);
        assertTrue(r.ok());
        if (!(r.root() instanceof RuleNode.Or or) || or.operands().size() != 20_000) {
            fail("expected one Or with 20000 operands");
        }
    }
}
