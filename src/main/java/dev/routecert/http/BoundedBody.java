package dev.routecert.http;

import dev.routecert.admission.ReviewRejection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;

/**
 * Reads a request body with two bounds: at most {@code maxBytes}, and within {@code timeout} in all.
 * A client that stalls is cut off by the connection's idle timeout, which the caller lowers to the
 * same bound while the body is read; a client that trickles is cut off by the total deadline.
 */
final class BoundedBody {

    private BoundedBody() {}

    static byte[] read(InputStream in, long declaredLength, long maxBytes, Duration timeout) throws ReviewRejection {
        checkDeclared(declaredLength, maxBytes);
        long deadline = System.nanoTime() + timeout.toNanos();
        if (declaredLength >= 0) {
            return readDeclared(in, (int) declaredLength, deadline, timeout);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        byte[] buffer = new byte[16 * 1024];
        try {
            int read;
            while ((read = in.read(buffer)) != -1) {
                if (body.size() + (long) read > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                body.write(buffer, 0, read);
                if (System.nanoTime() > deadline) {
                    throw timedOut(timeout);
                }
            }
        } catch (IOException e) {
            throw readFailure(e, deadline, timeout);
        }
        return body.toByteArray();
    }

    /**
     * With a Content-Length (the API server always sends one) the body goes straight into an array of
     * that size: no growing buffer and no final copy, which for a large object is megabytes per review.
     */
    private static byte[] readDeclared(InputStream in, int length, long deadline, Duration timeout)
            throws ReviewRejection {
        byte[] body = new byte[length];
        int filled = 0;
        try {
            int read;
            while (filled < length && (read = in.read(body, filled, Math.min(length - filled, 16 * 1024))) != -1) {
                filled += read;
                if (System.nanoTime() > deadline) {
                    throw timedOut(timeout);
                }
            }
        } catch (IOException e) {
            throw readFailure(e, deadline, timeout);
        }
        return filled == length ? body : Arrays.copyOf(body, filled);
    }

    /** Refuses a body whose Content-Length is over the limit, before anything of it is read. */
    static void checkDeclared(long declaredLength, long maxBytes) throws ReviewRejection {
        if (declaredLength > maxBytes) {
            throw tooLarge(maxBytes);
        }
    }

    /** A failed read past the deadline, or stopped by the idle timeout, is a 408; any other is a 400. */
    private static ReviewRejection readFailure(IOException e, long deadline, Duration timeout) {
        if (System.nanoTime() > deadline
                || e.getCause() instanceof TimeoutException
                || e instanceof InterruptedIOException) {
            return timedOut(timeout);
        }
        return ReviewRejection.badRequest("request body could not be read: " + e.getMessage());
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
