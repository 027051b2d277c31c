package dev.routecert.policy.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.policy.KubeNames;
import dev.routecert.routes.RouteKind;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DnsEndpointNamesTest {

    @Test
    void eachKindAndGroupHasItsOwnName() {
        Set<String> names = new HashSet<>();
        for (RouteKind kind : RouteKind.values()) {
            assertTrue(names.add(DnsEndpointNames.of(kind, "web")), kind.toString());
        }
        assertEquals("web-ir", DnsEndpointNames.of(RouteKind.INGRESS_ROUTE, "web"));
        assertEquals("web-irtcp", DnsEndpointNames.of(RouteKind.INGRESS_ROUTE_TCP, "web"));
    }

    @Test
    void aLongNameIsCutWithAHashAndStaysAValidUniqueName() {
        String a = "a".repeat(250);
        String b = "a".repeat(249) + "b";
        String na = DnsEndpointNames.of(RouteKind.INGRESS_ROUTE_TCP, a);
        String nb = DnsEndpointNames.of(RouteKind.INGRESS_ROUTE_TCP, b);
        assertEquals(253, na.length());
        assertNotEquals(na, nb);
        assertTrue(na.endsWith("-irtcp"), na);
        assertEquals(null, KubeNames.dns1123SubdomainError(na));
        String dotted = "x".repeat(230) + "." + "y".repeat(22);
        assertEquals(null, KubeNames.dns1123SubdomainError(DnsEndpointNames.of(RouteKind.INGRESS_ROUTE, dotted)));
    }
}
