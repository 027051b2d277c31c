package dev.routecert.policy.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.Check;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.Violation;
import dev.routecert.routes.RouteKind;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The DNSEndpoint planned for a route: names, record types, targets and TTL, as a table. */
class DnsPlannerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode route(String match, String... annotations) {
        ObjectNode route = JSON.createObjectNode();
        route.put("apiVersion", "traefik.io/v1alpha1").put("kind", "IngressRoute");
        ObjectNode meta = route.putObject("metadata").put("name", "web").put("namespace", "shop");
        ObjectNode ann = meta.putObject("annotations");
        for (int i = 0; i < annotations.length; i += 2) {
            ann.put(annotations[i], annotations[i + 1]);
        }
        ObjectNode spec = route.putObject("spec");
        spec.putArray("entryPoints").add("websecure");
        spec.putArray("routes").addObject().put("match", match).put("kind", "Rule");
        spec.putObject("tls").put("secretName", "web-tls");
        return route;
    }

    private static DnsPlan plan(JsonNode route, String... targets) {
        return DnsPlanner.plan(
                RouteKind.INGRESS_ROUTE, route, RuleSyntax.V3, List.of(targets), "Service traefik/traefik", 300);
    }

    private static String rows(DnsPlan plan) {
        return String.join(
                " | ",
                plan.endpoints().stream()
                        .map(e -> e.dnsName() + " " + e.recordType() + " " + String.join(",", e.targets()) + " "
                                + e.ttl())
                        .toList());
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(
                        "one host, one IPv4",
                        route("Host(`a.example.com`)"),
                        List.of("192.0.2.1"),
                        "a.example.com A 192.0.2.1 300"),
                Arguments.of(
                        "two hosts sorted, IPv4 and IPv6 split into A and AAAA",
                        route("Host(`b.example.com`) || Host(`a.example.com`)"),
                        List.of("2001:db8::1", "192.0.2.1"),
                        "a.example.com A 192.0.2.1 300 | a.example.com AAAA 2001:db8::1 300"
                                + " | b.example.com A 192.0.2.1 300 | b.example.com AAAA 2001:db8::1 300"),
                Arguments.of(
                        "a hostname target is a CNAME",
                        route("Host(`a.example.com`)"),
                        List.of("lb-1.elb.example.net"),
                        "a.example.com CNAME lb-1.elb.example.net 300"),
                Arguments.of(
                        "addresses win over host names",
                        route("Host(`a.example.com`)"),
                        List.of("lb.example.net", "192.0.2.1"),
                        "a.example.com A 192.0.2.1 300"),
                Arguments.of(
                        "a CNAME has one target, the first",
                        route("Host(`a.example.com`)"),
                        List.of("z.example.net", "y.example.net"),
                        "a.example.com CNAME y.example.net 300"),
                Arguments.of(
                        "a wildcard is a record",
                        route("Host(`*.example.com`)"),
                        List.of("192.0.2.1"),
                        "*.example.com A 192.0.2.1 300"),
                Arguments.of(
                        "the route's targets and TTL win",
                        route(
                                "Host(`a.example.com`)",
                                DnsPlanner.TARGET_ANNOTATION,
                                "198.51.100.7, 198.51.100.8",
                                DnsPlanner.TTL_ANNOTATION,
                                "1m"),
                        List.of("192.0.2.1"),
                        "a.example.com A 198.51.100.7,198.51.100.8 60"),
                Arguments.of(
                        "TTL in seconds",
                        route("Host(`a.example.com`)", DnsPlanner.TTL_ANNOTATION, "60"),
                        List.of("192.0.2.1"),
                        "a.example.com A 192.0.2.1 60"),
                Arguments.of(
                        "spaces in the target list are removed, as external-dns removes them",
                        route("Host(`a.example.com`)", DnsPlanner.TARGET_ANNOTATION, " 198.51.100.7 , 198.51. 100.8 "),
                        List.of("192.0.2.1"),
                        "a.example.com A 198.51.100.7,198.51.100.8 300"),
                Arguments.of(
                        "an empty target annotation is none: the configured targets",
                        route("Host(`a.example.com`)", DnsPlanner.TARGET_ANNOTATION, ""),
                        List.of("192.0.2.1"),
                        "a.example.com A 192.0.2.1 300"),
                Arguments.of("no target yet: no endpoint", route("Host(`a.example.com`)"), List.of(), ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void plansOneEndpointPerNameAndRecordType(String what, JsonNode route, List<String> targets, String expected) {
        DnsPlan plan = plan(route, targets.toArray(String[]::new));
        assertEquals(List.of(), plan.violations(), what);
        assertEquals(expected, rows(plan), what);
        assertEquals("shop", plan.namespace());
        assertEquals("web-ir", plan.name());
    }

    @Test
    void badAnnotationsDenyWithFieldAndFix() {
        DnsPlan plan = plan(
                route(
                        "Host(`a.example.com`)",
                        DnsPlanner.TARGET_ANNOTATION,
                        "192.0.2.1,http://x",
                        DnsPlanner.TTL_ANNOTATION,
                        "0"),
                "192.0.2.9");
        assertEquals(
                List.of(
                        "metadata.annotations[external-dns.alpha.kubernetes.io/ttl]",
                        "metadata.annotations[external-dns.alpha.kubernetes.io/target]"),
                plan.violations().stream().map(Violation::field).toList());
        assertTrue(plan.violations().stream().allMatch(v -> v.check() == Check.DNS_ANNOTATION && v.hint() != null));
        assertEquals(false, plan.allowed());
    }

    @Test
    void notesWhatGetsNoRecord() {
        DnsPlan mixed = plan(route("Host(`a.example.com`)"), "lb.example.net", "192.0.2.1");
        assertEquals(1, mixed.warnings().size());
        assertTrue(
                mixed.warnings().get(0).startsWith("[dns-record-skipped] targets lb.example.net"),
                mixed.warnings().toString());
        DnsPlan none = plan(route("Host(`a.example.com`)"));
        assertEquals(
                List.of("[dns-no-targets] Service traefik/traefik gives no target yet: DNSEndpoint shop/web-ir has"
                        + " no records until it does"),
                none.warnings());
    }

    @Test
    void theObjectHasExternalDnsShape() throws Exception {
        DnsPlan plan = plan(route("Host(`a.example.com`)"), "192.0.2.1");
        assertEquals(JSON.readTree("""
                        {"apiVersion":"externaldns.k8s.io/v1alpha1","kind":"DNSEndpoint",
                         "metadata":{"name":"web-ir","namespace":"shop"},
                         "spec":{"endpoints":[{"dnsName":"a.example.com","recordType":"A","recordTTL":300,
                                               "targets":["192.0.2.1"]}]}}""").toString(), plan.toObject().toString());
        assertEquals("DNSEndpoint shop/web-ir (a.example.com A 192.0.2.1 ttl 300s)", plan.describe());
    }

    @Test
    void ttlIsReadAsExternalDnsReadsIt() {
        assertEquals(Optional.of(60L), DnsPlanner.ttl("60"));
        assertEquals(Optional.of(5400L), DnsPlanner.ttl("1h30m"));
        assertEquals(Optional.of(1L), DnsPlanner.ttl("1.5s"), "external-dns drops the fraction of a second");
        assertEquals(Optional.of(60L), DnsPlanner.ttl("+60"), "Go's ParseInt takes a sign");
        assertEquals(Optional.of(60L), DnsPlanner.ttl("0000000000060"));
        assertEquals(Optional.of(2147483647L), DnsPlanner.ttl("2147483647"));
        assertEquals(Optional.empty(), DnsPlanner.ttl("0"));
        assertEquals(Optional.empty(), DnsPlanner.ttl("500ms"), "0 s after the fraction is dropped");
        assertEquals(Optional.empty(), DnsPlanner.ttl("-5"));
        assertEquals(Optional.empty(), DnsPlanner.ttl("2147483648"));
        assertEquals(Optional.empty(), DnsPlanner.ttl("99999999999999999999"));
        assertEquals(Optional.empty(), DnsPlanner.ttl(" 60"), "external-dns trims nothing");
        assertEquals(Optional.empty(), DnsPlanner.ttl("1_000"));
        assertEquals(Optional.empty(), DnsPlanner.ttl("soon"));
        assertEquals(Optional.empty(), DnsPlanner.ttl(""));
    }
}
