package dev.routecert.policy.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.routecert.policy.RuleSyntax;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class MatchersTest {

    @Test
    void spellingFindsEveryAcceptedSpellingInPlace() {
        for (RuleSyntax syntax : RuleSyntax.values()) {
            for (Matchers.Spec spec : Matchers.table(syntax)) {
                String name = spec.name();
                String lower = name.toLowerCase(Locale.ROOT);
                for (String written : new String[] {
                    name,
                    lower,
                    name.toUpperCase(Locale.ROOT),
                    Character.toUpperCase(lower.charAt(0)) + lower.substring(1)
                }) {
                    String rule = " (" + written + "(`x`)";
                    assertEquals(written, Matchers.spelling(rule, 2, 2 + written.length()), written);
                }
            }
        }
    }

    @Test
    void spellingIsNullForAnythingElse() {
        for (String written : new String[] {"pathPrefix", "HostSNI", "Hostx", "Hos", "H".repeat(40), "h\u00f6st"}) {
            String rule = "!" + written + "(`x`)";
            assertNull(Matchers.spelling(rule, 1, 1 + written.length()), written);
        }
        assertEquals("Host", Matchers.spelling("!Hostx(`x`)", 1, 5));
    }
}
