package dev.routecert.certificates;

import java.time.Duration;

/** A point in time that a chain of API calls must finish by, read from a monotonic clock. */
public final class Deadline {

    private final long endNanos;
    private final Duration total;

    private Deadline(long endNanos, Duration total) {
        this.endNanos = endNanos;
        this.total = total;
    }

    public static Deadline in(Duration duration) {
        return new Deadline(System.nanoTime() + duration.toNanos(), duration);
    }

    /** Time left; zero or negative once passed. */
    public Duration remaining() {
        return Duration.ofNanos(endNanos - System.nanoTime());
    }

    public Duration total() {
        return total;
    }
}
