package dev.routecert.policy.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.policy.Check;
import dev.routecert.policy.HostName;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.Violation;
import dev.routecert.policy.settings.NamespacePolicy;
import dev.routecert.policy.settings.PolicySettings;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every tenancy check, allowed and denied, with selectors, unions of entries and the issuer exemptions. */
class TenancyChecksTest {

    private static final String POLICY = """
            apiVersion: routecert.dev/v1alpha1
            kind: Policy
            tenancy:
              domains:
                - namespaceSelector: {matchLabels: {tenant: shop}}
                  allow: [shop.example.com, "*.apps.example.com"]
                - namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [payments]}]}
                  allow: [pay.example.com]
              issuers:
                - namespaceSelector: {}
                  clusterIssuers: [letsencrypt-prod]
                - namespaceSelector: {matchLabels: {pki: internal}}
                  clusterIssuers: [internal-ca]
                  externalIssuers: [{group: awspca.cert-manager.io, kind: AWSPCAClusterIssuer, name: pca}]
              certificates:
                - namespaceSelector: {matchLabels: {pki: internal}}
                  allow: {ipSANs: true, usages: [client auth]}
                - namespaceSelector: {matchLabels: {team: payments}}
                  allow: {uriSANs: true, emailSANs: true, subject: true}
            """;

    private static final PolicySettings SETTINGS = settings(POLICY);
    private static final PolicyConfig CONFIG =
            PolicyConfig.defaults().withDefaultIssuer("corp-acme", PolicyConfig.CLUSTER_ISSUER);

