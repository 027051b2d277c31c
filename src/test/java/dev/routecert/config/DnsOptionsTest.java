package dev.routecert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.routes.RouteKind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks {@link DnsOptions#problems()} makes: one target source when enabled, and valid values. */
class DnsOptionsTest {

    private static DnsOptions enabled(String service, List<String> targets) {
        return new DnsOptions(true, DnsOptions.DEFAULT_KINDS, service, targets, DnsOptions.DEFAULT_TTL);
    }

    @Test
    void offByDefaultWithTraefikKindsAndFiveMinutes() {
        DnsOptions d = DnsOptions.defaults();
        assertFalse(d.enabled());
        assertEquals(List.of("IngressRoute", "IngressRouteTCP"), d.kinds());
        assertEquals(Duration.ofSeconds(300), d.ttl());
        assertEquals(List.of(), d.problems());
        assertFalse(d.covers(RouteKind.INGRESS_ROUTE), "nothing is covered while off");
    }

    @Test
    void enabledNeedsExactlyOneTargetSource() {
        assertEquals(
                List.of("--dns-endpoints=true needs the records' target: --dns-target-service NAMESPACE/NAME"
                        + " (Traefik's LoadBalancer Service) or --dns-targets ADDRESS[,ADDRESS]"),
                enabled(null, List.of()).problems());
        assertEquals(
                List.of("--dns-target-service and --dns-targets exclude each other: give one target source"),
                enabled("traefik/traefik", List.of("192.0.2.1")).problems());
        assertEquals(List.of(), enabled("traefik/traefik", List.of()).problems());
        assertEquals(
                List.of(),
                enabled(null, List.of("192.0.2.1", "2001:db8::1", "lb.example.net"))
                        .problems());
    }

    @Test
    void coversTheNamedKindsInEveryGroup() {
        DnsOptions d = enabled("traefik/traefik", List.of());
        assertTrue(d.covers(RouteKind.INGRESS_ROUTE));
        assertTrue(d.covers(RouteKind.INGRESS_ROUTE_TCP_LEGACY));
        assertFalse(d.covers(RouteKind.INGRESS));
        assertEquals("traefik", d.targetServiceNamespace());
        assertEquals("traefik", d.targetServiceName());
    }

    @Test
    void badValuesNameTheirOption() {
        assertEquals(
                List.of("--dns-target-service must be NAMESPACE/NAME of a Service, got 'traefik'"),
                enabled("traefik", List.of()).problems());
        assertEquals(
                List.of("--dns-targets: 'http://x' is not a target: neither an IP address nor a host name (no"
                        + " wildcard, no port, no scheme)"),
                enabled(null, List.of("http://x")).problems());
        assertEquals(
                List.of("--dns-endpoint-kinds: unknown kind 'Route' (one of Ingress, IngressRoute, IngressRouteTCP)"),
                new DnsOptions(true, List.of("Route"), "a/b", List.of(), DnsOptions.DEFAULT_TTL).problems());
        assertEquals(
                List.of("--dns-ttl must be whole seconds between 1s and 2147483647s, got 500ms"),
                new DnsOptions(false, DnsOptions.DEFAULT_KINDS, null, List.of(), Duration.ofMillis(500)).problems());
        assertEquals(
                List.of("--dns-endpoint-kinds is empty with --dns-endpoints=true: name at least one kind"),
                new DnsOptions(true, List.of(), "a/b", List.of(), DnsOptions.DEFAULT_TTL).problems());
    }
}
