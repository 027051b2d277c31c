package dev.routecert.certificates;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A de-duplicating work queue with one worker thread: a key added while it is already waiting runs
 * once, at the earlier of the two times; a key added while it runs runs again afterwards. Keys are
 * therefore never processed concurrently, and a burst of events costs one pass per key.
 */
final class KeyedQueue<K> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeyedQueue.class);

    private final ScheduledExecutorService worker;
    private final Consumer<K> handler;
    private final Map<K, Pending> waiting = new HashMap<>();

    private record Pending(long dueNanos, ScheduledFuture<?> future) {}

    KeyedQueue(String threadName, Consumer<K> handler) {
        this.handler = handler;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    void add(K key) {
        add(key, Duration.ZERO);
    }

    synchronized void add(K key, Duration delay) {
        if (worker.isShutdown()) {
            return;
        }
        long due = System.nanoTime() + Math.max(0, delay.toNanos());
        Pending pending = waiting.get(key);
        if (pending != null) {
            if (pending.dueNanos <= due) {
                return;
            }
            pending.future.cancel(false);
        }
        ScheduledFuture<?> future = worker.schedule(() -> run(key), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        waiting.put(key, new Pending(due, future));
    }

    private void run(K key) {
        synchronized (this) {
            waiting.remove(key);
        }
        try {
            handler.accept(key);
        } catch (RuntimeException e) {
            log.warn("reconciler: {} failed: {}", key, e.toString(), e);
        }
    }

    /** Drops what waits; the key being processed finishes. */
    synchronized void clear() {
        waiting.values().forEach(p -> p.future.cancel(false));
        waiting.clear();
    }

    @Override
    public synchronized void close() {
        clear();
        worker.shutdownNow();
    }
}
