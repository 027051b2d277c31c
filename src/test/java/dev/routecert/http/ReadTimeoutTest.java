package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read timeout bounds a body, not a connection: a body that stalls or trickles is answered 408
 * well before the idle timeout and holds no thread meanwhile, while a kept-alive connection between
 * requests stays open for the idle timeout.
 */
class ReadTimeoutTest {

    private static final long LIMIT = 64 * 1024;
    private static final Duration READ_TIMEOUT = Duration.ofMillis(1500);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(120);
    private static TestServer server;
    private static SSLContext trust;

    @BeforeAll
    static void start() {
        ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
        trust = TestPki.trusting(certificate.leaf());
        server = new TestServer(
                new FixedCertificateSource(certificate),
                AdmissionPolicy.ALLOW_ALL,
                trust,
                config -> config.toBuilder()
                        .maxRequestBytes(LIMIT)
                        .requestReadTimeout(READ_TIMEOUT)
                        .idleTimeout(IDLE_TIMEOUT)
                        .minRequestDataRate(0) // the read timeout alone; SlowBodyTest covers the rate
                        .build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static byte[] head(long contentLength) {
        return ("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                        + contentLength + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aStalledBodyHoldsNoThreadAndIsAnswered408() throws Exception {
        try (SSLSocket socket = RawHttps.connect(trust, server.server.securePort())) {
            OutputStream out = socket.getOutputStream();
            out.write(head(1000));
            out.write("{\"apiVersion\"".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            boolean waitingWithoutThread = await(
                    () -> server.server.inFlight() == 1 && !aThreadIsIn("AdmissionEndpoint", "BoundedBody"),
                    READ_TIMEOUT.dividedBy(2));
            assertTrue(waitingWithoutThread, "a request thread stayed in the endpoint while the body stalled");

            String answer = RawHttps.readAll(socket.getInputStream());
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("application/json"), answer);
            assertTrue(answer.contains("request body was not received within 1500 ms"), answer);
            assertTrue(waitedMillis < READ_TIMEOUT.toMillis() * 3, "answered after " + waitedMillis + " ms");
        }
    }

    /** Data that keeps coming, too slowly, does not restart the clock as it would an idle timeout. */
    @Test
    void aTricklingBodyIsAnswered408WithinTheReadTimeout() throws Exception {
        try (SSLSocket socket = RawHttps.connect(trust, server.server.securePort())) {
            OutputStream out = socket.getOutputStream();
            out.write(head(10_000));
            out.flush();
            long start = System.nanoTime();
            AtomicBoolean answered = new AtomicBoolean();
            Thread trickle = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (!answered.get()) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection after its answer
                }
            });
            String answer;
            try {
                answer = readUntilClosed(socket.getInputStream());
            } finally {
                answered.set(true);
                trickle.join(5_000);
            }
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("request body was not received within 1500 ms"), answer);
            assertTrue(waitedMillis < READ_TIMEOUT.toMillis() * 3, "answered after " + waitedMillis + " ms");
        }
    }

    /** Idle between requests is not a stalled body: the connection waits the idle timeout, not the read one. */
    @Test
    void aKeptAliveConnectionOutlivesTheReadTimeout() throws Exception {
        try (SSLSocket socket = RawHttps.connect(trust, server.server.securePort())) {
            socket.setSoTimeout(10_000);
            byte[] review = RawHttps.review("first");
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(head(review.length));
            out.write(review);
            out.flush();
            assertTrue(readResponse(in).startsWith("HTTP/1.1 200"));

            Thread.sleep(READ_TIMEOUT.multipliedBy(2)); // idle on purpose: this is the condition under test

            review = RawHttps.review("second");
            out.write(head(review.length));
            out.write(review);
            out.flush();
            String second = readResponse(in);
            assertTrue(second.startsWith("HTTP/1.1 200"), second);
            assertTrue(second.contains("\"uid\":\"second\""), second);
        }
    }

    /** A refused body that stops arriving is drained no longer than the read timeout. */
    @Test
    void aStalledRefusedBodyIsLetGoWithinTheReadTimeout() throws Exception {
        try (SSLSocket socket = RawHttps.connect(trust, server.server.securePort())) {
            OutputStream out = socket.getOutputStream();
            out.write(head(LIMIT + 1));
            out.write(new byte[1000]);
            out.flush();
            long start = System.nanoTime();
            String answer = readResponse(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(
                    await(() -> server.server.inFlight() == 0, READ_TIMEOUT.multipliedBy(3)),
                    "the refused review was still in flight after three read timeouts");
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waitedMillis < READ_TIMEOUT.toMillis() * 3, "let go after " + waitedMillis + " ms");
        }
        assertEquals(0, server.server.inFlight());
    }

    private static boolean await(BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private static boolean aThreadIsIn(String... simpleClassNames) {
        return Thread.getAllStackTraces().values().stream()
                .flatMap(Arrays::stream)
                .anyMatch(frame -> Arrays.stream(simpleClassNames)
                        .anyMatch(name -> frame.getClassName().startsWith("dev.routecert.http." + name)));
    }

    /** What arrives until the server closes; a reset after the answer ends it too. */
    private static String readUntilClosed(InputStream in) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            int read;
            byte[] buffer = new byte[4096];
            while ((read = in.read(buffer)) != -1) {
                all.write(buffer, 0, read);
            }
        } catch (IOException e) {
            assertFalse(all.size() == 0, "the connection failed before any answer: " + e);
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /** One response on a kept-alive connection: its head, then as many body bytes as it declares. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("the connection closed in a response head: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
