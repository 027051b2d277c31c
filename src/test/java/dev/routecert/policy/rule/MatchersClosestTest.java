package dev.routecert.policy.rule;

import static dev.routecert.policy.RuleSyntax.V2;
import static dev.routecert.policy.RuleSyntax.V3;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.routecert.policy.RuleSyntax;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The closest known matcher to a misspelled one, and how close is close enough. */
class MatchersClosestTest {

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(V3, "Hots", "Host"),
                Arguments.of(V3, "hots", "Host"),
                Arguments.of(V3, "PathPrefx", "PathPrefix"),
                Arguments.of(V3, "Headers", "Header"),
                Arguments.of(V2, "Header", "Headers"),
                Arguments.of(V3, "HostRegex", "HostRegexp"),
                Arguments.of(V3, "ClientIp", "ClientIP"),
                // 3 edits from a 10-letter name is still a third of it
                Arguments.of(V3, "HostSNIRegexp", "HostRegexp"),
                Arguments.of(V3, "HostSNI", ""),
                Arguments.of(V3, "Nope", ""),
                Arguments.of(V2, "PathRegexp", ""),
                Arguments.of(V3, "X", ""));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("table")
    void suggests(RuleSyntax syntax, String written, String expected) {
        assertEquals(expected.isEmpty() ? Optional.empty() : Optional.of(expected), Matchers.closest(syntax, written));
    }

    @Test
    void distanceCountsATranspositionAsOneEdit() {
        assertEquals(1, Matchers.distance("hots", "host"));
        assertEquals(2, Matchers.distance("pth", "path2"));
        assertEquals(0, Matchers.distance("", ""));
    }
}
