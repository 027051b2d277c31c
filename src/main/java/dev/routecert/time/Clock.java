package dev.routecert.time;

import java.time.Duration;
import java.time.InstantSource;

/**
 * The one source of time for the reconciler, its queue and admission's deadlines and stamps, so
 * that a test can drive all of them: wall time for what is written down, a monotonic reading for
 * what is measured, and timers for work that is due later.
 */
public interface Clock extends InstantSource {

    /** Monotonic nanoseconds for deadlines and durations; only differences between readings mean anything. */
    long nanoTime();

    /**
     * Runs {@code task} once {@code delay} has passed on this clock, on a thread of the clock's. The
     * task must be short: it hands work on rather than doing it.
     */
    Timer schedule(Duration delay, Runnable task);

    /** A scheduled task that has not run yet. */
    interface Timer {
        /** The task does not run, unless it has already started. */
        void cancel();
    }

    /** The machine's clock, with one daemon timer thread shared by everything that schedules on it. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
