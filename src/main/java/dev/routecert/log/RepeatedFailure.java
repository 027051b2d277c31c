package dev.routecert.log;

import dev.routecert.time.Clock;
import java.time.Duration;

/**
 * A failure that repeats (a watch that keeps failing, a Lease that cannot be renewed, an API server that
 * does not answer) logged as one clear line with its cause, then, while it goes on, at most one line a
 * minute with how often it failed since and the latest cause; and one line when it stops. Never a stack
 * trace per retry.
 */
public final class RepeatedFailure {

    public static final Duration REPORT_EVERY = Duration.ofMinutes(1);

    private final Log log;
    private final String what;
    private final Clock clock;

    // guarded by this
    private boolean failing;
    private long total;
    private long sinceReport;
    private long reportedAt;

    /** {@code what} starts every line: a fixed text of the caller's, such as {@code "leader election"}. */
    public RepeatedFailure(Log log, String what, Clock clock) {
        this.log = log;
        this.what = what;
        this.clock = clock;
    }

    public synchronized void failed(String cause) {
        long now = clock.nanoTime();
        total++;
        if (!failing) {
            failing = true;
            sinceReport = 0;
            reportedAt = now;
            log.warn(what + " failing; repeats are counted and reported once a minute: cause={}", cause);
            return;
        }
        sinceReport++;
        if (now - reportedAt >= REPORT_EVERY.toNanos()) {
            log.warn(
                    what + " still failing: failures={} since={} total={} cause={}",
                    sinceReport,
                    Duration.ofNanos(now - reportedAt).toSeconds() + "s",
                    total,
                    cause);
            sinceReport = 0;
            reportedAt = now;
        }
    }

    /** The thing worked again: one line if it had been failing. */
    public synchronized void recovered() {
        if (failing) {
            log.info(what + " recovered: failures={}", total);
            failing = false;
            total = 0;
        }
    }

    public synchronized boolean failing() {
        return failing;
    }
}
