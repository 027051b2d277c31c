package dev.routecert.certificates;

import dev.routecert.time.Clock;
import java.time.Duration;

/** A point in time that a chain of API calls must finish by, read from a clock's monotonic time. */
public final class Deadline {

    private final Clock clock;
    private final long endNanos;
    private final Duration total;

    private Deadline(Clock clock, long endNanos, Duration total) {
        this.clock = clock;
        this.endNanos = endNanos;
        this.total = total;
    }

    public static Deadline in(Duration duration, Clock clock) {
        return new Deadline(clock, clock.nanoTime() + duration.toNanos(), duration);
    }

    /** Time left; zero or negative once passed. */
    public Duration remaining() {
        return Duration.ofNanos(endNanos - clock.nanoTime());
    }

    public Duration total() {
        return total;
    }
}
