package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code routecert warmup}, the image build's AOT training run, in-process. */
class WarmupCommandTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void answersEveryKindOfReviewOnBothEndpointsAndExitsZero() {
        CliRun run = run("warmup", "--reviews", "12", "--concurrency", "3");
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().startsWith("warmup: 12 reviews answered as expected in "), run.out());
        for (String outcome : new String[] {
            "/mutate allowed=2", "/mutate denied=2", "/mutate patched=2", "/validate allowed=4", "/validate denied=2"
        }) {
            assertTrue(run.out().contains(outcome), outcome + " in " + run.out());
        }
    }

    @Test
    void refusesANumberOfReviewsBelowOne() {
        CliRun run = run("warmup", "--reviews", "0");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--reviews and --concurrency must be at least 1"), run.err());
    }
}
