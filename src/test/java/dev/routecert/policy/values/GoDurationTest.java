package dev.routecert.policy.values;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "2160h, 2160h0m0s",
        "1h, 1h0m0s",
        "90m, 1h30m0s",
        "1h30m, 1h30m0s",
        "30m, 30m0s",
        "1.5h, 1h30m0s",
        "0, 0s",
        "300ms, 300ms",
        "1.5s, 1.5s",
        "1500us, 1.5ms",
        "-1h, -1h0m0s",
        "+5m, 5m0s",
        ".5h, 30m0s",
        "1h1m1s1ms, 1h1m1.001s",
        "2562047h47m16.854775807s, 2562047h47m16.854775807s",
    })
    void parsesAndFormatsLikeGo(String text, String formatted) {
        GoDuration.Parsed p = GoDuration.parse(text);
        assertTrue(p.ok(), () -> p.error());
        assertEquals(formatted, GoDuration.format(p.nanos()));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "30",
                "1d",
                "h",
                "1.h5",
                ".h",
                "-",
                "1H",
                "2562047h47m16.854775808s",
                "9999999999999999999h",
                "1h 30m"
            })
    void rejectsWhatGoRejects(String text) {
        assertFalse(GoDuration.parse(text).ok(), text);
    }
}
