package dev.routecert.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API the admission server calls: dispatch, mutation as a raw-tree patch, and the denial text. */
class RoutePolicyTest {

    private static final PolicyConfig WITH_ISSUER = PolicyConfig.defaults().withDefaultIssuer("letsencrypt-prod", "ClusterIssuer");

    static JsonNode yaml(String text) throws Exception {
        return Fixtures.YAML.readTree(text);
    }

    @Test
    void handlesBothTraefikGroupsAndIngressV1Only() {
        assertTrue(RoutePolicy.handles("traefik.io", "v1alpha1", "IngressRoute"));
        assertTrue(RoutePolicy.handles("traefik.containo.us", "v1alpha1", "IngressRoute"));
        assertTrue(RoutePolicy.handles("networking.k8s.io", "v1", "Ingress"));
        assertFalse(RoutePolicy.handles("traefik.io", "v1alpha1", "IngressRouteTCP"));
        assertFalse(RoutePolicy.handles("networking.k8s.io", "v1beta1", "Ingress"));
        assertFalse(RoutePolicy.handles("", "v1", "ConfigMap"));
        assertFalse(RoutePolicy.handles(null, null, null));
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
        assertEquals(yaml("[{op: add, path: /spec/tls/secretName, value: shop-tls}]"), v.patch(),
                "one add operation, nothing else touched");
        JsonNode patched = JsonPatch.apply(v.patch(), route);
        assertEquals(route.at("/spec/futureField"), patched.at("/spec/futureField"));
        assertEquals(route.at("/spec/tls/options"), patched.at("/spec/tls/options"));
        assertEquals("shop-tls", patched.at("/spec/tls/secretName").asText());
        assertEquals(patched, JsonPatch.apply(v.patch(), patched), "applying twice changes nothing");
        assertEquals("shop-tls", v.certificates().getFirst().secretName(), "the plan uses the defaulted name");
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
        PolicyRequest update = new PolicyRequest(create.group(), create.version(), create.kind(), "UPDATE", "default", route, route);
        Verdict v = new RoutePolicy(WITH_ISSUER).evaluate(update);
        assertEquals("spec.rules[0].host", v.violations().getFirst().field());
    }

    @Test
    void aMissingObjectIsDeniedNotThrown() {
        Verdict v = new RoutePolicy(PolicyConfig.defaults())
                .evaluate(new PolicyRequest("networking.k8s.io", "v1", "Ingress", "CREATE", "default", null, null));
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
        assertTrue(s.contains("(1) spec.routes[0].match: at offset 27, HostSNI is a TCP matcher"), s);
        assertTrue(s.contains("(2) spec.routes[0].match: at offset 5, www.example.com is served"), s);
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
        assertThrows(IllegalArgumentException.class, () -> new Verdict(List.of(), List.of(), notArray, List.of(), List.of()));
        assertNull(new Verdict(List.of(), List.of(), yaml("[]"), List.of(), List.of()).patch(), "empty patch means no patch");
    }
}
