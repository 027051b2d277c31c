package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.time.Await;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {

    private static final Duration SHUTDOWN_DELAY = Duration.ofMillis(300);

    /** Repeated: the answer must be on the wire before the stop, which a race would lose now and then. */
    @RepeatedTest(5)
    void readinessGoesFalseFirstAndInFlightReviewsFinish() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AdmissionPolicy slow = request -> {
            entered.countDown();
            release.await(20, TimeUnit.SECONDS);
            return AdmissionDecision.allow();
        };
        ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
        TestServer server = new TestServer(
                new FixedCertificateSource(certificate),
                slow,
                TestPki.trusting(certificate.leaf()),
                config -> config.toBuilder()
                        .shutdown(SHUTDOWN_DELAY, Duration.ofSeconds(15))
                        .build());
        assertEquals(200, server.health("/readyz").statusCode());

        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return server.post("/mutate", "application/json", RawHttps.review("in-flight"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(entered.await(10, TimeUnit.SECONDS), "review never reached the policy");
        long closeCalled = System.nanoTime();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);

        HttpResponse<String> draining = awaitStatus(server, 503);
        assertTrue(draining.body().contains("[-]shutdown failed: shutting down"), draining.body());
        assertEquals(1, server.server.inFlight());
        // past the shutdown delay the server drains: it would stop now if it did not wait for the review
        Await.until("the server draining", Duration.ofSeconds(5), server.server::draining);
        assertTrue(System.nanoTime() - closeCalled >= SHUTDOWN_DELAY.toNanos(), "it drains after the delay");
        assertEquals(1, server.server.inFlight());
        assertTrue(!closing.isDone(), "close() must wait for the in-flight review");

        release.countDown();
        HttpResponse<String> finished = inFlight.get(10, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertTrue(finished.body().contains("\"uid\":\"in-flight\""), finished.body());
        closing.get(10, TimeUnit.SECONDS);
    }

    @Test
    void duringTheShutdownDelayEachAnswerClosesItsConnection() throws Exception {
        ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
        TestServer server = new TestServer(
                new FixedCertificateSource(certificate),
                request -> AdmissionDecision.allow(),
                TestPki.trusting(certificate.leaf()),
                config -> config.toBuilder()
                        .shutdown(Duration.ofSeconds(3), Duration.ofSeconds(5))
                        .build());
        HttpResponse<String> serving = server.post("/mutate", "application/json", RawHttps.review("serving"));
        assertEquals(200, serving.statusCode());
        assertEquals(
                Optional.empty(), serving.headers().firstValue("connection"), "connections are kept while serving");

        // Its own thread, not the common pool, which other tests' reviews need while this one stops.
        Thread closing = Thread.ofPlatform().name("closing").start(server::close);
        awaitStatus(server, 503);
        HttpResponse<String> stopping = server.post("/mutate", "application/json", RawHttps.review("stopping"));
        assertTrue(closing.isAlive(), "answered within the shutdown delay");
        assertEquals(200, stopping.statusCode(), "still answered during the delay");
        assertTrue(stopping.body().contains("\"uid\":\"stopping\""), stopping.body());
        assertEquals(Optional.of("close"), stopping.headers().firstValue("connection"));
        closing.join(Duration.ofSeconds(20));
    }

    private static HttpResponse<String> awaitStatus(TestServer server, int status) {
        AtomicReference<HttpResponse<String>> response = new AtomicReference<>();
        Await.until(
                "readyz answering " + status,
                Duration.ofSeconds(5),
                () -> {
                    try {
                        response.set(server.health("/readyz"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return response.get().statusCode() == status;
                },
                () -> "it answered " + response.get().statusCode() + ": "
                        + response.get().body());
        return response.get();
    }
}
