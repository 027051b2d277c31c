package dev.routecert.http;

import dev.routecert.admission.ReviewRejection;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request body with two bounds: at most {@code maxBytes}, and within the read timeout in all.
 *
 * <p>A body that came whole with its headers (most do) is read at once ({@link #readWhole}). Any other
 * is read with servlet non-blocking I/O: this class is the body's {@link ReadListener} and the
 * request's {@link AsyncListener}, and the caller puts the read timeout on the {@code AsyncContext}.
 * Jetty counts that timeout from when the request first waits and does not restart it when data
 * comes, so it cuts off a body that stalls and one that trickles alike, with no thread held while
 * the body arrives. The connection's own idle timeout is not touched, so a kept-alive connection
 * still waits {@code --idle-timeout} for its next request.
 *
 * <p>Jetty calls the listener methods one at a time, never concurrently, so the state needs no lock.
 */
final class BoundedBody implements ReadListener, AsyncListener {

    /** What becomes of a body read in the background. */
    interface Receiver {

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

    private static final Logger log = LoggerFactory.getLogger(BoundedBody.class);
    private static final int PIECE = 16 * 1024;

    private final ServletInputStream in;
    private final long maxBytes;
    private final Duration timeout;
    private final Receiver receiver;
    /** With a Content-Length, the body goes straight into an array of that size. */
    private final byte[] declared;

    private final ByteArrayOutputStream chunked;
    private byte[] scratch;
    private int filled;
    private long discardLeft;
    private State state = State.READING;

    private BoundedBody(
            ServletInputStream in, long declaredLength, long maxBytes, Duration timeout, Receiver receiver) {
        this.in = in;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.receiver = receiver;
        this.declared = declaredLength >= 0 ? new byte[(int) declaredLength] : null;
        this.chunked = declaredLength >= 0 ? null : new ByteArrayOutputStream(8192);
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
     * async is started with the read timeout.
     */
    static BoundedBody reader(
            ServletInputStream in, long declaredLength, long maxBytes, Duration timeout, Receiver receiver) {
        return new BoundedBody(in, declaredLength, maxBytes, timeout, receiver);
    }

    /**
     * A listener that drops up to {@code limit} bytes of a refused body, so that the connection does
     * not close with unread bytes: that sends a TCP reset, and a client still sending its body loses
     * the answer it was sent.
     */
    static BoundedBody discarder(ServletInputStream in, long limit, Duration timeout, Receiver receiver) {
        BoundedBody discarder = new BoundedBody(in, -1, 0, timeout, receiver);
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
                } else if (declared != null && filled < declared.length) {
                    int read = in.read(declared, filled, Math.min(declared.length - filled, PIECE));
                    if (read == -1) {
                        return;
                    }
                    filled += read;
                } else {
                    // a chunked body, or a declared one read in full and waiting for its end
                    int read = in.read(scratch(), 0, PIECE);
                    if (read == -1) {
                        return;
                    }
                    if (declared == null && chunked.size() + (long) read <= maxBytes) {
                        chunked.write(scratch, 0, read);
                    } else {
                        refuse(tooLarge(maxBytes), true);
                    }
                }
            }
        } catch (IOException e) {
            failed(e);
        }
    }

    @Override
    public void onAllDataRead() {
        if (state == State.READING) {
            state = State.OVER;
            byte[] body = declared == null
                    ? chunked.toByteArray()
                    : filled == declared.length ? declared : Arrays.copyOf(declared, filled);
            try {
                receiver.received(body);
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

    private static ReviewRejection timedOut(Duration timeout) {
        return new ReviewRejection(
                408,
                "Timeout",
                "request body was not received within " + timeout.toMillis() + " ms (--request-read-timeout)",
                null,
                null);
    }
}
