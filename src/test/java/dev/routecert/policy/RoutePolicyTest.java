package dev.routecert.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The API the admission server calls: dispatch, mutation as a raw-tree patch, and the denial text. */
class RoutePolicyTest {

    private static final PolicyConfig WITH_ISSUER =
            PolicyConfig.defaults().withDefaultIssuer("letsencrypt-prod", "ClusterIssuer");

    static JsonNode yaml(String text) throws Exception {
        return Fixtures.YAML.readTree(text);
    }

    @Test
    void mutationPatchesOnlyTheDefaultedFieldAndKeepsUnknownFields() throws Exception {
        JsonNode route = yaml("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: shop, namespace: web, managedFields: [{manager: kubectl}]}
                spec:
                  routes:
                    - match: Host(`shop.example.com`)
                      services: [{name: shop, port: 80, nativeLB: true}]
                      observability: {accessLogs: false}
                  tls: {options: {name: modern}}
                  futureField: {anything: [1, 2, 3]}
                status: {}
                """);
        Verdict v = new RoutePolicy(WITH_ISSUER).evaluate(PolicyRequest.create(route, "web"));
        assertEquals(Verdict.Outcome.MUTATE, v.outcome());
        assertEquals(
                yaml("[{op: add, path: /spec/tls/secretName, value: shop-tls}]"),
                v.patch(),
                "one add operation, nothing else touched");
        JsonNode patched = JsonPatch.apply(v.patch(), route);
        assertEquals(route.at("/spec/futureField"), patched.at("/spec/futureField"));
        assertEquals(route.at("/spec/tls/options"), patched.at("/spec/tls/options"));
        assertEquals("shop-tls", patched.at("/spec/tls/secretName").asText());
        assertEquals(patched, JsonPatch.apply(v.patch(), patched), "applying twice changes nothing");
        assertEquals("shop-tls", v.certificates().getFirst().secretName(), "the plan uses the defaulted name");
    }

    @Test
    void mutationNeverWritesTheRequestObject() throws Exception {
        JsonNode ingress = yaml("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: web
                  namespace: default
                  annotations: {cert-manager.io/cluster-issuer: letsencrypt-prod}
                spec:
                  rules: [{host: a.example.com}, {host: b.example.com}]
                  tls: [{hosts: [a.example.com]}, {hosts: [b.example.com]}]
                """);
        JsonNode before = ingress.deepCopy();
        Verdict v = new RoutePolicy(WITH_ISSUER).evaluate(PolicyRequest.create(ingress, "default"));
        assertEquals(Verdict.Outcome.MUTATE, v.outcome());
        assertEquals(before, ingress, "the request's object is left as it was");
        assertEquals(2, v.patch().size(), "one secretName per TLS entry: " + v.patch());
        JsonNode patched = JsonPatch.apply(v.patch(), ingress);
        assertFalse(patched.at("/spec/tls/0/secretName").isMissingNode());
        assertFalse(patched.at("/spec/tls/1/secretName").isMissingNode());
        assertEquals(before.at("/spec/rules"), patched.at("/spec/rules"));
    }

    @Test
    void noPatchWhenNothingChanges() throws Exception {
        JsonNode route = yaml("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: shop, namespace: web}
                spec:
                  routes: [{match: Host(`shop.example.com`)}]
                  tls: {secretName: shop-tls}
                """);
        Verdict v = new RoutePolicy(WITH_ISSUER).evaluate(PolicyRequest.create(route, "web"));
        assertNull(v.patch());
        assertEquals(Verdict.Outcome.CREATE, v.outcome());
    }

    @Test
    void deniedObjectsGetNoPatchAndNoCertificates() throws Exception {
        JsonNode route = yaml("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata:
                  name: shop
                  annotations: {cert-manager.io/duration: 10m}
                spec:
                  routes: [{match: Host(`shop.example.com`)}]
                  tls: {}
                """);
        Verdict v = new RoutePolicy(WITH_ISSUER).evaluate(PolicyRequest.create(route, "web"));
        assertFalse(v.allowed());
        assertNull(v.patch());
        assertEquals(List.of(), v.certificates());
    }

