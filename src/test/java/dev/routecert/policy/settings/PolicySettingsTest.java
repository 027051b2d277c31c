package dev.routecert.policy.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.policy.Action;
import dev.routecert.policy.Check;
import dev.routecert.policy.HostName;
import dev.routecert.policy.settings.TenancySettings.IssuerRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicySettingsTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    /** The example of the configuration page. */
    static final String EXAMPLE = """
            apiVersion: routecert.dev/v1alpha1
            kind: Policy
            enforcement:
              default: deny
              checks: {tls-unserved-name: off, cm-duration: warn}
            optOut: {allowed: true}
            tenancy:
              domains:
                - namespaceSelector: {matchLabels: {tenant: shop}}
                  allow: [shop.example.com, "*.apps.example.com"]
              issuers:
                - namespaceSelector: {}
                  clusterIssuers: [letsencrypt-prod]
                - namespaceSelector: {matchLabels: {pki: internal}}
                  clusterIssuers: [internal-ca]
                  externalIssuers: [{group: awspca.cert-manager.io, kind: AWSPCAClusterIssuer, name: pca}]
              certificates:
                - namespaceSelector: {matchLabels: {pki: internal}}
                  allow: {ipSANs: true, uriSANs: true, emailSANs: false, subject: true, usages: [client auth]}
              sharedHosts:
                - namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [web, web-canary]}]}
                  hosts: ["*.web.example.com", web.example.com]
            overrides:
              - namespaceSelector: {matchLabels: {routecert.dev/rollout: audit}}
                enforcement: {default: audit, checks: {host-ownership: deny}}
              - namespaceSelector: {matchLabels: {compliance: strict}}
                optOut: {allowed: false}
            """;

    private static PolicySettings.Parsed parse(String yaml) throws Exception {
        return PolicySettings.parse(YAML.readTree(yaml));
    }

    private static PolicySettings settings(String yaml) throws Exception {
        PolicySettings.Parsed parsed = parse(yaml);
        assertEquals(List.of(), parsed.problems());
        return parsed.settings();
    }

    @Test
    void theExampleParses() throws Exception {
        PolicySettings s = settings(EXAMPLE);
        assertEquals(Optional.of(Action.DENY), s.enforcement().defaultMode());
        assertEquals(
                Map.of(Check.TLS_UNSERVED_NAME, Action.OFF, Check.CM_DURATION, Action.WARN),
                s.enforcement().checks());
        assertEquals(2, s.overrides().size());
        assertEquals(2, s.tenancy().issuers().orElseThrow().size());
    }

    @Test
    void everyProblemIsReportedWithItsPath() throws Exception {
        PolicySettings.Parsed parsed = parse("""
                apiVersion: routecert.dev/v1
                kind: Policy
                enforcment: {default: deny}
                optOut: {allowed: "no"}
                tenancy:
                  domains:
                    - namespaceSelector: {matchLabels: {tenant: "shop team"}}
                      allow: ["**.example.com", 10.0.0.1]
                  issuers:
                    - clusterIssuers: [Letsencrypt]
                overrides:
                  - namespaceSelector: {matchExpressions: [{key: team, operator: In}]}
                    enforcement: {default: block}
                  - namespaceSelector: {}
                    enforcement: {checks: {tls-uncoverd-host: deny}}
                """);
        assertFalse(parsed.ok());
        assertEquals(
                List.of(
                        "enforcment: unknown field (known here: apiVersion, enforcement, kind, optOut, overrides, tenancy)",
                        "apiVersion: must be routecert.dev/v1alpha1, got \"routecert.dev/v1\"",
                        "optOut.allowed: must be true or false, got the string \"no\"",
                        "tenancy.domains[0].namespaceSelector.matchLabels.tenant: label value 'shop team' must consist of"
                                + " alphanumerics, '-', '_' or '.', and start and end with an alphanumeric",
                        "tenancy.domains[0].allow[0]: \"**.example.com\": use example.com for every name under it, or"
                                + " *.example.com for one label",
                        "tenancy.domains[0].allow[1]: \"10.0.0.1\" is an IP address; domain patterns are DNS names",
                        "tenancy.issuers[0].namespaceSelector: required ({} selects every namespace)",
                        "tenancy.issuers[0].clusterIssuers[0]: issuer name must be lower case ('L' is upper case)",
                        "overrides[0].namespaceSelector.matchExpressions[0].values: must be non-empty when operator is In",
                        "overrides[0].enforcement.default: must be deny, warn, audit or off, got \"block\"",
                        "overrides[1].enforcement.checks.tls-uncoverd-host: unknown check id 'tls-uncoverd-host'"
                                + " (did you mean tls-uncovered-host?)"),
                parsed.problems());
    }

    @Test
    void tenProblemsGiveTenLines() throws Exception {
        PolicySettings.Parsed parsed = parse("""
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                enforcement: {default: deny, checks: {nope-1: deny, nope-2: warn, cm-duration: maybe}}
                tenancy:
                  sharedHosts:
                    - namespaceSelector: {matchLabels: {"-bad": x}}
                      hosts: []
                  domains:
                    - namespaceSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}
                      allow: [example.com]
                  certificates:
                    - namespaceSelector: {}
                      allow: {ipSANs: yes-please, usages: [client auth, teleport]}
                overrides:
                  - namespaceSelector: {matchLabels: {a: b}}
                  - namespaceSelector: {matchExpressions: [{key: a, operator: Near}]}
                    optOut: {allowed: true}
                    extra: 1
                """);
        assertEquals(10, parsed.problems().size(), () -> String.join("\n", parsed.problems()));
        assertTrue(
                parsed.problems().stream().allMatch(p -> p.matches("[a-zA-Z\\[\\]0-9.-]+(\\[-bad])?[\\w.]*: .*")),
                () -> String.join("\n", parsed.problems()));
    }

    @Test
    void idsThatAreNotTunableAreRefusedAndResolveToTheCoresEnforcement() throws Exception {
        assertEquals(
                List.of("enforcement.checks.certificate-write: check certificate-write is not tunable: it always denies"
                        + " (see checks.md)"),
                parse("""
                        apiVersion: routecert.dev/v1alpha1
                        kind: Policy
                        enforcement: {checks: {certificate-write: warn}}
                        """).problems());
        NamespacePolicy p = settings("""
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                enforcement: {default: audit, checks: {tls-uncovered-host: warn}}
                """).resolve("web", Map.of());
        assertEquals(Action.WARN, p.enforcement().actionOf(Check.TLS_UNCOVERED_HOST));
        assertEquals(Action.AUDIT, p.enforcement().actionOf(Check.CM_DURATION));
        assertEquals(Action.WARN, p.enforcement().actionOf(Check.TLS_UNSERVED_NAME), "warns by nature");
    }

    @Test
    void anEmptyOrForeignDocumentIsOneProblem() throws Exception {
        assertEquals(1, PolicySettings.parse(null).problems().size());
        assertEquals(List.of("must be a map, got a list"), parse("[1]").problems());
        assertEquals(
                List.of("kind: must be Policy, got \"ConfigMap\""),
                parse("apiVersion: routecert.dev/v1alpha1\nkind: ConfigMap\n").problems());
    }

    @Test
    void withoutAFileEveryNamespaceGetsTheDefaults() {
        NamespacePolicy p = NamespacePolicy.defaults("shop");
        assertEquals(Action.DENY, p.defaultOrDeny());
        assertEquals(Optional.empty(), p.defaultMode());
        assertTrue(p.optOutAllowed());
        assertTrue(p.allowsDomain(HostName.check("anything.example.org").name()));
        assertTrue(p.allowsClusterIssuer("any"));
        assertEquals(TenancySettings.CertificateAllowance.NONE, p.certificates());
    }

    @Test
    void theFirstMatchingOverrideWins() throws Exception {
        PolicySettings s = settings(EXAMPLE);
        NamespacePolicy both = s.resolve("shop", Map.of("routecert.dev/rollout", "audit", "compliance", "strict"));
        assertEquals(0, both.override());
        assertEquals(Action.AUDIT, both.defaultOrDeny());
        assertEquals(Optional.of(Action.DENY), both.mode("host-ownership"));
        assertEquals(Optional.of(Action.WARN), both.mode("cm-duration"), "top-level ids stay");
        assertTrue(both.optOutAllowed(), "the second override does not apply");

        NamespacePolicy strict = s.resolve("bank", Map.of("compliance", "strict"));
        assertEquals(1, strict.override());
        assertFalse(strict.optOutAllowed());
        assertEquals(Action.DENY, strict.defaultOrDeny());

        NamespacePolicy plain = s.resolve("blog", Map.of());
        assertEquals(-1, plain.override());
        assertEquals(Optional.empty(), plain.mode("host-ownership"));
        assertEquals(Optional.of(Action.OFF), plain.mode("tls-unserved-name"));
    }

    @Test
    void selectorsFollowKubernetes() throws Exception {
        PolicySettings s = settings("""
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                overrides:
                  - namespaceSelector:
                      matchLabels: {tier: web}
                      matchExpressions:
                        - {key: team, operator: NotIn, values: [legacy]}
                        - {key: frozen, operator: DoesNotExist}
                    enforcement: {default: warn}
                  - namespaceSelector: {matchExpressions: [{key: env, operator: Exists}]}
                    enforcement: {default: audit}
                  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: by-name}}
                    enforcement: {default: off}
                """);
        assertEquals(0, s.resolve("a", Map.of("tier", "web")).override(), "NotIn matches an absent label");
        assertEquals(0, s.resolve("a", Map.of("tier", "web", "team", "new")).override());
        assertEquals(-1, s.resolve("a", Map.of("tier", "web", "team", "legacy")).override());
        assertEquals(
                1,
                s.resolve("a", Map.of("tier", "web", "frozen", "", "env", "x")).override());
        assertEquals(-1, s.resolve("a", Map.of("tier", "api")).override());
        assertEquals(2, s.resolve("by-name", Map.of()).override(), "the name label is set as on 1.21+");
    }

    @Test
    void allowListsAreTheUnionOfTheMatchingEntries() throws Exception {
        PolicySettings s = settings(EXAMPLE);
        NamespacePolicy internal = s.resolve("pki", Map.of("pki", "internal"));
        assertTrue(internal.allowsClusterIssuer("letsencrypt-prod"));
        assertTrue(internal.allowsClusterIssuer("internal-ca"));
        assertTrue(internal.allowsExternalIssuer("awspca.cert-manager.io", "AWSPCAClusterIssuer", "pca"));
        assertTrue(internal.certificates().ipSANs());
        assertEquals(Set.of("client auth"), internal.certificates().usages());

        NamespacePolicy shop = s.resolve("shop", Map.of("tenant", "shop"));
        assertFalse(shop.allowsClusterIssuer("internal-ca"));
        assertFalse(shop.allowsExternalIssuer("awspca.cert-manager.io", "AWSPCAClusterIssuer", "pca"));
        assertEquals(
                List.of(new IssuerRef("awspca.cert-manager.io", "AWSPCAClusterIssuer", "pca")),
                s.tenancy().issuers().orElseThrow().get(1).externalIssuers());
        assertFalse(shop.certificates().ipSANs());
        assertTrue(shop.allowsDomain(host("shop.example.com")));
        assertTrue(shop.allowsDomain(host("a.b.shop.example.com")));
        assertTrue(shop.allowsDomain(host("*.shop.example.com")));
        assertTrue(shop.allowsDomain(host("x.apps.example.com")));
        assertTrue(shop.allowsDomain(host("*.apps.example.com")));
        assertFalse(shop.allowsDomain(host("a.b.apps.example.com")), "a wildcard allows one label");
        assertFalse(shop.allowsDomain(host("apps.example.com")));
        assertFalse(shop.allowsDomain(host("myshop.example.com")), "a suffix ends at a dot");
        assertFalse(internal.allowsDomain(host("shop.example.com")), "domains present: unmatched gets none");

        NamespacePolicy web = s.resolve("web", Map.of("team", "web"));
        NamespacePolicy canary = s.resolve("web-canary", Map.of("team", "web-canary"));
        assertTrue(web.sharesWith(canary, host("a.web.example.com")));
        assertTrue(web.sharesWith(canary, host("web.example.com")));
        assertTrue(web.sharesWith(canary, host("a.b.web.example.com")), "the same patterns as domains");
        assertFalse(web.sharesWith(canary, host("other.example.com")));
        assertFalse(web.sharesWith(shop, host("web.example.com")));
    }

    @Test
    void anUnquotedOffIsTheModeOff() throws Exception {
        PolicySettings s = settings("""
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                enforcement: {default: off}
                """);
        assertEquals(Optional.of(Action.OFF), s.enforcement().defaultMode());
    }

    private static HostName host(String name) {
        return HostName.check(name).name();
    }

    static JsonNode tree(String yaml) throws Exception {
        return YAML.readTree(yaml);
    }
}
