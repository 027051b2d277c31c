package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.admission.ReviewRejection;
import dev.routecert.time.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InFlightBytesTest {

    private static final long MAX_BODY = 7L * 1024 * 1024;
    private final AtomicInteger waits = new AtomicInteger();
    private final InFlightBytes budget = new InFlightBytes(2_000_000, waits::incrementAndGet);

    @Test
    void smallReviewsPassWhileALargeOneIsJudged() throws Exception {
        int large = budget.acquire(1_400_000, MAX_BODY, Duration.ofSeconds(1));
        for (int i = 0; i < 100; i++) {
            budget.release(budget.acquire(4_000, MAX_BODY, Duration.ofMillis(1)));
        }
        assertEquals(0, waits.get());
        assertEquals(1_400_000, budget.inUse());
        budget.release(large);
        assertEquals(0, budget.inUse());
    }

    @Test
    void aSecondLargeReviewWaitsForTheFirst() throws Exception {
        int first = budget.acquire(1_400_000, MAX_BODY, Duration.ofSeconds(1));
        CompletableFuture<Integer> second = acquireOnItsOwnThread(1_400_000);
        awaitWaiting(1); // it found its share taken
        assertFalse(second.isDone(), "the second large review must wait");
        assertEquals(1, waits.get());
        budget.release(first);
        budget.release(second.get(5, TimeUnit.SECONDS));
        assertEquals(0, budget.inUse());
    }

    /**
     * While a large review waits for another, small ones come and go by the thousand: none of their
     * releases leaves enough free for it, so none wakes it. Only the large one's release does.
     */
    @Test
    void smallReleasesDoNotWakeAWaitingLargeReview() throws Exception {
        int first = budget.acquire(1_400_000, MAX_BODY, Duration.ofSeconds(1));
        CompletableFuture<Integer> second = acquireOnItsOwnThread(1_400_000);
        awaitWaiting(1);
        for (int i = 0; i < 2_000; i++) {
            budget.release(budget.acquire(4_000, MAX_BODY, Duration.ofMillis(100)));
        }
        assertFalse(second.isDone(), "the second large review must still wait");
        assertEquals(0, budget.wakeups(), "woken by small releases");
        budget.release(first);
        budget.release(second.get(5, TimeUnit.SECONDS));
        assertEquals(1, budget.wakeups());
        assertEquals(0, budget.inUse());
    }

    /** One release that leaves room for two waiters of different sizes lets both in. */
    @Test
    void oneReleaseCanLetSeveralWaitersIn() throws Exception {
        int held = budget.acquire(1_900_000, MAX_BODY, Duration.ofSeconds(1));
        CompletableFuture<Integer> big = acquireOnItsOwnThread(1_500_000);
        CompletableFuture<Integer> medium = acquireOnItsOwnThread(300_000);
        awaitWaiting(2);
        budget.release(held);
        int mediumShare = medium.get(5, TimeUnit.SECONDS);
        int bigShare = big.get(5, TimeUnit.SECONDS);
        assertEquals(1_800_000, budget.inUse());
        budget.release(mediumShare);
        budget.release(bigShare);
        assertEquals(0, budget.inUse());
    }

    private void awaitWaiting(int reviews) {
        Await.until(reviews + " reviews waiting for their share", Duration.ofSeconds(5), () -> waits.get() >= reviews);
    }

    /**
     * A share of {@code size} taken on a new thread, which may wait for it up to 10 s. A thread of its
     * own, not the common pool's: on 2 cores that pool has a single worker, and two waiters must be
     * able to wait at once.
     */
    private CompletableFuture<Integer> acquireOnItsOwnThread(long size) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return budget.acquire(size, MAX_BODY, Duration.ofSeconds(10));
                    } catch (ReviewRejection e) {
                        throw new IllegalStateException(e);
                    }
                },
                task -> new Thread(task, "acquire-" + size).start());
    }

    @Test
    void aReviewLargerThanTheBudgetRunsAlone() throws Exception {
        int small = budget.acquire(4_000, MAX_BODY, Duration.ofSeconds(1));
        assertThrows(ReviewRejection.class, () -> budget.acquire(5_000_000, MAX_BODY, Duration.ofMillis(50)));
        budget.release(small);
        int huge = budget.acquire(5_000_000, MAX_BODY, Duration.ofMillis(50));
        assertEquals(2_000_000, huge, "takes the whole budget, no more");
        assertThrows(ReviewRejection.class, () -> budget.acquire(10, MAX_BODY, Duration.ofMillis(20)));
        budget.release(huge);
    }

    @Test
    void aBodyOfUnknownLengthTakesTheMostItMaySend() throws Exception {
        InFlightBytes roomy = new InFlightBytes(100_000_000, () -> {});
        int share = roomy.acquire(-1, MAX_BODY, Duration.ofMillis(1));
        assertEquals(MAX_BODY, share);
        roomy.release(share);
    }

    @Test
    void aWaitPastTheBoundIsRefusedWith503AndTakesNothing() throws Exception {
        int large = budget.acquire(1_900_000, MAX_BODY, Duration.ofSeconds(1));
        long start = System.nanoTime();
        ReviewRejection rejection =
                assertThrows(ReviewRejection.class, () -> budget.acquire(1_000_000, MAX_BODY, Duration.ofMillis(300)));
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waitedMs >= 250 && waitedMs < 5_000, "waited " + waitedMs + " ms");
        assertEquals(503, rejection.httpStatus());
        assertEquals(
                "routecert is busy judging other large reviews: this 1000000-byte review waited 300 ms for its "
                        + "share of --max-in-flight-bytes (2000000 bytes)",
                rejection.getMessage());
        assertEquals(1_900_000, budget.inUse(), "a refused review holds no share");
        budget.release(large);
    }

    /** A body still arriving is refused by the size it declared, not by the part of it that came. */
    @Test
    void aGrowingBodyRefusedWith503NamesItsDeclaredSize() throws Exception {
        int large = budget.acquire(1_900_000, MAX_BODY, Duration.ofSeconds(1));
        int held = budget.grow(0, 50_000, 1_000_000, Duration.ofMillis(1));
        ReviewRejection rejection =
                assertThrows(ReviewRejection.class, () -> budget.grow(held, 100_000, 1_000_000, Duration.ofMillis(50)));
        assertEquals(503, rejection.httpStatus());
        assertEquals(
                "routecert is busy judging other large reviews: this 1000000-byte review waited 50 ms for its "
                        + "share of --max-in-flight-bytes (2000000 bytes)",
                rejection.getMessage());
        assertEquals(1_900_000, budget.inUse(), "a refused review holds no share");
        ReviewRejection chunked =
                assertThrows(ReviewRejection.class, () -> budget.grow(0, 200_000, -1, Duration.ofMillis(50)));
        assertTrue(chunked.getMessage().contains(" this body of unknown length waited 50 ms "), chunked.getMessage());
        budget.release(large);
    }

    @Test
    void capacityIsBounded() {
        assertThrows(IllegalArgumentException.class, () -> new InFlightBytes(0, () -> {}));
        assertThrows(IllegalArgumentException.class, () -> new InFlightBytes(1L << 33, () -> {}));
    }

    /**
     * Threads taking small and large shares at random for a while: none waits past its bound while the
     * budget could serve it, the budget is never overdrawn, and everything comes back.
     */
    @Test
    void manyReviewsAtOnceNeverOverdrawAndAllFinish() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger done = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicLong most = new AtomicLong();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 400; i++) {
                        long size =
                                random.nextInt(20) == 0 ? 900_000 + random.nextInt(600_000) : 1 + random.nextInt(8_000);
                        try {
                            int share = budget.acquire(size, MAX_BODY, Duration.ofSeconds(10));
                            most.accumulateAndGet(budget.inUse(), Math::max);
                            if (size > 100_000) {
                                // judging a large review takes a while: others must find its share taken
                                Thread.sleep(1);
                            }
                            budget.release(share);
                            done.incrementAndGet();
                        } catch (ReviewRejection e) {
                            refused.incrementAndGet();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * 400, done.get(), refused.get() + " refused");
        assertTrue(most.get() <= 2_000_000, "overdrawn: " + most.get());
        assertEquals(0, budget.inUse());
        assertTrue(waits.get() > 0, "the test must make large reviews wait");
    }
}
