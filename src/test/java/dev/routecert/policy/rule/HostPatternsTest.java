package dev.routecert.policy.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.policy.RuleSyntax;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Host patterns matched as Traefik matches them (spec rows 12-14, 23, 33 of the upstream table). */
class HostPatternsTest {

    private static Predicate<String> v3(String regexp) {
        return HostPatterns.regexp(regexp, RuleSyntax.V3).orElseThrow();
    }

    private static Predicate<String> v2(String template) {
        return HostPatterns.regexp(template, RuleSyntax.V2).orElseThrow();
    }

    @Test
    void aV3RegexpIsUnanchoredAndSeesTheLowerCaseHost() {
        assertTrue(v3("^[a-zA-Z-]+\\.com$").test("example.com"));
        assertFalse(v3("^[a-zA-Z-]+\\.com$").test("example.org"));
        assertFalse(v3("^[A-Z]+\\.com$").test("example.com"), "the host is lower case: upper case never matches");
        assertTrue(v3("example").test("www.example.org"), "unanchored: a substring is enough");
        assertFalse(v3("{domain:[a-zA-Z-]+\\.com}").test("example.com"), "a v2 template read as a v3 regexp");
    }

    @Test
    void aV2TemplateIsAnchoredAndCaseInsensitive() {
        assertTrue(v2("{sub:[a-z]+}.example.com").test("shop.example.com"));
        assertTrue(v2("{sub:[a-z]+}.example.com").test("SHOP.example.com"));
        assertFalse(v2("{sub:[a-z]+}.example.com").test("a.shop.example.com"));
        assertFalse(v2("{sub:[a-z]+}.example.com").test("shop.example.com.evil.io"));
        assertTrue(v2("{sub}.example.com").test("a-b.example.com"));
    }

    @Test
    void aMultiLabelWildcardIsOneOrMoreLabels() {
        Predicate<String> p = HostPatterns.multiWildcard("example.com");
        assertTrue(p.test("a.example.com"));
        assertTrue(p.test("a.b.example.com"));
        assertFalse(p.test("example.com"));
        assertFalse(p.test("badexample.com"));
    }

    @Test
    void aWildcardIsProbedWithALiteralAndSomeLabels() {
        assertEquals(List.of("db.example.com"), HostPatterns.probes("db.example.com"));
        List<String> probes = HostPatterns.probes("*.example.com");
        assertEquals("*.example.com", probes.getFirst());
        assertTrue(probes.contains("www.example.com"));
        assertTrue(
                probes.stream()
                        .skip(1)
                        .allMatch(n -> n.indexOf('*') < 0
                                && n.indexOf('.') > 0
                                && n.substring(n.indexOf('.')).equals(".example.com")),
                "each other probe is one label under example.com");
    }

    @Test
    void anInvalidOrOversizedPatternHasNoTest() {
        assertTrue(HostPatterns.regexp("(x", RuleSyntax.V3).isEmpty());
        assertTrue(HostPatterns.regexp("((a{1000}){1000}){1000}", RuleSyntax.V3).isEmpty());
    }
}
