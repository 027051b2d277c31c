package dev.routecert.policy.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scope, the opt-out and the --require-tls exemptions as the route policy applies them. */
class ScopedPolicyTest {

    private static final PolicyConfig ISSUER = PolicyConfig.defaults().withDefaultIssuer("le", "ClusterIssuer");
    private static final OptOutPolicy NOT_IN_STRICT = ns -> !ns.equals("strict");

    /** An Ingress whose TLS does not cover its host: denied whenever it is checked. */
    static JsonNode uncovered(String namespace, String classField, String annotations) {
        return RequireTlsExemptionsTest.yaml("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: shop, namespace: %s, annotations: %s}
                spec:
                  %s
                  rules: [{host: shop.example.com}]
                  tls: [{hosts: [other.example.com], secretName: shop-tls}]
                """.formatted(namespace, annotations, classField));
    }

    private static ScopedVerdict judge(RoutePolicy policy, JsonNode object) {
        return policy.judge(PolicyRequest.create(object, "web"));
    }

    @Test
    void anObjectOutOfScopeIsAllowedUntouched() {
        RoutePolicy policy = new RoutePolicy(
                ISSUER, ScopeSettings.classes("traefik"), RequireTlsExemptionsTest.facts(), OptOutPolicy.ALLOWED);
        ScopedVerdict nginx = judge(policy, uncovered("web", "ingressClassName: nginx", "{}"));
        assertEquals(ScopedVerdict.Status.OUT_OF_SCOPE, nginx.status());
        assertEquals(
                new Verdict(List.of(), List.of(), null, List.of(), List.of()),
                nginx.verdict(),
                "no violation, warning, patch, Certificate or note");
        ScopedVerdict traefik = judge(policy, uncovered("web", "ingressClassName: traefik", "{}"));
        assertEquals(ScopedVerdict.Status.CHECKED, traefik.status());
        assertFalse(traefik.verdict().allowed());
    }

    @Test
    void theDefaultClassComesFromTheIngressClassDocuments() {
        String traefikDefault = """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: %s
                  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
                spec: {controller: x}
                """;
        ScopeSettings traefik = ScopeSettings.classes("traefik").withIncludeUnclassed(false);
        JsonNode classless = uncovered("web", "", "{}");
        assertFalse(judge(
                        new RoutePolicy(
                                ISSUER,
                                traefik,
                                RequireTlsExemptionsTest.facts(traefikDefault.formatted("traefik")),
                                OptOutPolicy.ALLOWED),
                        classless)
                .skipped());
        assertEquals(
                ScopedVerdict.Status.OUT_OF_SCOPE,
                judge(
                                new RoutePolicy(
                                        ISSUER,
                                        traefik,
                                        RequireTlsExemptionsTest.facts(traefikDefault.formatted("nginx")),
                                        OptOutPolicy.ALLOWED),
                                classless)
                        .status());
    }

    @Test
    void theOptOutSkipsUnlessForbiddenAndAnotherValueIsWarnedAbout() {
        RoutePolicy policy = new RoutePolicy(ISSUER, ScopeSettings.everything(), ScopeFacts.NONE, NOT_IN_STRICT);
        ScopedVerdict ignored = judge(policy, uncovered("web", "", "{routecert.dev/ignore: \"true\"}"));
        assertEquals(ScopedVerdict.Status.OPTED_OUT, ignored.status());
        assertTrue(ignored.verdict().allowed());
        assertEquals(List.of(), ignored.verdict().warnings());

        ScopedVerdict strict = judge(policy, uncovered("strict", "", "{routecert.dev/ignore: \"true\"}"));
        assertEquals(ScopedVerdict.Status.CHECKED, strict.status());
        assertFalse(strict.verdict().allowed());
        assertEquals(
                "[opt-out-forbidden] metadata.annotations[routecert.dev/ignore]: routecert.dev/ignore is not allowed"
                        + " in namespace strict;"
                        + " routecert checks this object",
                strict.verdict().warnings().getFirst());

        ScopedVerdict yes = judge(policy, uncovered("web", "", "{routecert.dev/ignore: \"yes\"}"));
        assertFalse(yes.verdict().allowed());
        assertTrue(yes.verdict().warnings().getFirst().startsWith("[ignore-annotation] "));
        assertTrue(yes.verdict().warnings().getFirst().contains("only \"true\" opts out"));
    }

    @Test
    void requireTlsExemptsSolversAndRedirectsAndSaysWhatIsMissing() {
        PolicyConfig requireTls = ISSUER.withRequireTls(true);
        ScopeFacts facts = RequireTlsExemptionsTest.facts(RequireTlsExemptionsTest.REDIRECT.formatted("traefik.io"));
        RoutePolicy policy = new RoutePolicy(requireTls, ScopeSettings.everything(), facts, OptOutPolicy.ALLOWED);
        RoutePolicy unknown =
                new RoutePolicy(requireTls, ScopeSettings.everything(), ScopeFacts.NONE, OptOutPolicy.ALLOWED);

        JsonNode redirect = RequireTlsExemptionsTest.ingressRoute("{name: to-https}");
        Verdict exempt = policy.evaluate(PolicyRequest.create(redirect, "web"));
        assertTrue(exempt.allowed(), exempt.summary());
        assertTrue(exempt.notes()
                .contains("TLS is not required of this IngressRoute: every route's first middleware"
                        + " redirects to HTTPS (web/to-https)"));

        Verdict denied = unknown.evaluate(PolicyRequest.create(redirect, "web"));
        assertFalse(denied.allowed());
        assertEquals(
                "add tls: {secretName: http-tls}; if this route only redirects to HTTPS, apply its Middleware"
                        + " web/to-https first, then this route",
                denied.violations().getFirst().hint());

        JsonNode solver = RequireTlsExemptionsTest.ingress("{acme.cert-manager.io/http01-solver: \"true\"}", "");
        assertTrue(unknown.evaluate(PolicyRequest.create(solver, "web")).allowed());
        JsonNode plain = RequireTlsExemptionsTest.ingress("{}", "");
        assertFalse(unknown.evaluate(PolicyRequest.create(plain, "web")).allowed());
    }
}
