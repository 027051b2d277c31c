package dev.routecert.time;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting in tests for a condition that another thread makes true, with a bound that fails the test. */
public final class Await {

    private Await() {}

    /** Returns once {@code condition} holds; fails with {@code what} (and {@code detail}) after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<?> detail) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + " not within " + timeout.toMillis() + " ms; " + detail.get());
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // a poll interval, not a wait for time to pass
            if (Thread.interrupted()) {
                throw new AssertionError("interrupted while waiting until " + what);
            }
        }
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition, () -> "");
    }
}
