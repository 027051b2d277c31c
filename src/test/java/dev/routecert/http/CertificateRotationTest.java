package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.time.Await;
import dev.routecert.tls.FileCertificateSource;
import dev.routecert.tls.SecretVolume;
import dev.routecert.tls.TestPki;
import dev.routecert.tls.TestPki.Issued;
import dev.routecert.tls.TestPki.KeyFormat;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serving certificate changes under a running server the way the kubelet changes a Secret volume. */
class CertificateRotationTest {

    private static final TestPki PKI = new TestPki();
    private static final Duration POLL = Duration.ofMillis(100);

    @TempDir
    Path dir;

    @Test
    void rotatesUnderLoadWithoutASingleFailedRequest() throws Exception {
        SecretVolume volume = new SecretVolume(dir.resolve("serving-cert"));
        Issued first = PKI.issue(KeyFormat.EC_PKCS8);
        volume.write(first);
        ServerMetrics metrics;
        try (TestServer server = new TestServer(
                new FileCertificateSource(
                        volume.certificateFile(), volume.keyFile(), POLL, FileCertificateSource.Events.NONE),
                AdmissionPolicy.ALLOW_ALL,
                PKI.clientContext("TLS"),
                c -> c)) {
            metrics = server.metrics;
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<BigInteger> seenOnFreshConnections = new ConcurrentLinkedQueue<>();
            ExecutorService clients = Executors.newFixedThreadPool(3);
            List<Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < 2; i++) { // keep-alive clients: connections opened before the swap keep working
                int client = i;
                loops.add(clients.submit(() -> {
                    while (running.get()) {
                        String uid = "keepalive-" + client + "-" + sent.incrementAndGet();
                        try {
                            HttpResponse<String> response =
                                    server.post("/mutate", "application/json", RawHttps.review(uid));
                            if (response.statusCode() != 200 || !response.body().contains(uid)) {
                                failures.add(uid + ": " + response.statusCode() + " " + response.body());
                            }
                        } catch (Exception e) {
                            failures.add(uid + ": " + e);
                        }
                    }
                }));
            }
            loops.add(clients.submit(
                    () -> { // a new TLS connection per request: each handshake sees the current pair
                        while (running.get()) {
                            String uid = "fresh-" + sent.incrementAndGet();
                            try {
                                RawHttps.Exchange exchange = RawHttps.post(
                                        PKI.clientContext("TLS"),
                                        server.server.securePort(),
                                        "/mutate",
                                        RawHttps.review(uid));
                                seenOnFreshConnections.add(exchange.serial());
                                if (exchange.status() != 200 || !exchange.body().contains(uid)) {
                                    failures.add(uid + ": " + exchange.status() + " " + exchange.body());
                                }
                            } catch (Exception e) {
                                failures.add(uid + ": " + e);
                            }
                        }
                    }));

            // load on both kinds of connection before the swap and after it
            awaitLoad(sent, seenOnFreshConnections, first.serial(), failures);
            Issued second = PKI.issue(KeyFormat.RSA_PKCS1); // a new key type too: the whole pair changes at once
            volume.write(second);
            awaitServing(server, second.serial());
            awaitLoad(sent, seenOnFreshConnections, second.serial(), failures);
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(30, TimeUnit.SECONDS);
            }
            clients.shutdown();

