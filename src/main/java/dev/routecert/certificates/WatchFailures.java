package dev.routecert.certificates;

import dev.routecert.log.Log;
import dev.routecert.log.RepeatedFailure;
import dev.routecert.time.Clock;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * fabric8 retries a failed list or watch of a started informer and logs each retry (LogSetup quiets
 * that); this reports them through {@link RepeatedFailure}: one line with the cause, then a count once a
 * minute. The retry decision stays fabric8's default one.
 */
public final class WatchFailures {

    private WatchFailures() {}

    /** Call before the informer starts; call {@code recovered()} on the result when an event arrives. */
    public static RepeatedFailure report(SharedIndexInformer<?> informer, String what, Log log) {
        RepeatedFailure failure = new RepeatedFailure(log, what, Clock.system());
        informer.exceptionHandler((started, error) -> {
            boolean retry = started && !(error instanceof WatcherException);
            if (retry) {
                failure.failed(Log.describe(error));
            } else {
                log.warn(what + " stops: cause={}", Log.describe(error));
            }
            return retry;
        });
        return failure;
    }
}
