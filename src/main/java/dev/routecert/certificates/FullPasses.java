package dev.routecert.certificates;

import dev.routecert.time.Clock;
import java.time.Duration;

/**
 * When a reconciler runs (while this replica leads): a full pass when it starts and again every
 * resync period, queued as one marker key; stopping cancels the next pass and drops what is queued,
 * while work in progress finishes. The Certificate and the host claim reconcilers both run this way.
 */
public final class FullPasses<K> {

    private final KeyedQueue<K> queue;
    private final K everything;
    private final Duration resyncPeriod;
    private final Clock clock;
    private Clock.Timer resyncTimer;
    private volatile boolean running;

    public FullPasses(KeyedQueue<K> queue, K everything, Duration resyncPeriod, Clock clock) {
        this.queue = queue;
        this.everything = everything;
        this.resyncPeriod = resyncPeriod;
        this.clock = clock;
    }

    public boolean running() {
        return running;
    }

    /** Starts, with a full pass now; false when already running. */
    public synchronized boolean start() {
        if (running) {
            return false;
        }
        running = true;
        queue.add(everything);
        resyncTimer = clock.schedule(resyncPeriod, this::resync);
        return true;
    }

    private synchronized void resync() {
        if (running) {
            queue.add(everything);
            resyncTimer = clock.schedule(resyncPeriod, this::resync);
        }
    }

    /** Stops; false when not running. */
    public synchronized boolean stop() {
        if (!running) {
            return false;
        }
        running = false;
        if (resyncTimer != null) {
            resyncTimer.cancel();
        }
        queue.clear();
        return true;
    }
}
