package dev.routecert.http;

import dev.routecert.admission.ReviewRejection;
import dev.routecert.log.Log;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;

/**
 * Reads a request body with three bounds: at most {@code maxBytes}, within the read timeout in all,
 * and no slower than the minimum data rate.
 *
 * <p>A body that came whole with its headers (most do) is read at once ({@link #readWhole}). Any other
 * is read with servlet non-blocking I/O: this class is the body's {@link ReadListener} and the
 * request's {@link AsyncListener}, and the caller puts the read timeout on the {@code AsyncContext}.
 * Jetty counts that timeout from when the request first waits and does not restart it when data
 * comes, so it cuts off a body that stalls and one that trickles alike, with no thread held while
 * the body arrives. The connection's own idle timeout is not touched, so a kept-alive connection
 * still waits {@code --idle-timeout} for its next request.
 *
 * <p>A body still arriving holds what it has sent, not what it declared: its buffer grows as bytes
 * come, and each piece takes its share of the in-flight budget through {@link Receiver#arrived}. A
 * client that sends below {@code --min-request-data-rate}, judged once the body has been under way for
 * a second, is answered 408 and its connection closed.
 *
 * <p>Jetty calls the listener methods one at a time, never concurrently, so the state needs no lock.
 */
final class BoundedBody implements ReadListener, AsyncListener {

    /** What becomes of a body read in the background. */
    interface Receiver {

        /**
         * {@code bytes} more of the body arrived; the receiver takes their share of the in-flight budget.
         *
         * @throws ReviewRejection when the share did not come free in time
         */
        void arrived(int bytes) throws ReviewRejection;

        /** The whole body arrived. */
        void received(byte[] body);

        /** The body is refused; the receiver answers with the rejection. */
        void refused(ReviewRejection rejection);

        /** Nothing more is read: the last call, made once, after which the request may complete. */
        void finished();
    }

    private enum State {
        READING,
        DISCARDING,
        OVER
    }

    private static final Log log = Log.of(BoundedBody.class);
    private static final int PIECE = 16 * 1024;
    private static final long RATE_GRACE_NANOS = 1_000_000_000L;

    private final ServletInputStream in;
    private final long maxBytes;
    private final Duration timeout;
    private final Receiver receiver;
    /** The most this body may hold: its Content-Length, or {@code maxBytes} for a chunked one. */
    private final long limit;

    private final long minBytesPerSecond;
    private final long startNanos = System.nanoTime();
    /** The body so far; grows with what arrives, so a body that trickles holds only what it sent. */
    private byte[] body = new byte[0];

    private byte[] scratch;
    private int filled;
    private long discardLeft;
    private State state = State.READING;

    private BoundedBody(
            ServletInputStream in,
            long declaredLength,
            long maxBytes,
            Duration timeout,
            long minBytesPerSecond,
            Receiver receiver) {
        this.in = in;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.minBytesPerSecond = minBytesPerSecond;
        this.receiver = receiver;
        this.limit = declaredLength >= 0 ? declaredLength : maxBytes;
    }

    /** Whether the whole body is already here, so that reading it cannot block. */
    static boolean arrivedWhole(ServletInputStream in, long declaredLength) throws IOException {
        return declaredLength >= 0 && in.available() >= declaredLength;
    }

    /** Reads a body that {@link #arrivedWhole arrived whole} into an array of its size. */
    static byte[] readWhole(ServletInputStream in, int length) throws IOException {
        byte[] body = new byte[length];
        int filled = in.readNBytes(body, 0, length);
        return filled == length ? body : Arrays.copyOf(body, filled);
    }

    /**
     * A reader for a body still arriving, to register as the request's read and async listener once
     * async is started with the read timeout. {@code minBytesPerSecond} 0 checks no rate.
     */
    static BoundedBody reader(
            ServletInputStream in,
            long declaredLength,
            long maxBytes,
            Duration timeout,
            long minBytesPerSecond,
            Receiver receiver) {
        return new BoundedBody(in, declaredLength, maxBytes, timeout, minBytesPerSecond, receiver);
    }

    /**
     * A listener that drops up to {@code limit} bytes of a refused body, so that the connection does
     * not close with unread bytes: that sends a TCP reset, and a client still sending its body loses
     * the answer it was sent.
     */
    static BoundedBody discarder(ServletInputStream in, long limit, Duration timeout, Receiver receiver) {
        BoundedBody discarder = new BoundedBody(in, -1, 0, timeout, 0, receiver);
        discarder.state = State.DISCARDING;
        discarder.discardLeft = limit;
        return discarder;
    }

