package dev.routecert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void parsesGoStyleDurations() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
        assertEquals(Duration.ofSeconds(10), Durations.parse("10"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
        assertEquals(Duration.ofMinutes(150), Durations.parse("2h30m"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "10x", "1.5s", "-1s", "10s5", "ten seconds", "1m 30s"})
    void rejectsWhatIsNotADuration(String text) {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    }

    @Test
    void parsesSizes() {
        assertEquals(7340032L, Durations.parseSize("7Mi"));
        assertEquals(7340032L, Durations.parseSize("7MiB"));
        assertEquals(7340032L, Durations.parseSize("7340032"));
        assertEquals(512L * 1024, Durations.parseSize("512Ki"));
        assertEquals(1_000_000L, Durations.parseSize("1M"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parseSize("7 MB"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parseSize("-1"));
    }

    @Test
    void formatsForMessages() {
        assertEquals("30s", Durations.format(Duration.ofSeconds(30)));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
    }
}
