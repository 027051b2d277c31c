package dev.routecert.policy.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.routes.RouteKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SameClaimRuleTest {

    private static ClaimKey key(String name) {
        return ClaimKey.parse(name).orElseThrow();
    }

    @Test
    void keysAreTheComparedFormWithTheirZone() {
        assertEquals("shop.example.com", key("Shop.Example.COM.").name());
        assertEquals(Optional.of("example.com"), key("shop.example.com").zone());
        assertEquals(Optional.of("example.com"), key("*.example.com").zone());
        assertEquals(Optional.empty(), key("10.0.0.1").zone());
        assertEquals(Optional.empty(), key("localhost").zone());
        assertEquals(Optional.of(key("*.example.com")), key("shop.example.com").coveringWildcard());
        assertTrue(ClaimKey.parse("**.example.com").isEmpty(), "names no host a claim can hold");
    }

    @Test
    void aOneLabelWildcardIsTheSameClaimAsTheNamesItCovers() {
        assertTrue(SameClaimRule.same(key("a.d.io"), key("a.d.io")));
        assertTrue(SameClaimRule.same(key("a.d.io"), key("*.d.io")));
        assertTrue(SameClaimRule.same(key("*.d.io"), key("a.d.io")));
        assertFalse(SameClaimRule.same(key("a.b.d.io"), key("*.d.io")));
        assertFalse(SameClaimRule.same(key("d.io"), key("*.d.io")));
        assertFalse(SameClaimRule.same(key("*.b.d.io"), key("*.d.io")));
        assertFalse(SameClaimRule.same(key("10.0.0.1"), key("10.0.0.2")));
    }

    @Test
    void aRivalIsAnotherNamespaceThatDoesNotShare() {
        List<SameClaimRule.Held> held = List.of(new SameClaimRule.Held(key("*.d.io"), "team-a"));
        assertTrue(SameClaimRule.rival("team-b", key("x.d.io"), held, SharedHosts.NEVER)
                .isPresent());
        assertTrue(SameClaimRule.rival("team-a", key("x.d.io"), held, SharedHosts.NEVER)
                .isEmpty());
        assertTrue(SameClaimRule.rival("team-b", key("x.d.io"), held, (a, b, h) -> true)
                .isEmpty());
    }

    @Test
    void beforeAnyClaimTheOldestServerWins() {
        SameClaimRule.Server old = new SameClaimRule.Server("team-a", Instant.parse("2024-01-01T00:00:00Z"), "a");
        SameClaimRule.Server young = new SameClaimRule.Server("team-b", Instant.parse("2024-06-01T00:00:00Z"), "b");
        SameClaimRule.Server creating = new SameClaimRule.Server("team-b", null, "new");
        assertEquals(
                Optional.of(old),
                SameClaimRule.olderServer("team-b", key("x.d.io"), creating, List.of(old, young), SharedHosts.NEVER));
        assertEquals(
                Optional.empty(),
                SameClaimRule.olderServer(
                        "team-a",
                        key("x.d.io"),
                        new SameClaimRule.Server("team-a", null, "new"),
                        List.of(old, young),
                        SharedHosts.NEVER));
    }

    @Test
    void anIngressRouteTcpClaimsItsHostSniNamesButNotItsCatchAll() throws Exception {
        JsonNode route = new ObjectMapper().readTree("""
                {"metadata": {"name": "db"}, "spec": {
                  "routes": [{"match": "HostSNI(`db.d.io`)"}, {"match": "HostSNI(`*`)"},
                             {"match": "Host(`web.d.io`)"}],
                  "tls": {"passthrough": true}}}
                """);
        assertEquals(
                Map.of(key("db.d.io"), "spec.routes[0].match"),
                ServedNames.of(RouteKind.INGRESS_ROUTE_TCP, route, RuleSyntax.V3),
                "HostSNI names are served, passthrough or not; Host is no TCP matcher");
        assertEquals(
                Map.of(key("db.d.io"), "spec.routes[0].match"),
                ServedNames.of(RouteKind.INGRESS_ROUTE_TCP_LEGACY, route, RuleSyntax.V3));
    }

    @Test
    void servedNamesAreHostsAndTlsDomainsOnlyForRegexpRoutes() throws Exception {
        JsonNode route = new ObjectMapper().readTree("""
                {"metadata": {"name": "r"}, "spec": {
                  "routes": [{"match": "Host(`a.d.io`) || HostRegexp(`^.+\\\\.e\\\\.io$`)"}],
                  "tls": {"domains": [{"main": "*.e.io", "sans": ["e.io"]}]}}}
                """);
        Map<ClaimKey, String> names = ServedNames.of(RouteKind.INGRESS_ROUTE, route, RuleSyntax.V3);
        assertEquals(
                Map.of(
                        key("a.d.io"), "spec.routes[0].match",
                        key("*.e.io"), "spec.tls.domains[0].main",
                        key("e.io"), "spec.tls.domains[0].sans[0]"),
                names);
        JsonNode plain = new ObjectMapper().readTree("""
                {"metadata": {"name": "r"}, "spec": {
                  "routes": [{"match": "Host(`a.d.io`)"}],
                  "tls": {"domains": [{"main": "*.d.io"}]}}}
                """);
        assertEquals(
                Map.of(key("a.d.io"), "spec.routes[0].match"),
                ServedNames.of(RouteKind.INGRESS_ROUTE, plain, RuleSyntax.V3),
                "a TLS-only wildcard claims nothing");
        JsonNode ingress = new ObjectMapper().readTree("""
                {"metadata": {"name": "i"}, "spec": {"rules": [{"host": "A.d.io"}, {"http": {}}],
                  "tls": [{"hosts": ["b.d.io"]}]}}
                """);
        assertEquals(
                Map.of(key("a.d.io"), "spec.rules[0].host"), ServedNames.of(RouteKind.INGRESS, ingress, RuleSyntax.V3));
    }
}