    @Override
    public void onDataAvailable() {
        try {
            while (state != State.OVER && in.isReady()) {
                if (state == State.DISCARDING) {
                    int read = in.read(scratch(), 0, (int) Math.min(PIECE, discardLeft));
                    if (read == -1) {
                        return;
                    }
                    discardLeft -= read;
                    if (discardLeft <= 0) {
                        finish();
                    }
                } else {
                    int read = in.read(scratch(), 0, PIECE);
                    if (read == -1) {
                        return;
                    }
                    if (filled + (long) read > limit) {
                        // past the Content-Length or, chunked, past --max-request-bytes
                        refuse(tooLarge(maxBytes), true);
                    } else {
                        append(read);
                    }
                }
            }
        } catch (IOException e) {
            failed(e);
        }
    }

    /** Keeps {@code read} bytes of the scratch buffer, takes their share, and checks the rate so far. */
    private void append(int read) {
        if (filled + read > body.length) {
            int grown = (int) Math.min(limit, Math.max((long) filled + read, Math.max(1024, 2L * body.length)));
            body = Arrays.copyOf(body, grown);
        }
        System.arraycopy(scratch, 0, body, filled, read);
        filled += read;
        try {
            receiver.arrived(read);
        } catch (ReviewRejection rejection) {
            refuse(rejection, true);
            return;
        }
        long elapsed = System.nanoTime() - startNanos;
        if (minBytesPerSecond > 0
                && elapsed >= RATE_GRACE_NANOS
                && filled < minBytesPerSecond * (elapsed / 1_000_000) / 1000) {
            refuse(tooSlow(minBytesPerSecond, filled, elapsed), false);
        }
    }

    @Override
    public void onAllDataRead() {
        if (state == State.READING) {
            state = State.OVER;
            byte[] whole = filled == body.length ? body : Arrays.copyOf(body, filled);
            body = null;
            try {
                receiver.received(whole);
            } finally {
                receiver.finished();
            }
        } else {
            finish();
        }
    }

    @Override
    public void onError(Throwable failure) {
        failed(failure);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        if (state == State.READING) {
            refuse(timedOut(timeout), false);
        } else {
            finish();
        }
    }

    @Override
    public void onError(AsyncEvent event) {
        failed(event.getThrowable());
    }

    @Override
    public void onComplete(AsyncEvent event) {
        finish();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {}

    /** A failed read: a 408 if the connection timed out, else a 400; nothing more can be read. */
    private void failed(Throwable failure) {
        if (state != State.READING) {
            log.debug("stopped discarding a refused body: {}", String.valueOf(failure));
            finish();
        } else if (failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException) {
            refuse(timedOut(timeout), false);
        } else {
            refuse(ReviewRejection.badRequest("request body could not be read: " + failure.getMessage()), false);
        }
    }

    private void refuse(ReviewRejection rejection, boolean discardRest) {
        state = discardRest ? State.DISCARDING : State.OVER;
        discardLeft = 2 * maxBytes; // as much again as a client may send after its answer, then close
        try {
            receiver.refused(rejection);
        } finally {
            if (!discardRest) {
                receiver.finished();
            }
        }
    }

    private void finish() {
        if (state != State.OVER) {
            state = State.OVER;
            receiver.finished();
        }
    }

    private byte[] scratch() {
        if (scratch == null) {
            scratch = new byte[PIECE];
        }
        return scratch;
    }

    /** Refuses a body whose Content-Length is over the limit, before anything of it is read. */
    static void checkDeclared(long declaredLength, long maxBytes) throws ReviewRejection {
        if (declaredLength > maxBytes) {
            throw tooLarge(maxBytes);
        }
    }

    private static ReviewRejection tooLarge(long maxBytes) {
        return new ReviewRejection(
                413,
                "RequestEntityTooLarge",
                "request body exceeds the limit of " + maxBytes + " bytes (--max-request-bytes)",
                null,
                null);
    }

    private static ReviewRejection tooSlow(long minBytesPerSecond, long received, long elapsedNanos) {
        return new ReviewRejection(
                408,
                "Timeout",
                "request body arrived too slowly: " + received + " bytes in " + elapsedNanos / 1_000_000
                        + " ms, below the minimum of " + minBytesPerSecond
                        + " bytes per second (--min-request-data-rate)",
                null,
                null);
    }

    private static ReviewRejection timedOut(Duration timeout) {
        return new ReviewRejection(
                408,
                "Timeout",
                "request body was not received within " + timeout.toMillis() + " ms (--request-read-timeout)",
                null,
                null);
    }
}
