package dev.routecert.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.time.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolledFileTest {

    private static final Duration MANUAL = Duration.ZERO;

    /** Parses a number; "later" is refused with retry, anything else not a number without. */
    private static final class Numbers implements PolledFile.Handler<Integer> {
        final List<String> events = new CopyOnWriteArrayList<>();
        int parses;

        @Override
        public PolledFile.Outcome<Integer> parse(List<byte[]> contents) {
            parses++;
            String text = new String(contents.get(0), StandardCharsets.UTF_8).trim();
            if (text.equals("later")) {
                return new PolledFile.Refused<>("not yet", true);
            }
            try {
                return new PolledFile.Loaded<>(Integer.parseInt(text));
            } catch (NumberFormatException e) {
                return new PolledFile.Refused<>("not a number: " + text, false);
            }
        }

        @Override
        public void loaded(Integer value, Integer previous) {
            events.add("loaded " + value + " after " + previous);
        }

        @Override
        public void refused(String problem, Integer kept) {
            events.add("refused (" + problem + ") keeping " + kept);
        }
    }

    @Test
    void aBadContentKeepsTheLastGoodValueAndIsReportedOnce(@TempDir Path dir) throws Exception {
        MountedVolume volume = new MountedVolume(dir);
        volume.write("n", "1");
        Numbers handler = new Numbers();
        try (PolledFile<Integer> file = new PolledFile<>("test", List.of(volume.file("n")), MANUAL, handler)) {
            assertEquals(Optional.of(1), file.current());
            volume.write("n", "x");
            file.poll();
            file.poll();
            file.poll();
            assertEquals(Optional.of(1), file.current());
            assertEquals("not a number: x", file.lastProblem());
            volume.write("n", "2");
            file.poll();
            assertEquals(Optional.of(2), file.current());
            assertEquals("", file.lastProblem());
            assertEquals(
                    List.of("loaded 1 after null", "refused (not a number: x) keeping 1", "loaded 2 after 1"),
                    handler.events);
            assertEquals(3, handler.parses, "unchanged bytes are not parsed again");
        }
    }

    @Test
    void aMissingFileIsReportedOnceAndReadWhenItAppears(@TempDir Path dir) throws Exception {
        MountedVolume volume = new MountedVolume(dir);
        Numbers handler = new Numbers();
        try (PolledFile<Integer> file = new PolledFile<>("test", List.of(volume.file("n")), MANUAL, handler)) {
            file.poll();
            file.poll();
            assertEquals(Optional.empty(), file.current());
            assertTrue(file.lastProblem().contains("does not exist"), file.lastProblem());
            volume.write("n", "7");
            file.poll();
            assertEquals(Optional.of(7), file.current());
            assertEquals(
                    1,
                    handler.events.stream().filter(e -> e.startsWith("refused")).count(),
                    handler.events::toString);
        }
    }

    @Test
    void aRefusalWithRetryParsesTheSameBytesAgainButReportsOnce(@TempDir Path dir) throws Exception {
        MountedVolume volume = new MountedVolume(dir);
        volume.write("n", "later");
        Numbers handler = new Numbers();
        try (PolledFile<Integer> file = new PolledFile<>("test", List.of(volume.file("n")), MANUAL, handler)) {
            file.poll();
            file.poll();
            assertEquals(3, handler.parses);
            assertEquals(List.of("refused (not yet) keeping null"), handler.events);
        }
    }

    @Test
    void aDataSwapIsPickedUpByTheRunningPoller(@TempDir Path dir) throws Exception {
        MountedVolume volume = new MountedVolume(dir);
        volume.write("n", "1");
        Numbers handler = new Numbers();
        try (PolledFile<Integer> file =
                new PolledFile<>("test-poller", List.of(volume.file("n")), Duration.ofMillis(10), handler)) {
            for (int i = 2; i <= 5; i++) {
                volume.write("n", String.valueOf(i));
                int expected = i;
                Await.until(
                        "value " + i,
                        Duration.ofSeconds(10),
                        () -> file.current().equals(Optional.of(expected)));
            }
            volume.write("n", "bad");
            Await.until(
                    "the refusal",
                    Duration.ofSeconds(10),
                    () -> !file.lastProblem().isEmpty());
            assertEquals(Optional.of(5), file.current());
        }
    }
}
