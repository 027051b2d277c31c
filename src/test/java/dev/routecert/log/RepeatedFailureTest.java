package dev.routecert.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.routecert.time.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RepeatedFailureTest {

    @Test
    void oneLineWithTheCauseThenACountAtMostOnceAMinuteThenOneLineWhenItWorksAgain() {
        String name = "test.repeated-failure";
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        ((Logger) LoggerFactory.getLogger(name)).addAppender(lines);
        TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
        RepeatedFailure failure = new RepeatedFailure(Log.of(name), "leader election", clock);

        failure.failed("namespace ops not found");
        for (int i = 0; i < 11; i++) { // every 5 s for 55 s: counted, not written
            clock.advance(Duration.ofSeconds(5));
            failure.failed("namespace ops not found");
        }
        assertEquals(1, lines.list.size(), messages(lines)::toString);
        clock.advance(Duration.ofSeconds(5)); // a minute after the first line
        failure.failed("connection refused");
        clock.advance(Duration.ofSeconds(5));
        failure.failed("connection refused");
        failure.recovered();
        failure.recovered();

        assertEquals(
                List.of(
                        "leader election failing; repeats are counted and reported once a minute:"
                                + " cause=\"namespace ops not found\"",
                        "leader election still failing: failures=12 since=60s total=13 cause=\"connection refused\"",
                        "leader election recovered: failures=14"),
                messages(lines));
    }

    private static List<String> messages(ListAppender<ILoggingEvent> lines) {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