            assertEquals(List.of(), List.copyOf(failures), "requests failed during rotation");
            assertTrue(sent.get() > 20, "too little load to prove anything: " + sent.get());
            assertTrue(seenOnFreshConnections.contains(first.serial()), "fresh connections saw the first certificate");
            assertTrue(
                    seenOnFreshConnections.contains(second.serial()), "fresh connections saw the second certificate");
            assertEquals(
                    second.serial(),
                    RawHttps.post(
                                    PKI.clientContext("TLS"),
                                    server.server.securePort(),
                                    "/mutate",
                                    RawHttps.review("after"))
                            .serial());
            String scrape = new String(metrics.scrape());
            assertTrue(scrape.contains("routecert_serving_certificate_expiry_timestamp_seconds "), scrape);
            System.out.printf("rotation under load: %d requests, 0 failed%n", sent.get());
        }
    }

    @Test
    void corruptOrMismatchedReplacementKeepsTheLastGoodCertificate() throws Exception {
        SecretVolume volume = new SecretVolume(dir.resolve("serving-cert"));
        Issued good = PKI.issue(KeyFormat.RSA_PKCS8);
        volume.write(good);
        ServerMetrics metrics = new ServerMetrics();
        try (TestServer server = new TestServer(
                new FileCertificateSource(volume.certificateFile(), volume.keyFile(), POLL, metrics),
                AdmissionPolicy.ALLOW_ALL,
                PKI.clientContext("TLS"),
                c -> c)) {
            Issued other = PKI.issue(KeyFormat.RSA_PKCS8);
            // each bad replacement is looked at (and refused) before the next one comes
            volume.write(good.certificatePem().substring(0, 200), good.keyPem()); // half-written certificate
            awaitReloadFailures(metrics, 1);
            volume.write(good.certificatePem(), other.keyPem()); // key of another certificate
            awaitReloadFailures(metrics, 2);
            volume.write("", ""); // emptied
            awaitReloadFailures(metrics, 3);

            assertEquals(
                    good.serial(),
                    RawHttps.post(
                                    PKI.clientContext("TLS"),
                                    server.server.securePort(),
                                    "/mutate",
                                    RawHttps.review("still-good"))
                            .serial());
            assertTrue(server.readiness.ready(), "a bad replacement must not make a serving pod unready");
            String scrape = new String(metrics.scrape());
            assertTrue(scrape.contains("certwatcher_read_certificate_errors_total 3.0"), scrape);
            // certwatcher counts every read: one good one and the three refused
            assertTrue(scrape.contains("certwatcher_read_certificate_total 4.0"), scrape);

            Issued recovered = PKI.issue(KeyFormat.ED25519_PKCS8);
            volume.write(recovered);
            awaitServing(server, recovered.serial());
        }
    }

    @Test
    void notReadyUntilTheCertificateFilesAppear() throws Exception {
        Path certificate = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        try (TestServer server = new TestServer(
                new FileCertificateSource(certificate, key, POLL, FileCertificateSource.Events.NONE),
                AdmissionPolicy.ALLOW_ALL,
                PKI.clientContext("TLS"),
                c -> c)) {
            HttpResponse<String> notReady = server.health("/readyz");
            assertEquals(503, notReady.statusCode());
            assertTrue(
                    notReady.body().contains("[-]serving-certificate failed: no valid certificate in " + certificate),
                    notReady.body());
            assertTrue(notReady.body().contains("does not exist"), notReady.body());
            assertEquals(200, server.health("/livez").statusCode(), "alive while waiting");

            Issued issued = PKI.issue(KeyFormat.EC_SEC1);
            Files.writeString(key, issued.keyPem());
            Files.writeString(certificate, issued.certificatePem());
            awaitServing(server, issued.serial());
            HttpResponse<String> ready = server.health("/readyz");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("[+]serving-certificate ok"), ready.body());
        }
    }

    private static void awaitServing(TestServer server, BigInteger serial) {
        AtomicReference<Object> seen = new AtomicReference<>();
        Await.until(
                "serving serial " + serial,
                Duration.ofSeconds(10),
                () -> {
                    try {
                        seen.set(RawHttps.post(
                                        PKI.clientContext("TLS"),
                                        server.server.securePort(),
                                        "/mutate",
                                        RawHttps.review("probe"))
                                .serial());
                    } catch (SSLHandshakeException e) {
                        // the placeholder certificate, which this client rightly does not trust
                        seen.set(e.getMessage());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return serial.equals(seen.get());
                },
                () -> "server still presents serial " + seen.get());
    }

    /** Until fresh connections have seen {@code serial} and the clients have sent 20 more requests. */
    private static void awaitLoad(
            AtomicInteger sent,
            ConcurrentLinkedQueue<BigInteger> seenOnFreshConnections,
            BigInteger serial,
            ConcurrentLinkedQueue<String> failures) {
        int from = sent.get();
        Await.until(
                "load with serial " + serial,
                Duration.ofSeconds(10),
                () -> seenOnFreshConnections.contains(serial) && sent.get() >= from + 20,
                () -> sent.get() + " sent, failures " + failures);
    }

    private static void awaitReloadFailures(ServerMetrics metrics, int count) {
        String line = "certwatcher_read_certificate_errors_total " + count + ".0";
        Await.until(line, Duration.ofSeconds(10), () -> new String(metrics.scrape()).contains(line));
    }
}
