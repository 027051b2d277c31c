package dev.routecert.certificates;

import dev.routecert.log.Log;
import dev.routecert.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A de-duplicating work queue with one worker thread, timed by a {@link Clock}: a key added while it
 * is already waiting runs once, at the earlier of the two times; a key added while it runs runs
 * again afterwards. Keys are therefore never processed concurrently, and a burst of events costs one
 * pass per key. A key that fails is retried after a delay that doubles with each failure in a row
 * ({@link #retry}) until {@link #forget} says it went through.
 */
public final class KeyedQueue<K> implements AutoCloseable {

    private static final Log log = Log.of(KeyedQueue.class);

    private final Clock clock;
    private final Backoff backoff;
    private final QueueMetrics metrics;
    private final Consumer<K> handler;
    private final Thread worker;

    // Guarded by this.
    /** Keys due now, in the order they became due, with the clock's nanoTime at that moment. */
    private final LinkedHashMap<K, Long> ready = new LinkedHashMap<>();

    private final Map<K, Later> later = new HashMap<>();
    private final Map<K, Integer> failures = new HashMap<>();
    private boolean busy;
    private long busySince;
    /** The key being handled, and what its handling asked for (a retry, a later look), for the reconcile metrics. */
    private K current;

    private QueueMetrics.Result asked;
    private long processed;
    private boolean closed;

    private record Later(long dueNanos, Clock.Timer timer) {}

    /** Per-key exponential backoff: {@code base}, doubled for each further failure in a row, at most {@code cap}. */
    public record Backoff(Duration base, Duration cap) {
        Duration delay(int failures) {
            int doublings = Math.min(Math.max(0, failures - 1), 62);
            long nanos = base.toNanos();
            long capped = cap.toNanos();
            return Duration.ofNanos(nanos > capped >> doublings ? capped : Math.min(capped, nanos << doublings));
        }
    }

    public KeyedQueue(String name, Clock clock, Backoff backoff, QueueMetrics metrics, Consumer<K> handler) {
        this.clock = clock;
        this.backoff = backoff;
        this.metrics = metrics;
        this.handler = handler;
        metrics.watch(this::depth, this::runningNanos);
        this.worker = new Thread(this::work, name);
        worker.setDaemon(true);
        worker.start();
    }

    public void add(K key) {
        add(key, Duration.ZERO);
    }

    public synchronized void add(K key, Duration delay) {
        if (closed) {
            return;
        }
        if (delay.isNegative() || delay.isZero()) {
            note(key, QueueMetrics.Result.REQUEUE);
            makeReady(key);
            return;
        }
        note(key, QueueMetrics.Result.REQUEUE_AFTER);
        metrics.retried(); // as client-go counts every delayed add
        if (ready.containsKey(key)) {
            return;
        }
        long due = clock.nanoTime() + delay.toNanos();
        Later waiting = later.get(key);
        if (waiting != null) {
            if (waiting.dueNanos <= due) {
                return;
            }
            waiting.timer.cancel();
        }
        later.put(key, new Later(due, clock.schedule(delay, () -> due(key, due))));
    }

    /** Adds {@code key} again after its backoff, which doubles with each call until {@link #forget}; returns the delay. */
    public synchronized Duration retry(K key) {
        Duration delay = backoff.delay(failures.merge(key, 1, Integer::sum));
        add(key, delay);
        note(key, QueueMetrics.Result.ERROR); // a retry after a failure, as a Reconcile that returned an error
        return delay;
    }

    /**
     * Guarded by this. What the handler asked for its own key (an add by another thread is news, not a
     * requeue), the strongest kept: an error over a requeue over a later look.
     */
    private void note(K key, QueueMetrics.Result result) {
        if (busy
                && Thread.currentThread() == worker
                && key.equals(current)
                && (asked == null || result.compareTo(asked) < 0)) {
            asked = result;
        }
    }

    /** The key went through: its next failure waits the shortest delay again. */
    public synchronized void forget(K key) {
        failures.remove(key);
    }

    private synchronized void due(K key, long dueNanos) {
        Later waiting = later.get(key);
        if (waiting != null && waiting.dueNanos == dueNanos) {
            makeReady(key);
        }
    }

    private void makeReady(K key) {
        Later waiting = later.remove(key);
        if (waiting != null) {
            waiting.timer.cancel();
        }
        if (ready.putIfAbsent(key, clock.nanoTime()) == null) {
            metrics.added();
            notifyAll();
        }
    }

    private void work() {
        while (true) {
            K key;
            synchronized (this) {
                try {
                    while (ready.isEmpty() && !closed) {
                        wait();
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (closed) {
                    return;
                }
                Iterator<Map.Entry<K, Long>> first = ready.entrySet().iterator();
                Map.Entry<K, Long> next = first.next();
                first.remove();
                key = next.getKey();
                busy = true;
                current = key;
                asked = null;
                busySince = clock.nanoTime();
                metrics.waited(busySince - next.getValue());
            }
            boolean threw = false;
            try {
                handler.accept(key);
            } catch (RuntimeException e) {
                threw = true;
                log.warn("reconciler: {} failed", key, e);
            } finally {
                synchronized (this) {
                    long nanos = clock.nanoTime() - busySince;
                    metrics.worked(nanos);
                    metrics.reconciled(
                            threw ? QueueMetrics.Result.ERROR : asked == null ? QueueMetrics.Result.SUCCESS : asked,
                            nanos);
                    current = null;
                    busy = false;
                    processed++;
                    notifyAll();
                }
            }
        }
    }

    /** Keys due and not yet taken by the worker. */
    public synchronized int depth() {
        return ready.size();
    }

    /** How long the worker has been on its current key; zero when idle. */
    private synchronized long runningNanos() {
        return busy ? clock.nanoTime() - busySince : 0;
    }

    /** Keys the worker has finished, for tests that must know it has looked at something. */
    public synchronized long processed() {
        return processed;
    }

    /** Nothing due and nothing being processed; keys waiting for a later time do not count. */
    public synchronized boolean idle() {
        return ready.isEmpty() && !busy;
    }

    /** Drops what waits and the failure counts; the key being processed finishes. */
    public synchronized void clear() {
        later.values().forEach(l -> l.timer.cancel());
        later.clear();
        ready.clear();
        failures.clear();
    }

    @Override
    public void close() {
        synchronized (this) {
            clear();
            closed = true;
            notifyAll();
        }
        worker.interrupt();
    }
}
