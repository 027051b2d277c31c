package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.time.Await;
import dev.routecert.time.TestClock;
import dev.routecert.tls.FileCertificateSource;
import dev.routecert.tls.SecretVolume;
import dev.routecert.tls.TestPki;
import dev.routecert.tls.TestPki.Issued;
import dev.routecert.tls.TestPki.KeyFormat;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload refuses a certificate every handshake would fail with: outside its validity on the
 * source's clock, or not covering {@code --tls-server-names}. The files change under a running server.
 */
class CertificateRefusalTest {

    private static final TestPki PKI = new TestPki();
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration DAY = Duration.ofDays(1);
    private static final String SERVICE = "routecert.routecert-system.svc";

    @TempDir
    Path dir;

    private TestServer serve(SecretVolume volume, ServerMetrics metrics, TestClock clock, List<String> names) {
        return new TestServer(
                new FileCertificateSource(volume.certificateFile(), volume.keyFile(), POLL, metrics, clock, names),
                AdmissionPolicy.ALLOW_ALL,
                PKI.clientContext("TLS"),
                c -> c);
    }

    @Test
    void anExpiredOrNotYetValidReplacementKeepsTheLastGoodCertificate() throws Exception {
        Instant now = Instant.now();
        SecretVolume volume = new SecretVolume(dir.resolve("serving-cert"));
        Issued good = PKI.issue(KeyFormat.EC_PKCS8, now.minus(DAY), now.plus(DAY), "localhost");
        volume.write(good);
        ServerMetrics metrics = new ServerMetrics();
        try (TestServer server = serve(volume, metrics, new TestClock(now), List.of())) {
            volume.write(PKI.issue(KeyFormat.EC_PKCS8, now.minus(DAY.multipliedBy(2)), now.minus(DAY), "localhost"));
            awaitReloadFailures(metrics, 1);
            volume.write(PKI.issue(KeyFormat.EC_PKCS8, now.plus(DAY), now.plus(DAY.multipliedBy(2)), "localhost"));
            awaitReloadFailures(metrics, 2);

            assertEquals(good.serial(), servedSerial(server));
            assertTrue(server.readiness.ready());
            assertTrue(
                    new String(metrics.scrape()).contains("certwatcher_read_certificate_total 3.0"),
                    "only the first certificate was put in force: three reads, two of them refused");
        }
    }

    @Test
    void aReplacementNotValidYetIsTakenOnceTheClockReachesItsStart() throws Exception {
        Instant now = Instant.now();
        TestClock clock = new TestClock(now.minus(DAY));
        SecretVolume volume = new SecretVolume(dir.resolve("serving-cert"));
        Issued good = PKI.issue(KeyFormat.EC_PKCS8, now.minus(DAY.multipliedBy(2)), now.plus(DAY), "localhost");
        volume.write(good);
        ServerMetrics metrics = new ServerMetrics();
        try (TestServer server = serve(volume, metrics, clock, List.of())) {
            Issued next = PKI.issue(KeyFormat.EC_PKCS8, now.minusSeconds(60), now.plus(DAY), "localhost");
            volume.write(next);
            awaitReloadFailures(metrics, 1);
            assertEquals(good.serial(), servedSerial(server));

            clock.advance(DAY);

            awaitServing(server, next.serial());
            awaitReloadFailures(metrics, 1); // the same refusal is counted once, not on every poll
        }
    }

    @Test
    void aReplacementThatDoesNotCoverTheServerNamesIsRefused() throws Exception {
        Instant now = Instant.now();
        SecretVolume volume = new SecretVolume(dir.resolve("serving-cert"));
        Issued good = PKI.issue(KeyFormat.EC_PKCS8, now.minus(DAY), now.plus(DAY), "localhost", SERVICE);
        volume.write(good);
        ServerMetrics metrics = new ServerMetrics();
        try (TestServer server = serve(volume, metrics, new TestClock(now), List.of(SERVICE))) {
            volume.write(PKI.issue(KeyFormat.EC_PKCS8, now.minus(DAY), now.plus(DAY), "localhost"));
            awaitReloadFailures(metrics, 1);
            // a wildcard stands for one label only
            volume.write(PKI.issue(KeyFormat.EC_PKCS8, now.minus(DAY), now.plus(DAY), "localhost", "*.svc"));
            awaitReloadFailures(metrics, 2);
            assertEquals(good.serial(), servedSerial(server));

            Issued wildcard =
                    PKI.issue(KeyFormat.EC_PKCS8, now.minus(DAY), now.plus(DAY), "localhost", "*.routecert-system.svc");
            volume.write(wildcard);
            awaitServing(server, wildcard.serial());
        }
    }

    private static BigInteger servedSerial(TestServer server) throws Exception {
        return RawHttps.post(PKI.clientContext("TLS"), server.server.securePort(), "/mutate", RawHttps.review("probe"))
                .serial();
    }

    private static void awaitServing(TestServer server, BigInteger serial) {
        Await.until("serving serial " + serial, Duration.ofSeconds(10), () -> {
            try {
                return serial.equals(servedSerial(server));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void awaitReloadFailures(ServerMetrics metrics, int count) {
        String line = "certwatcher_read_certificate_errors_total " + count + ".0";
        Await.until(line, Duration.ofSeconds(10), () -> new String(metrics.scrape()).contains(line));
    }
}
