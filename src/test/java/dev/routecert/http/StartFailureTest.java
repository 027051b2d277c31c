package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.routecert.config.ServeConfig;
import dev.routecert.health.Readiness;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The listeners start side by side; when one cannot bind, start-up fails and neither port stays taken. */
class StartFailureTest {

    @Test
    void aTakenPortFailsStartUpAndReleasesTheOtherListener() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (boolean healthTaken : new boolean[] {true, false}) {
            int free;
            try (ServerSocket probe = new ServerSocket(0, 1, loopback)) {
                free = probe.getLocalPort();
            }
            try (ServerSocket taken = new ServerSocket(0, 1, loopback)) {
                ServeConfig defaults = TestServer.defaults();
                int securePort = healthTaken ? free : taken.getLocalPort();
                int healthPort = healthTaken ? taken.getLocalPort() : free;
                ServeConfig config =
                        defaults.toBuilder().ports(securePort, healthPort).build();
                RoutecertServer server = new RoutecertServer(
                        config,
                        new FixedCertificateSource(SelfSignedCertificates.forLocalhost(Duration.ofDays(1))),
                        new DecidingTestPolicy(),
                        new DecidingTestPolicy(),
                        new Readiness(),
                        new ServerMetrics());
                assertThrows(RuntimeException.class, server::start, "healthTaken=" + healthTaken);
            }
            try (ServerSocket again = new ServerSocket(free, 1, loopback)) {
                // bound: the listener that did start was stopped
            }
        }
    }
}
