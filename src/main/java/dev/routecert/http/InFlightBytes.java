package dev.routecert.http;

import dev.routecert.admission.ReviewRejection;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A budget of review bytes in process at once ({@code --max-in-flight-bytes}). A review holds a share
 * of the bytes it has received, from as they arrive until its answer is written: judging a review takes
 * several times its size in heap, so this bounds the heap that concurrent large reviews take, and on
 * a pod with one or two cores it runs them one after the other instead of side by side, which
 * finishes each sooner. Small reviews take a few KiB and pass a waiting large one, so they are not
 * held up by it; a review larger than the whole budget waits until it can run alone. The wait is
 * bounded: past it, the review is refused with 503 and the API server applies the webhook's failure
 * policy.
 *
 * <p>A share is taken without a lock when it is free. A review that has to wait is woken only when a
 * release leaves at least the smallest waiting share free, not on every release: while a large
 * review waits for another to finish, thousands of small ones come and go, and waking it for each
 * (as a {@code Semaphore} does) cost a futile context switch per review.
 */
final class InFlightBytes {

    private final int capacity;
    private final AtomicInteger free;
    private final Runnable onWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    /** The shares of the reviews waiting now; guarded by {@link #lock}. */
    private final PriorityQueue<Integer> waiting = new PriorityQueue<>();
    /**
     * The smallest share a review waits for, {@link Integer#MAX_VALUE} when none waits. A waiter
     * writes it before it looks at {@link #free}, and a release writes {@link #free} before it reads
     * this, so a release that comes while a review starts to wait is seen by one of the two.
     */
    private volatile int smallestWaiting = Integer.MAX_VALUE;
    /** Times a waiting review was woken, for the tests; guarded by {@link #lock}. */
    private long wakeups;

    /** {@code onWait} runs each time a review has to wait for its share. */
    InFlightBytes(long capacity, Runnable onWait) {
        if (capacity < 1 || capacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "capacity must be between 1 and " + Integer.MAX_VALUE + ", got " + capacity);
        }
        this.capacity = (int) capacity;
        this.free = new AtomicInteger(this.capacity);
        this.onWait = onWait;
    }

    /**
     * Takes the share of a body of {@code declaredLength} bytes ({@code -1} when the client sent no
     * Content-Length: then {@code maxBytes}, the most it may send), waiting at most {@code timeout}.
     *
     * @return the share taken, to give back with {@link #release}
     * @throws ReviewRejection 503 when the share did not come free in time
     */
    int acquire(long declaredLength, long maxBytes, Duration timeout) throws ReviewRejection {
        return take(share(declaredLength, maxBytes), declaredLength, timeout);
    }

    /** Takes {@code share}, waiting at most {@code timeout}; a refusal names the body's declared length. */
    private int take(int share, long declaredLength, Duration timeout) throws ReviewRejection {
        if (tryTake(share)) {
            return share;
        }
        onWait.run();
        long nanos = timeout.toNanos();
        lock.lock();
        waiting.add(share);
        updateSmallestWaiting();
        try {
            while (!tryTake(share)) {
                if (nanos <= 0) {
                    throw busy(declaredLength, timeout);
                }
                nanos = released.awaitNanos(nanos);
                wakeups++;
            }
            return share;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy(declaredLength, timeout);
        } finally {
            // awaitNanos holds the lock again when it returns or throws
            waiting.remove(share);
            updateSmallestWaiting();
            lock.unlock();
        }
    }

    /** Publishes the smallest waiting share; under {@link #lock}. */
    private void updateSmallestWaiting() {
        Integer smallest = waiting.peek();
        smallestWaiting = smallest == null ? Integer.MAX_VALUE : smallest;
    }

    void release(int share) {
        int now = free.addAndGet(share);
        if (now >= smallestWaiting) {
            lock.lock();
            try {
                released.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Takes {@code bytes} more for a review that holds {@code held} already, as its body of
     * {@code declaredLength} bytes ({@code -1} when unknown) arrives, within {@code timeout}. Without waiting when they are free; otherwise the review gives back what
     * it holds and waits for the total, so that reviews holding part of their share never wait on one
     * another. At most the whole budget is held, as for {@link #acquire}.
     *
     * @return the review's share now, to give back with {@link #release}
     * @throws ReviewRejection 503, the review then holding nothing, when the total did not come free in time
     */
    int grow(int held, int bytes, long declaredLength, Duration timeout) throws ReviewRejection {
        int total = (int) Math.min((long) held + bytes, capacity);
        if (total == held || tryTake(total - held)) {
            return total;
        }
        release(held);
        return take(total, declaredLength, timeout);
    }

    /** Bytes of reviews in process now. */
    long inUse() {
        return capacity - free.get();
    }

    /** Times a waiting review has been woken so far, whether or not its share was free. */
    long wakeups() {
        lock.lock();
        try {
            return wakeups;
        } finally {
            lock.unlock();
        }
    }

    private boolean tryTake(int share) {
        int now = free.get();
        while (now >= share) {
            int seen = free.compareAndExchange(now, now - share);
            if (seen == now) {
                return true;
            }
            now = seen;
        }
        return false;
    }

    private ReviewRejection busy(long declaredLength, Duration timeout) {
        return new ReviewRejection(
                503,
                "ServiceUnavailable",
                "routecert is busy judging other large reviews: this "
                        + (declaredLength < 0 ? "body of unknown length" : declaredLength + "-byte review") + " waited "
                        + timeout.toMillis() + " ms for its share of --max-in-flight-bytes (" + capacity + " bytes)",
                null,
                null);
    }

    private int share(long declaredLength, long maxBytes) {
        long length = declaredLength < 0 ? maxBytes : declaredLength;
        return (int) Math.max(1, Math.min(length, capacity));
    }
}