    static PolicySettings settings(String yaml) {
        try {
            JsonNode node = new YAMLMapper().readTree(yaml);
            PolicySettings.Parsed parsed = PolicySettings.parse(node);
            assertTrue(parsed.ok(), parsed.problems().toString());
            return parsed.settings();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static NamespacePolicy ns(String name, String... labels) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        return SETTINGS.resolve(name, map);
    }

    static PlannedCertificate cert(
            String namespace,
            List<String> dns,
            PlannedCertificate.IssuerRef issuer,
            List<String> ips,
            List<String> usages,
            List<String> uris,
            List<String> emails,
            String commonName,
            PlannedCertificate.Subject subject) {
        return new PlannedCertificate(
                "web-tls",
                namespace,
                "web-tls",
                dns,
                ips,
                issuer,
                commonName,
                null,
                null,
                usages,
                null,
                null,
                subject,
                emails,
                uris,
                null,
                "networking.k8s.io",
                "Ingress",
                "web");
    }

    static PlannedCertificate plain(String namespace, String dns, PlannedCertificate.IssuerRef issuer) {
        return cert(
                namespace,
                List.of(dns),
                issuer,
                List.of(),
                List.of("digital signature", "key encipherment"),
                List.of(),
                List.of(),
                null,
                null);
    }

    static PlannedCertificate.IssuerRef clusterIssuer(String name) {
        return new PlannedCertificate.IssuerRef(name, "ClusterIssuer", "cert-manager.io");
    }

    static final PlannedCertificate.IssuerRef LE = clusterIssuer("letsencrypt-prod");

    static List<TenancyChecks.Name> hosts(String... names) {
        return Stream.of(names)
                .map(n -> new TenancyChecks.Name(HostName.check(n).name(), "spec.rules[0].host"))
                .toList();
    }

    static Map<String, String> annotations(String... kv) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put("cert-manager.io/" + kv[i], kv[i + 1]);
        }
        return map;
    }

    /** name, namespace policy, served names, expected check ids (empty: admitted). */
    static Stream<Arguments> domains() {
        NamespacePolicy shop = ns("shop", "tenant", "shop");
        return Stream.of(
                Arguments.of("the suffix itself", shop, "shop.example.com", List.of()),
                Arguments.of("a name under the suffix, at any depth", shop, "a.b.shop.example.com", List.of()),
                Arguments.of("a wildcard under the suffix", shop, "*.shop.example.com", List.of()),
                Arguments.of("a look-alike suffix", shop, "evilshop.example.com", List.of("domain-not-allowed")),
                Arguments.of("one label under a wildcard pattern", shop, "a.apps.example.com", List.of()),
                Arguments.of(
                        "two labels under a wildcard pattern",
                        shop,
                        "a.b.apps.example.com",
                        List.of("domain-not-allowed")),
                Arguments.of("the wildcard pattern's parent", shop, "apps.example.com", List.of("domain-not-allowed")),
                Arguments.of("another tenant's domain", shop, "pay.example.com", List.of("domain-not-allowed")),
                Arguments.of(
                        "a matchExpressions selector", ns("pay", "team", "payments"), "pay.example.com", List.of()),
                Arguments.of(
                        "the union of two matching entries",
                        ns("both", "tenant", "shop", "team", "payments"),
                        "pay.example.com",
                        List.of()),
                Arguments.of(
                        "a namespace no entry matches may use none",
                        ns("other"),
                        "other.example.com",
                        List.of("domain-not-allowed")),
                Arguments.of("an IP is not a domain: cert-ip-sans judges it", ns("other"), "10.0.0.1", List.of()),
                Arguments.of(
                        "no domains section: any domain",
                        NamespacePolicy.defaults("other"),
                        "anything.example.org",
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("domains")
    void allowedDomains(String name, NamespacePolicy policy, String host, List<String> expected) {
        List<Violation> found = TenancyChecks.domains(policy, hosts(host), List.of());
        assertEquals(expected, ids(found));
        for (Violation v : found) {
            assertEquals("spec.rules[0].host", v.field());
            assertTrue(v.message().contains(HostName.check(host).name().ascii()), v.message());
            assertTrue(v.hint().contains("tenancy.domains"), v.hint());
        }
    }

    @Test
    void aCertificateNameTheRouteDoesNotListIsCheckedToo() {
        List<Violation> found = TenancyChecks.domains(
                ns("shop", "tenant", "shop"), List.of(), List.of(plain("shop", "www.example.org", LE)));
        assertEquals(List.of("domain-not-allowed"), ids(found));
        assertEquals("spec.tls", found.getFirst().field());
    }

    @Test
    void theFixListsAtMostAFewPatterns() {
        StringBuilder yaml =
                new StringBuilder("apiVersion: routecert.dev/v1alpha1\nkind: Policy\ntenancy:\n  domains:\n"
                        + "    - namespaceSelector: {}\n      allow: [");
        for (int i = 0; i < 50; i++) {
            yaml.append(i == 0 ? "" : ", ").append("d").append(i).append(".example.com");
        }
        yaml.append("]\n");
        NamespacePolicy policy = settings(yaml.toString()).resolve("shop", Map.of());
        Violation v =
                TenancyChecks.domains(policy, hosts("x.example.org"), List.of()).getFirst();
        assertTrue(v.hint().contains("(and 42 more)"), v.hint());
    }

    static Stream<Arguments> issuers() {
        NamespacePolicy shop = ns("shop");
        NamespacePolicy internal = ns("billing", "pki", "internal");
        return Stream.of(
                Arguments.of("a ClusterIssuer every namespace may use", shop, LE, "cluster-issuer", List.of()),
                Arguments.of(
                        "a ClusterIssuer only another selector lists",
                        shop,
                        clusterIssuer("internal-ca"),
                        "cluster-issuer",
                        List.of("issuer-not-allowed")),
                Arguments.of(
                        "the same ClusterIssuer where the selector matches",
                        internal,
                        clusterIssuer("internal-ca"),
                        "cluster-issuer",
                        List.of()),
                Arguments.of(
                        "an Issuer of the route's own namespace",
                        shop,
                        new PlannedCertificate.IssuerRef("shop-ca", "Issuer", "cert-manager.io"),
                        "issuer",
                        List.of()),
                Arguments.of("the default issuer", shop, clusterIssuer("corp-acme"), "tls-acme", List.of()),
                Arguments.of(
                        "an external cluster issuer, listed",
                        internal,
                        new PlannedCertificate.IssuerRef("pca", "AWSPCAClusterIssuer", "awspca.cert-manager.io"),
                        "issuer",
                        List.of()),
                Arguments.of(
                        "an external cluster issuer, not listed",
                        shop,
                        new PlannedCertificate.IssuerRef("pca", "AWSPCAClusterIssuer", "awspca.cert-manager.io"),
                        "issuer",
                        List.of("issuer-not-allowed")),
                Arguments.of(
                        "no issuers section: any issuer",
                        NamespacePolicy.defaults("shop"),
                        clusterIssuer("internal-ca"),
                        "cluster-issuer",
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("issuers")
    void issuers(
            String name,
            NamespacePolicy policy,
            PlannedCertificate.IssuerRef issuer,
            String annotation,
            List<String> expected) {
        Map<String, String> annotations = annotation.equals("tls-acme")
                ? Map.of("kubernetes.io/tls-acme", "true")
                : annotations(annotation, issuer.name());
        List<Violation> found =
                TenancyChecks.issuers(policy, CONFIG, annotations, List.of(plain("shop", "shop.example.com", issuer)));
        assertEquals(expected, ids(found));
        for (Violation v : found) {
            assertEquals("metadata.annotations[cert-manager.io/" + annotation + "]", v.field());
            assertTrue(v.hint().contains("ClusterIssuer corp-acme (the default issuer)"), v.hint());
            assertTrue(v.hint().contains("an Issuer of this namespace"), v.hint());
        }
    }

    static Stream<Arguments> contents() {
        NamespacePolicy plain = ns("shop");
        NamespacePolicy internal = ns("billing", "pki", "internal");
        NamespacePolicy payments = ns("pay", "team", "payments");
        List<String> server = List.of("digital signature", "key encipherment", "server auth");
        List<String> client = List.of("digital signature", "key encipherment", "client auth");
        PlannedCertificate.Subject org = new PlannedCertificate.Subject(
                List.of("Bank"), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null);
        return Stream.of(
                Arguments.of(
                        "DNS names with server usages",
                        plain,
                        cert(List.of(), server, List.of(), List.of(), null, null),
                        annotations(),
                        List.of()),
                Arguments.of(
                        "an IP SAN",
                        plain,
                        cert(List.of("10.0.0.1"), server, List.of(), List.of(), null, null),
                        annotations("ip-sans", "10.0.0.1"),
                        List.of("cert-ip-sans")),
                Arguments.of(
                        "an IP SAN, allowed",
                        internal,
                        cert(List.of("10.0.0.1"), server, List.of(), List.of(), null, null),
                        annotations("ip-sans", "10.0.0.1"),
                        List.of()),
                Arguments.of(
                        "client auth",
                        plain,
                        cert(List.of(), client, List.of(), List.of(), null, null),
                        annotations("usages", "client auth"),
                        List.of("cert-usages")),
                Arguments.of(
                        "client auth, allowed",
                        internal,
                        cert(List.of(), client, List.of(), List.of(), null, null),
                        annotations("usages", "client auth"),
                        List.of()),
                Arguments.of(
                        "code signing, beyond what is allowed",
                        internal,
                        cert(List.of(), List.of("code signing"), List.of(), List.of(), null, null),
                        annotations("usages", "code signing"),
                        List.of("cert-usages")),
                Arguments.of(
                        "a URI SAN",
                        plain,
                        cert(List.of(), server, List.of("spiffe://x/y"), List.of(), null, null),
                        annotations("uri-sans", "spiffe://x/y"),
                        List.of("cert-uri-sans")),
                Arguments.of(
                        "an e-mail SAN",
                        plain,
                        cert(List.of(), server, List.of(), List.of("a@b.example"), null, null),
                        annotations("email-sans", "a@b.example"),
                        List.of("cert-email-sans")),
                Arguments.of(
                        "URI, e-mail and subject, allowed",
                        payments,
                        cert(List.of(), server, List.of("spiffe://x/y"), List.of("a@b.example"), "Payments", org),
                        annotations(
                                "uri-sans",
                                "spiffe://x/y",
                                "email-sans",
                                "a@b.example",
                                "common-name",
                                "Payments",
                                "subject-organizations",
                                "Bank"),
                        List.of()),
                Arguments.of(
                        "a subject override",
                        plain,
                        cert(List.of(), server, List.of(), List.of(), null, org),
                        annotations("subject-organizations", "Bank"),
                        List.of("cert-subject")),
                Arguments.of(
                        "a common name that is not a DNS name",
                        plain,
                        cert(List.of(), server, List.of(), List.of(), "Payments", null),
                        annotations("common-name", "Payments"),
                        List.of("cert-subject")),
                Arguments.of(
                        "a common name among the DNS names",
                        plain,
                        cert(List.of(), server, List.of(), List.of(), "SHOP.example.com", null),
                        annotations("common-name", "SHOP.example.com"),
                        List.of()),
                Arguments.of(
                        "a selector that does not match allows nothing more",
                        ns("x", "pki", "external"),
                        cert(List.of("10.0.0.1"), client, List.of(), List.of(), null, null),
                        annotations("ip-sans", "10.0.0.1", "usages", "client auth"),
                        List.of("cert-ip-sans", "cert-usages")));
    }

    static PlannedCertificate cert(
            List<String> ips,
            List<String> usages,
            List<String> uris,
            List<String> emails,
            String commonName,
            PlannedCertificate.Subject subject) {
        return cert("shop", List.of("shop.example.com"), LE, ips, usages, uris, emails, commonName, subject);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contents")
    void certificateContents(
            String name,
            NamespacePolicy policy,
            PlannedCertificate cert,
            Map<String, String> annotations,
            List<String> expected) {
        List<Violation> found = TenancyChecks.contents(policy, annotations, List.of(), List.of(cert));
        assertEquals(expected, ids(found));
        for (Violation v : found) {
            assertTrue(v.field().startsWith("metadata.annotations[cert-manager.io/"), v.field());
            assertTrue(annotations.containsKey(v.field().substring(21, v.field().length() - 1)), v.field());
            assertTrue(v.hint().contains("tenancy.certificates"), v.hint());
        }
    }

    @Test
    void anIpRoutedAsAHostIsReportedAtTheHost() {
        PlannedCertificate c = cert(
                "shop",
                List.of(),
                LE,
                List.of("10.0.0.1"),
                List.of("digital signature"),
                List.of(),
                List.of(),
                null,
                null);
        List<Violation> found = TenancyChecks.contents(ns("shop"), Map.of(), hosts("10.0.0.1"), List.of(c));
        assertEquals(List.of("cert-ip-sans"), ids(found));
        assertEquals("spec.rules[0].host", found.getFirst().field());
    }

    @Test
    void everyTenancyCheckIsAnIsolationCheck() {
        for (Check c : List.of(
                Check.DOMAIN_NOT_ALLOWED,
                Check.ISSUER_NOT_ALLOWED,
                Check.CERT_IP_SANS,
                Check.CERT_URI_SANS,
                Check.CERT_EMAIL_SANS,
                Check.CERT_USAGES,
                Check.CERT_SUBJECT)) {
            assertTrue(c.isolation(), c.id());
        }
    }

    private static List<String> ids(List<Violation> violations) {
        return violations.stream().map(v -> v.check().id()).toList();
    }
}
