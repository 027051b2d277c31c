package dev.routecert.http;

import dev.routecert.admission.ReviewRejection;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A budget of review bytes in process at once ({@code --max-in-flight-bytes}). A review holds its
 * body's share from before the body is read until its answer is written: judging a review takes
 * several times its size in heap, so this bounds the heap that concurrent large reviews take, and on
 * a pod with one or two cores it runs them one after the other instead of side by side, which
 * finishes each sooner. Small reviews take a few KiB and pass a waiting large one (the semaphore is
 * not fair), so they are not held up by it; a review larger than the whole budget waits until it
 * can run alone. The wait is bounded: past it, the review is refused with 503 and the API server
 * applies the webhook's failure policy.
 */
final class InFlightBytes {

    private final int capacity;
    private final Semaphore permits;
    private final Runnable onWait;

    /** {@code onWait} runs each time a review has to wait for its share. */
    InFlightBytes(long capacity, Runnable onWait) {
        if (capacity < 1 || capacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("capacity must be between 1 and " + Integer.MAX_VALUE + ", got " + capacity);
        }
        this.capacity = (int) capacity;
        this.permits = new Semaphore(this.capacity);
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
        int share = share(declaredLength, maxBytes);
        if (permits.tryAcquire(share)) {
            return share;
        }
        onWait.run();
        try {
            if (permits.tryAcquire(share, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return share;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new ReviewRejection(503, "ServiceUnavailable", "routecert is busy judging other large reviews: this "
                + (declaredLength < 0 ? "body of unknown length" : declaredLength + "-byte review") + " waited "
                + timeout.toMillis() + " ms for its share of --max-in-flight-bytes (" + capacity + " bytes)", null, null);
    }

    void release(int share) {
        permits.release(share);
    }

    /** Bytes of reviews in process now. */
    long inUse() {
        return capacity - permits.availablePermits();
    }

    private int share(long declaredLength, long maxBytes) {
        long length = declaredLength < 0 ? maxBytes : declaredLength;
        return (int) Math.max(1, Math.min(length, capacity));
    }
}
