package dev.routecert.certificates;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Calls to the API server within a {@link Deadline}, for every store that writes during admission:
 * the time left is the request's timeout, nothing retries behind the caller's back, and each failure
 * becomes a {@link StoreException} of the kind the API server's answer (or its silence) means.
 */
public final class DeadlineCalls {

    /** A call blocks in fabric8 until its answer: on a thread of its own, its caller can stop waiting at the deadline. */
    private static final Executor CALLS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("kube-call-", 0).factory());

    private DeadlineCalls() {}

    /**
     * Runs one call of the resource API with the time left as its request timeout and without
     * retries, and stops waiting for it at the deadline.
     */
    public static <T> T call(
            KubernetesClient client, Deadline deadline, String action, Function<KubernetesClient, T> operation)
            throws StoreException {
        long left = timeLeft(deadline, action);
        RequestConfig bounded = new RequestConfigBuilder()
                .withRequestTimeout((int) Math.min(Integer.MAX_VALUE, left))
                .withRequestRetryBackoffLimit(0)
                .build();
        CompletableFuture<T> future = CompletableFuture.supplyAsync(
                () -> operation.apply(client.newClient(bounded).adapt(KubernetesClient.class)), CALLS);
        try {
            return await(future, left, deadline, action);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof KubernetesClientException k && k.getCode() > 0) {
                Status status = k.getStatus();
                String reason = status == null || status.getReason() == null ? "" : status.getReason();
                String message =
                        status == null || status.getMessage() == null ? "HTTP " + k.getCode() : status.getMessage();
                throw failure(k.getCode(), reason, message, action);
            }
            throw unreachable(deadline, action, cause instanceof KubernetesClientException k ? rootCause(k) : cause);
        }
    }

    /** The future's value within {@code left} ms; a late one is cancelled and reported as the deadline passing. */
    static <T> T await(CompletableFuture<T> future, long left, Deadline deadline, String action)
            throws StoreException, ExecutionException {
        try {
            return future.get(left, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw timeout(deadline, action, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Kind.UNAVAILABLE, "could not " + action + ": interrupted", e);
        }
    }

    static long timeLeft(Deadline deadline, String action) throws StoreException {
        if (Thread.currentThread().isInterrupted()) {
            // a worker being stopped (a leader that lost its Lease) sends nothing more
            throw new StoreException(StoreException.Kind.UNAVAILABLE, "could not " + action + ": interrupted", null);
        }
        long left = deadline.remaining().toMillis();
        if (left <= 0) {
            throw new StoreException(
                    StoreException.Kind.TIMEOUT,
                    "could not " + action + ": no time left within "
                            + deadline.total().toMillis() + "ms",
                    null);
        }
        return left;
    }

    static StoreException timeout(Deadline deadline, String action, Throwable cause) {
        return new StoreException(
                StoreException.Kind.TIMEOUT,
                "could not " + action + ": the API server did not answer within "
                        + deadline.total().toMillis() + "ms",
                cause);
    }

    /** No HTTP answer: a timeout of the client's own, or the API server cannot be reached. */
    static StoreException unreachable(Deadline deadline, String action, Throwable cause) {
        String text = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        boolean timeout = cause instanceof HttpTimeoutException
                || cause instanceof TimeoutException
                || text.contains("timeout")
                || text.contains("timed out");
        if (timeout) {
            return timeout(deadline, action, cause);
        }
        return new StoreException(
                StoreException.Kind.UNAVAILABLE,
                "could not " + action + ": the API server cannot be reached (" + cause.getMessage() + ")",
                cause);
    }

    static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    static StoreException failure(int code, String reason, String message, String action) {
        StoreException.Kind kind;
        if (code == 409 && "AlreadyExists".equals(reason)) {
            kind = StoreException.Kind.ALREADY_EXISTS;
        } else if (code == 409) {
            kind = StoreException.Kind.CONFLICT;
        } else if (code == 404) {
            kind = StoreException.Kind.NOT_FOUND;
        } else if (code == 504 || "Timeout".equals(reason)) {
            kind = StoreException.Kind.TIMEOUT;
        } else if (code >= 500 || code == 429) {
            kind = StoreException.Kind.UNAVAILABLE;
        } else {
            kind = StoreException.Kind.REJECTED;
        }
        return new StoreException(
                kind, "could not " + action + ": the API server answered " + code + ": " + message, null, code);
    }
}
