package dev.routecert.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.admission.AdmissionReviews;
import dev.routecert.admission.ReviewRejection;
import dev.routecert.log.Log;
import io.javalin.http.Context;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP boundary of one admission endpoint: caps and times the body, checks its type, turns it
 * into an {@link AdmissionRequest}, asks the policy, and always answers with JSON: an
 * AdmissionReview echoing the uid whenever the uid is known. A review holds its share of the
 * in-flight bytes budget ({@link InFlightBytes}) for the bytes it has received until it is answered:
 * a body that came whole takes its size before it is read, one still arriving takes its share piece by
 * piece, so a connection that trickles holds no more than it has sent.
 */
final class AdmissionEndpoint {

    /** Every line here carries values from the request: the escaping logger writes each as one field. */
    private static final Log log = Log.of("dev.routecert.admission");

    private final String name;
    private final AdmissionPolicy policy;
    private final AdmissionReviews reviews;
    private final ServerMetrics metrics;
    private final long maxRequestBytes;
    private final Duration readTimeout;
    private final long minRequestDataRate;
    private final AtomicInteger inFlight;
    private final InFlightBytes budget;

    AdmissionEndpoint(
            String name,
            AdmissionPolicy policy,
            AdmissionReviews reviews,
            ServerMetrics metrics,
            long maxRequestBytes,
            Duration readTimeout,
            long minRequestDataRate,
            AtomicInteger inFlight,
            InFlightBytes budget) {
        this.name = name;
        this.policy = policy;
        this.reviews = reviews;
        this.metrics = metrics;
        this.maxRequestBytes = maxRequestBytes;
        this.readTimeout = readTimeout;
        this.minRequestDataRate = minRequestDataRate;
        this.inFlight = inFlight;
        this.budget = budget;
    }

    void handle(Context ctx) {
        inFlight.incrementAndGet();
        metrics.started(path());
        Review review = new Review(ctx);
        try {
            byte[] body;
            ServletInputStream in = null;
            try {
                checkContentType(ctx.contentType());
                Utf8Body.checkCharset(ctx.contentType());
                long declared = review.declared;
                // an oversize body is refused before it waits for a share of the budget
                BoundedBody.checkDeclared(declared, maxRequestBytes);
                in = ctx.req().getInputStream();
                if (!BoundedBody.arrivedWhole(in, declared)) {
                    inBackground(
                            review,
                            in,
                            BoundedBody.reader(in, declared, maxRequestBytes, readTimeout, minRequestDataRate, review));
                    return;
                }
                review.share = budget.acquire(declared, maxRequestBytes, readTimeout);
                body = BoundedBody.readWhole(in, (int) declared);
            } catch (ReviewRejection rejection) {
                review.refused(rejection);
                discardRest(review, in);
                return;
            } catch (IOException e) {
                review.refused(ReviewRejection.badRequest("request body could not be read: " + e.getMessage()));
                return;
            }
            review.received(body);
        } finally {
            if (!review.inBackground()) {
                review.finished();
            }
        }
    }

    /**
     * Goes on with the request once the handler returns, through Javalin's future: servlet async I/O
     * wakes the listener as the body arrives, and the async timeout bounds the whole read. Async is
     * started here, before {@code ctx.future}, so that the timeout and its answer are this endpoint's
     * rather than Javalin's default ones.
     */
    private void inBackground(Review review, ServletInputStream in, BoundedBody listener) {
        AsyncContext async = review.ctx.req().startAsync();
        async.setTimeout(readTimeout.toMillis());
        async.addListener(listener);
        CompletableFuture<Void> done = new CompletableFuture<>();
        review.done = done;
        try {
            in.setReadListener(listener);
        } catch (RuntimeException e) {
            review.done = null;
            throw e;
        }
        review.ctx.future(() -> done);
    }

    /**
     * After a refusal, reads and drops what the client is still sending of its body, at most twice the
     * size limit and within the read timeout, before the connection closes. Closing a socket with
     * unread bytes sends a TCP reset, and a client still sending its body loses the answer it was sent
     * (it sees "connection reset" instead of the 413).
     */
    private void discardRest(Review review, ServletInputStream opened) {
        try {
            ServletInputStream in = opened != null ? opened : review.ctx.req().getInputStream();
            long declared = review.ctx.req().getContentLengthLong();
            if (BoundedBody.arrivedWhole(in, declared)) {
                in.skipNBytes(declared);
            } else {
                inBackground(review, in, BoundedBody.discarder(in, 2 * maxRequestBytes, readTimeout, review));
            }
        } catch (IOException | RuntimeException e) {
            log.debug("stopped discarding a refused body: {}", e.toString());
        }
    }

    /** One review's answer and what it holds (its share of the budget, its in-flight count) until then. */
    private final class Review implements BoundedBody.Receiver {

        final Context ctx;
        final long start = System.nanoTime();
        /** The body's Content-Length, -1 when it has none: a refusal names it rather than the bytes so far. */
        final long declared;
        /** Written by one thread at a time (the handler, then the body's listener); released once. */
        volatile int share;
        /** Set while the body is read in the background: completing it completes the request. */
        CompletableFuture<Void> done;

        private final AtomicBoolean finished = new AtomicBoolean();

        Review(Context ctx) {
            this.ctx = ctx;
            this.declared = ctx.req().getContentLengthLong();
        }

        boolean inBackground() {
            return done != null;
        }

