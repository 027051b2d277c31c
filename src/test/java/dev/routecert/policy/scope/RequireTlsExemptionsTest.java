package dev.routecert.policy.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.routes.RouteKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequireTlsExemptionsTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static final String REDIRECT = """
            apiVersion: %s/v1alpha1
            kind: Middleware
            metadata: {name: to-https, namespace: web}
            spec: {redirectScheme: {scheme: https, permanent: true}}
            """;

    static final String REGEX = """
            apiVersion: traefik.io/v1alpha1
            kind: Middleware
            metadata: {name: regex, namespace: edge}
            spec: {redirectRegex: {regex: "^http://(.*)", replacement: "https://${1}"}}
            """;

    static final String HEADERS = """
            apiVersion: traefik.io/v1alpha1
            kind: Middleware
            metadata: {name: headers, namespace: web}
            spec: {headers: {customRequestHeaders: {X-A: b}}}
            """;

    static ScopeFacts facts(String... documents) {
        List<JsonNode> docs = new ArrayList<>();
        for (String d : documents) {
            docs.add(yaml(d));
        }
        return DocumentFacts.of(docs, "default");
    }

    static JsonNode ingressRoute(String... firstMiddlewares) {
        StringBuilder b = new StringBuilder("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: http, namespace: web}
                spec:
                  routes:
                """);
        for (String m : firstMiddlewares) {
            b.append("    - match: Host(`shop.example.com`)\n");
            b.append("      services: [{name: shop, port: 80}]\n");
            if (m != null) {
                b.append("      middlewares: [").append(m).append(", {name: headers}]\n");
            }
        }
        return yaml(b.toString());
    }

    static JsonNode ingress(String labels, String middlewares) {
        return yaml("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: http
                  namespace: web
                  labels: %s
                  annotations: {traefik.ingress.kubernetes.io/router.middlewares: "%s"}
                spec:
                  rules: [{host: shop.example.com}]
                """.formatted(labels, middlewares));
    }

    private static RequireTlsExemptions.Exemption of(RouteKind kind, JsonNode object, ScopeFacts facts) {
        return RequireTlsExemptions.of(kind, object, "web", facts);
    }

    @Test
    void anHttp01SolverIngressIsExempt() {
        JsonNode solver = ingress("{acme.cert-manager.io/http01-solver: \"true\"}", "");
        assertTrue(of(RouteKind.INGRESS, solver, ScopeFacts.NONE).exempt());
        JsonNode other = ingress("{acme.cert-manager.io/http01-solver: \"false\"}", "");
        assertFalse(of(RouteKind.INGRESS, other, ScopeFacts.NONE).exempt());
    }

    @Test
    void anIngressRouteWhoseEveryRouteRedirectsFirstIsExemptInBothGroups() {
        for (String group : List.of("traefik.io", "traefik.containo.us")) {
            ScopeFacts facts = facts(REDIRECT.formatted(group), REGEX, HEADERS);
            JsonNode both = ingressRoute("{name: to-https}", "{name: regex, namespace: edge}");
            for (RouteKind kind : List.of(RouteKind.INGRESS_ROUTE, RouteKind.INGRESS_ROUTE_LEGACY)) {
                RequireTlsExemptions.Exemption e = of(kind, both, facts);
                assertTrue(e.exempt(), group + " " + kind);
                assertEquals("every route's first middleware redirects to HTTPS (web/to-https)", e.why());
            }
        }
    }

    @Test
    void oneRouteThatDoesNotRedirectFirstIsNotExempt() {
        ScopeFacts facts = facts(REDIRECT.formatted("traefik.io"), HEADERS);
        assertFalse(of(RouteKind.INGRESS_ROUTE, ingressRoute("{name: to-https}", "{name: headers}"), facts)
                .exempt());
        assertFalse(of(RouteKind.INGRESS_ROUTE, ingressRoute("{name: to-https}", null), facts)
                .exempt());
        assertFalse(of(RouteKind.INGRESS_ROUTE, ingressRoute("{name: headers}", "{name: to-https}"), facts)
                .exempt());
        assertFalse(of(RouteKind.INGRESS_ROUTE, ingressRoute("{name: to-https@file}"), facts)
                .exempt());
        assertFalse(of(RouteKind.INGRESS_ROUTE, ingressRoute(), facts).exempt());
    }

    @Test
    void aMiddlewareNotKnownYetIsNotExemptAndTheFixSaysToApplyItFirst() {
        RequireTlsExemptions.Exemption e =
                of(RouteKind.INGRESS_ROUTE, ingressRoute("{name: to-https}"), ScopeFacts.NONE);
        assertFalse(e.exempt());
        assertEquals(
                "; if this route only redirects to HTTPS, apply its Middleware web/to-https first, then this route",
                e.fix());
    }

    @Test
    void anIngressIsExemptByTheFirstMiddlewareOfItsTraefikAnnotation() {
        ScopeFacts facts = facts(REDIRECT.formatted("traefik.io"), HEADERS, REGEX);
        assertTrue(of(RouteKind.INGRESS, ingress("{}", "web-to-https@kubernetescrd, web-headers@kubernetescrd"), facts)
                .exempt());
        assertTrue(of(RouteKind.INGRESS, ingress("{}", " edge-regex@kubernetescrd"), facts)
                .exempt());
        assertFalse(of(RouteKind.INGRESS, ingress("{}", "web-headers@kubernetescrd,web-to-https@kubernetescrd"), facts)
                .exempt());
        assertFalse(of(RouteKind.INGRESS, ingress("{}", "to-https@file"), facts).exempt());
        RequireTlsExemptions.Exemption unknown =
                of(RouteKind.INGRESS, ingress("{}", "web-missing@kubernetescrd"), facts);
        assertFalse(unknown.exempt());
        assertTrue(unknown.fix().contains("apply its Middleware web-missing first"), unknown.fix());
    }

    @Test
    void onlyAnHttpsRedirectCounts() {
        assertTrue(RequireTlsExemptions.redirectsToHttps(yaml(REDIRECT.formatted("traefik.io"))));
        assertTrue(RequireTlsExemptions.redirectsToHttps(yaml(REGEX)));
        assertFalse(RequireTlsExemptions.redirectsToHttps(yaml("spec: {redirectScheme: {scheme: http}}")));
        assertFalse(RequireTlsExemptions.redirectsToHttps(
                yaml("spec: {redirectRegex: {regex: x, replacement: \"http://a\"}}")));
        assertFalse(RequireTlsExemptions.redirectsToHttps(yaml(HEADERS)));
    }
}
