package dev.routecert.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Clock} that stands still until a test moves it, like client-go's fake clock: {@link
 * #advance} moves wall and monotonic time together and runs, on the calling thread and in the order
 * they fall due, the timers that are due by then, so what time triggers happens before it returns.
 */
public final class TestClock implements Clock {

    private Instant now;
    private long nanos;
    private long sequence;
    private final PriorityQueue<Entry> timers = new PriorityQueue<>();

    private final class Entry implements Comparable<Entry>, Timer {
        final long due;
        final long order = sequence++;
        final Runnable task;

        Entry(long due, Runnable task) {
            this.due = due;
            this.task = task;
        }

        @Override
        public int compareTo(Entry other) {
            return due != other.due ? Long.compare(due, other.due) : Long.compare(order, other.order);
        }

        @Override
        public void cancel() {
            synchronized (TestClock.this) {
                timers.remove(this);
            }
        }
    }

    public TestClock(Instant start) {
        this.now = start;
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Timer schedule(Duration delay, Runnable task) {
        Entry entry = new Entry(nanos + Math.max(0, delay.toNanos()), task);
        timers.add(entry);
        return entry;
    }

    /** Moves time on by {@code step}, running every timer due by then (those its tasks set, too). */
    public void advance(Duration step) {
        long target;
        synchronized (this) {
            target = nanos + step.toNanos();
        }
        while (true) {
            Entry next;
            synchronized (this) {
                next = timers.peek();
                if (next == null || next.due > target) {
                    now = now.plusNanos(target - nanos);
                    nanos = target;
                    return;
                }
                timers.poll();
                now = now.plusNanos(next.due - nanos);
                nanos = next.due;
            }
            next.task.run(); // outside the lock: a task may schedule again
        }
    }

    /** How long until each timer set now is due, soonest first. */
    public synchronized List<Duration> pendingTimers() {
        List<Duration> out = new ArrayList<>();
        timers.stream().sorted().forEach(e -> out.add(Duration.ofNanos(e.due - nanos)));
        return out;
    }
}