    @Test
    void updateIsEvaluatedLikeCreate() throws Exception {
        JsonNode route = yaml("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: default}
                spec:
                  rules: [{host: a.example.com}]
                  tls: [{hosts: [b.example.com], secretName: web-tls}]
                """);
        PolicyRequest create = PolicyRequest.create(route, "default");
        PolicyRequest update =
                new PolicyRequest(create.group(), create.version(), create.kind(), "UPDATE", "default", route);
        Verdict v = new RoutePolicy(WITH_ISSUER).evaluate(update);
        assertEquals("spec.rules[0].host", v.violations().getFirst().field());
    }

    /** A list of host names with an element that is not a string is a shape problem at that element, in both kinds. */
    @Test
    void aHostListElementThatIsNotAStringIsDeniedAtItsField() throws Exception {
        JsonNode route = yaml("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: shop, namespace: web}
                spec:
                  routes: [{match: Host(`shop.example.com`)}]
                  tls: {secretName: shop-tls, domains: [{main: shop.example.com, sans: [www.shop.example.com, 443]}]}
                """);
        JsonNode ingress = yaml("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: shop, namespace: web}
                spec:
                  rules: [{host: shop.example.com}]
                  tls: [{hosts: [shop.example.com, {name: x}], secretName: shop-tls}]
                """);
        for (var c : List.of(List.of(route, "spec.tls.domains[0].sans[1]"), List.of(ingress, "spec.tls[0].hosts[1]"))) {
            Verdict v = new RoutePolicy(WITH_ISSUER).evaluate(PolicyRequest.create((JsonNode) c.get(0), "web"));
            assertEquals(Verdict.Outcome.DENY, v.outcome(), () -> v.toString());
            assertTrue(
                    v.violations().stream()
                            .anyMatch(x ->
                                    x.field().equals(c.get(1)) && x.message().contains("must be a string")),
                    () -> v.violations().toString());
        }
    }

    @Test
    void aMissingObjectIsDeniedNotThrown() {
        Verdict v = new RoutePolicy(PolicyConfig.defaults())
                .evaluate(new PolicyRequest("networking.k8s.io", "v1", "Ingress", "CREATE", "default", null));
        assertFalse(v.allowed());
    }

    @Test
    void summaryIsOneParagraphNamingEveryFieldAndFix() throws Exception {
        JsonNode route = yaml("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: www, namespace: default}
                spec:
                  routes: [{match: "Host(`www.example.com`) || HostSNI(`db.example.com`)"}]
                  tls: {secretName: www-tls, domains: [{main: example.com}]}
                """);
        Verdict v = new RoutePolicy(WITH_ISSUER).evaluate(PolicyRequest.create(route, "default"));
        String s = v.summary();
        assertTrue(s.startsWith("routecert rejected this object: 2 problems to fix."), s);
        assertTrue(
                s.contains("(1) [rule-tcp-matcher] spec.routes[0].match: at offset 27, HostSNI is a TCP matcher"), s);
        assertTrue(
                s.contains("(2) [tls-uncovered-host] spec.routes[0].match: at offset 5, www.example.com is served"), s);
        assertTrue(s.contains(" - fix: "), s);
        assertFalse(s.contains("\n"), "one paragraph");
    }

    @Test
    void allowedSummaryMentionsWarningsAndCertificates() throws Exception {
        JsonNode route = yaml("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: ab, namespace: default}
                spec:
                  routes: [{match: "Host(`a.example.com`, `b.example.com`)", syntax: v2}]
                  tls: {secretName: ab-tls}
                """);
        Verdict v = new RoutePolicy(WITH_ISSUER).evaluate(PolicyRequest.create(route, "default"));
        assertEquals("routecert allowed this object with 1 warning; it needs Certificate ab-tls.", v.summary());
    }

    @Test
    void verdictRejectsAPatchThatIsNotAnArray() throws Exception {
        JsonNode notArray = yaml("{op: add}");
        assertThrows(
                IllegalArgumentException.class,
                () -> new Verdict(List.of(), List.of(), notArray, List.of(), List.of()));
        assertNull(
                new Verdict(List.of(), List.of(), yaml("[]"), List.of(), List.of()).patch(),
                "empty patch means no patch");
    }

    @Test
    void largeObjectsAreEvaluatedInBoundedTime() {
        // 20 000 hosts served and 20 000 TLS names: coverage must not be quadratic
        int n = 20_000;
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        var route = f.objectNode().put("apiVersion", "traefik.io/v1alpha1").put("kind", "IngressRoute");
        route.putObject("metadata").put("name", "big").put("namespace", "default");
        var spec = route.putObject("spec");
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < n; i++) {
            rule.append(i == 0 ? "" : " || ").append("Host(`h").append(i).append(".example.com`)");
        }
        spec.putArray("routes").addObject().put("match", rule.toString());
        var tls = spec.putObject("tls").put("secretName", "big-tls");
        var sans = tls.putArray("domains")
                .addObject()
                .put("main", "h0.example.com")
                .putArray("sans");
        for (int i = 1; i < n; i++) {
            sans.add(i % 2 == 0 ? "h" + i + ".example.com" : "other" + i + ".example.org");
        }
        long start = System.nanoTime();
        Verdict v = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> new RoutePolicy(WITH_ISSUER).evaluate(PolicyRequest.create(route, "default")));
        System.out.printf(
                "evaluated an IngressRoute with %d hosts and %d TLS names (%d KB rule) in %d ms%n",
                n, n, rule.length() / 1024, (System.nanoTime() - start) / 1_000_000);
        assertEquals(n / 2, v.violations().size(), "every odd host is uncovered");
        assertEquals(Findings.MAX_WARNINGS + 1, v.warnings().size(), "warnings are capped with a count");
        assertTrue(v.warnings().getLast().startsWith("... and "), v.warnings().getLast());
        assertTrue(v.summary().contains("more; run routecert check"), "the denial message is capped too");
        assertTrue(v.summary().length() < 10_000);
    }

    @Test
    void largeIngressIsEvaluatedInBoundedTime() {
        int n = 20_000;
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        var ing = f.objectNode().put("apiVersion", "networking.k8s.io/v1").put("kind", "Ingress");
        ing.putObject("metadata")
                .put("name", "big")
                .put("namespace", "default")
                .putObject("annotations")
                .put("cert-manager.io/cluster-issuer", "letsencrypt-prod");
        var spec = ing.putObject("spec");
        var rules = spec.putArray("rules");
        var tls = spec.putArray("tls");
        for (int i = 0; i < n; i++) {
            rules.addObject().put("host", "h" + i + ".example.com");
            tls.addObject()
                    .put("secretName", "s" + (i % 1000))
                    .putArray("hosts")
                    .add("h" + i + ".example.com");
        }
        long start = System.nanoTime();
        Verdict v = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> new RoutePolicy(PolicyConfig.defaults()).evaluate(PolicyRequest.create(ing, "default")));
        System.out.printf(
                "evaluated an Ingress with %d rules and %d TLS entries in %d ms%n",
                n, n, (System.nanoTime() - start) / 1_000_000);
        assertEquals(n - 1000, v.violations().size(), "each reused secret name is reported once per reuse");
        assertEquals(Violation.DUPLICATE, v.violations().getFirst().reason());
    }
}