        @Override
        public void arrived(int bytes) throws ReviewRejection {
            int held = share;
            share = 0; // while grow waits it holds nothing; it returns the share or throws having released it
            share = budget.grow(held, bytes, declared, readTimeout);
        }

        @Override
        public void received(byte[] body) {
            judge(ctx, body, start);
        }

        /** The rest of a refused body is not worth judging: answer, and close the connection after it. */
        @Override
        public void refused(ReviewRejection rejection) {
            ctx.header("Connection", "close");
            reject(ctx, rejection, start);
        }

        @Override
        public void finished() {
            if (finished.compareAndSet(false, true)) {
                budget.release(share);
                inFlight.decrementAndGet();
                metrics.finished(path());
                if (done != null) {
                    done.complete(null);
                }
            }
        }
    }

    private void judge(Context ctx, byte[] body, long start) {
        AdmissionRequest request;
        try {
            Utf8Body.check(body);
            request = reviews.parse(body);
        } catch (ReviewRejection rejection) {
            reject(ctx, rejection, start);
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("review uid={} body={}", request.uid(), Log.whole(new String(body, StandardCharsets.UTF_8)));
        }
        AdmissionDecision decision = decide(request);
        JsonNode response = reviews.response(AdmissionReviews.API_VERSION, request.uid(), decision);
        send(ctx, 200, reviews.write(response));
        long nanos = System.nanoTime() - start;
        metrics.observe(path(), decision.allowed() ? 200 : decision.status().code(), nanos);
        StringBuilder format =
                new StringBuilder("admission uid={} endpoint={} kind={} object={} operation={} dryRun={} outcome={}");
        List<Object> args = new ArrayList<>(List.of(
                request.uid(),
                name,
                request.gvk(),
                request.objectRef(),
                request.operation(),
                request.dryRun(),
                decision.outcome()));
        if (!decision.warnings().isEmpty()) {
            format.append(" warnings={}");
            args.add(decision.warnings().size());
        }
        String denial = denial(decision);
        if (denial != null) {
            format.append(" denial={}");
            args.add(denial);
        }
        format.append(" latency={}");
        args.add(formatLatency(nanos));
        log.info(format.toString(), args.toArray());
    }

    /** The webhook's path, controller-runtime's {@code webhook} label. */
    private String path() {
        return "/" + name;
    }

    /**
     * Why a review was denied, for its log line: each cause's check id (the {@code [id]} its message
     * starts with) and field, {@code [id]@field} joined by commas; null when it was not denied.
     */
    static String denial(AdmissionDecision decision) {
        if (decision.allowed() || decision.status().causes().isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (AdmissionDecision.Cause cause : decision.status().causes()) {
            String message = cause.message() == null ? "" : cause.message();
            int end = message.startsWith("[") ? message.indexOf(']') : -1;
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(end > 0 ? message.substring(0, end + 1) : "[" + cause.reason() + "]");
            if (cause.field() != null && !cause.field().isEmpty()) {
                b.append('@').append(cause.field());
            }
        }
        return b.toString();
    }

    private AdmissionDecision decide(AdmissionRequest request) {
        try {
            AdmissionDecision decision = policy.review(request);
            if (decision == null) {
                throw new IllegalStateException("policy returned no decision");
            }
            return decision;
        } catch (Exception | StackOverflowError e) {
            // one line with the cause and where it was thrown, not a stack trace per review
            log.error(
                    "policy failed on uid={} kind={} object={}", request.uid(), request.gvk(), request.objectRef(), e);
            return AdmissionDecision.errored(
                    500,
                    "routecert internal error while reviewing " + request.gvk()
                            + " " + request.objectRef() + ": " + e.getClass().getSimpleName()
                            + " (see the routecert log for uid " + request.uid() + ")");
        }
    }

    private void checkContentType(String contentType) throws ReviewRejection {
        String mediaType =
                contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw new ReviewRejection(
                    415,
                    "UnsupportedMediaType",
                    "Content-Type must be application/json, got "
                            + (contentType == null || contentType.isBlank() ? "none" : "\"" + contentType + "\""),
                    null,
                    null);
        }
    }

    private void reject(Context ctx, ReviewRejection rejection, long start) {
        send(ctx, rejection.httpStatus(), reviews.write(reviews.rejection(rejection)));
        long nanos = System.nanoTime() - start;
        metrics.observe(path(), rejection.httpStatus(), nanos);
        log.warn(
                "admission rejected endpoint={} uid={} status={} remote={} reason={} latency={}",
                name,
                rejection.uid() == null ? "-" : rejection.uid(),
                rejection.httpStatus(),
                ctx.ip(),
                rejection.getMessage(),
                formatLatency(nanos));
    }

    /**
     * Writes and flushes the answer before the review stops counting as in flight: a graceful stop
     * waits for the in-flight count, and an answer still buffered in Javalin would be cut off.
     */
    private static void send(Context ctx, int status, byte[] body) {
        HttpServletResponse response = ctx.res();
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        try {
            response.getOutputStream().write(body);
            response.flushBuffer();
        } catch (IOException e) {
            log.debug("client went away before its answer was written: {}", e.toString());
        }
    }

    /** Milliseconds with two decimals, rounded half up; no Formatter, as it runs once per review. */
    static String formatLatency(long nanos) {
        long hundredths = (Math.max(0, nanos) + 5_000) / 10_000;
        long fraction = hundredths % 100;
        return (hundredths / 100) + (fraction < 10 ? ".0" : ".") + fraction + "ms";
    }
}
