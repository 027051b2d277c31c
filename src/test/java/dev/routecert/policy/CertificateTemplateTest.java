package dev.routecert.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code --certificate-template}: cert-manager's rules at start, and how it fills planned Certificates. */
class CertificateTemplateTest {

    private static final String HEAD = "apiVersion: cert-manager.io/v1\nkind: Certificate\n";

    private static CertificateTemplate.Parsed parse(String yaml) throws Exception {
        return CertificateTemplate.parse(Fixtures.YAML.readTree(yaml));
    }

    private static CertificateTemplate template(String yaml) throws Exception {
        CertificateTemplate.Parsed parsed = parse(yaml);
        assertEquals(List.of(), parsed.problems());
        return parsed.template();
    }

    /** Each bad template names the field and says what cert-manager would say. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            spec: {duration: 30m}                                        | spec.duration: certificate duration 30m is shorter than cert-manager's minimum of 1h
            spec: {duration: 90d}                                        | spec.duration:
            spec: {renewBefore: 1m}                                      | spec.renewBefore: renew-before 1m is shorter than cert-manager's minimum of 5m
            spec: {duration: 24h, renewBefore: 48h}                      | spec.renewBefore: renew-before 48h is not shorter than the duration 24h
            spec: {renewBefore: 720h, renewBeforePercentage: 30}         | spec.renewBeforePercentage: renew-before and renew-before-percentage are set together
            spec: {renewBeforePercentage: 100}                           | spec.renewBeforePercentage: renew-before-percentage 100 is outside
            spec: {usages: [server auth, bogus]}                         | spec.usages: 'bogus' is not a key usage cert-manager knows
            spec: {privateKey: {algorithm: RSA, size: 1024}}             | spec.privateKey.size: RSA key size 1024 is outside the range cert-manager accepts (2048 to 8192)
            spec: {privateKey: {algorithm: ECDSA, size: 4096}}           | spec.privateKey.size: ECDSA key size 4096 is not supported
            spec: {privateKey: {algorithm: rsa}}                         | spec.privateKey.algorithm: 'rsa' is not a private key algorithm cert-manager supports
            spec: {privateKey: {rotationPolicy: Sometimes}}              | spec.privateKey.rotationPolicy: 'Sometimes' is not a rotation policy
            spec: {revisionHistoryLimit: 0}                              | spec.revisionHistoryLimit: revision history limit 0 is less than 1
            spec: {secretTemplate: {annotations: {cert-manager.io/x: y}}} | spec.secretTemplate: the Secret annotation 'cert-manager.io/x' is reserved for cert-manager
            spec: {secretTemplate: {labels: {a: 'b c'}}}                 | spec.secretTemplate: label
            spec: {secretTemplate: {foo: {}}}                            | spec.secretTemplate: unknown field 'foo'
            spec: {secretName: web-tls}                                  | spec.secretName: is the route's own, so a template may not set it
            spec: {dnsNames: [a.example.com]}                            | spec.dnsNames: is the route's own
            spec: {ipAddresses: [10.0.0.1]}                              | spec.ipAddresses: is the route's own
            spec: {isCA: true}                                           | spec.isCA: not a field routecert fills from a template
            spec: {issuerRef: {kind: ClusterIssuer}}                     | spec.issuerRef.name: is required
            spec: {issuerRef: {name: x, kind: Issuers}}                  | spec.issuerRef.kind: 'Issuers' is not Issuer or ClusterIssuer
            spec: {duration: 2160}                                       | spec.duration: must be a string
            metadata: {name: web}\\nspec: {duration: 2160h}             | metadata.name: is the route's own
            metadata: {namespace: web}\\nspec: {duration: 2160h}        | metadata.namespace: is the route's own
            metadata: {labels: {team: 'a b'}}\\nspec: {duration: 2160h} | metadata.labels[team]:
            """)
    void refusesWhatCertManagerWouldWithTheTemplateField(String yaml, String expected) throws Exception {
        List<String> problems = parse(HEAD + yaml.replace("\\n", "\n")).problems();
        assertTrue(
                problems.stream().anyMatch(p -> p.startsWith(expected.strip())),
                () -> "expected a problem starting with '" + expected + "' in " + problems);
        assertTrue(parse(HEAD + yaml.replace("\\n", "\n")).template().isEmpty(), "a bad template is not used");
    }

    @Test
    void refusesAnotherKindAndEveryProblemAtOnce() throws Exception {
        List<String> problems = parse("""
                apiVersion: v1
                kind: ConfigMap
                spec: {duration: 10m, usages: [nope]}
                """).problems();
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("apiVersion: must be cert-manager.io/v1"), problems.toString());
        assertTrue(problems.get(1).startsWith("kind: must be Certificate"), problems.toString());
    }

    @Test
    void aGoodTemplateKeepsEveryField() throws Exception {
        CertificateTemplate t = template(HEAD + """
                metadata:
                  labels: {team: platform}
                  annotations: {example.com/cost-centre: "42"}
                spec:
                  issuerRef: {name: letsencrypt, kind: ClusterIssuer, group: cert-manager.io}
                  duration: 2160h
                  renewBefore: 720h
                  usages: [digital signature, key encipherment, server auth]
                  privateKey: {algorithm: ECDSA, size: 384, rotationPolicy: Always}
                  subject: {organizations: ["Example, Inc."], countries: [DE]}
                  secretTemplate: {labels: {backup: "true"}}
                  revisionHistoryLimit: 3
                """);
        assertEquals(new PlannedCertificate.IssuerRef("letsencrypt", "ClusterIssuer", "cert-manager.io"), t.issuer());
        assertEquals(Map.of("team", "platform"), t.labels());
        assertEquals(Map.of("example.com/cost-centre", "42"), t.annotations());
    }

    private static final String ROUTE = """
            apiVersion: traefik.io/v1alpha1
            kind: IngressRoute
            metadata:
              name: shop
              namespace: web
              labels: {team: shop}
              annotations: %s
            spec:
              routes: [{match: Host(`shop.example.com`), services: [{name: shop, port: 80}]}]
              tls: {secretName: shop-tls}
            """;

    private static final String TEMPLATE = HEAD + """
            metadata:
              labels: {team: platform, tier: edge}
              annotations: {example.com/cost-centre: "42"}
            spec:
              issuerRef: {name: letsencrypt, kind: ClusterIssuer}
              duration: 2160h
              renewBefore: 720h
              privateKey: {algorithm: RSA, size: 4096}
              subject: {organizations: ["Example, Inc."]}
              secretTemplate: {labels: {backup: "true"}}
              revisionHistoryLimit: 3
            """;

    private static Verdict evaluate(String annotations) throws Exception {
        PolicyConfig config = PolicyConfig.defaults().withCertificateTemplate(template(TEMPLATE));
        JsonNode route = Fixtures.YAML.readTree(ROUTE.formatted(annotations));
        return new RoutePolicy(config).evaluate(PolicyRequest.create(route, "web"));
    }

    @Test
    void theTemplateFillsTheCertificateOfARouteWithoutAnnotations() throws Exception {
        Verdict v = evaluate("{}");
        assertTrue(v.allowed(), v.violations().toString());
        JsonNode crt = v.certificates().getFirst().toCertificate();
        assertEquals(Fixtures.YAML.readTree("""
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata:
                  name: shop-tls
                  namespace: web
                  labels: {team: shop, tier: edge}
                  annotations: {example.com/cost-centre: "42"}
                spec:
                  secretName: shop-tls
                  dnsNames: [shop.example.com]
                  issuerRef: {name: letsencrypt, kind: ClusterIssuer, group: cert-manager.io}
                  duration: 2160h0m0s
                  renewBefore: 720h0m0s
                  usages: [digital signature, key encipherment]
                  privateKey: {algorithm: RSA, size: 4096}
                  revisionHistoryLimit: 3
                  subject: {organizations: ["Example, Inc."]}
                  secretTemplate: {labels: {backup: "true"}}
                """), crt, "the route's own label wins over the template's");
    }

    @Test
    void theRoutesAnnotationsWinFieldByField() throws Exception {
        Verdict v = evaluate("""
                {cert-manager.io/cluster-issuer: staging, cert-manager.io/renew-before-percentage: "25",
                 cert-manager.io/private-key-algorithm: ECDSA}""");
        assertTrue(v.allowed(), v.violations().toString());
        JsonNode spec = v.certificates().getFirst().toCertificate().path("spec");
        assertEquals("staging", spec.at("/issuerRef/name").asText());
        assertEquals("2160h0m0s", spec.path("duration").asText(), "the template's duration stays");
        assertEquals(25, spec.path("renewBeforePercentage").asInt());
        assertTrue(spec.path("renewBefore").isMissingNode(), "renewal is one field: the route's replaces both");
        assertEquals("ECDSA", spec.at("/privateKey/algorithm").asText());
        assertTrue(spec.at("/privateKey/size").isMissingNode(), "the template's RSA size does not go with ECDSA");
    }

    @Test
    void anIngressTheShimActsOnGetsNoTemplate() throws Exception {
        PolicyConfig config = PolicyConfig.defaults().withCertificateTemplate(template(TEMPLATE));
        JsonNode ingress = Fixtures.YAML.readTree("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: web
                  namespace: web
                  annotations: {cert-manager.io/cluster-issuer: letsencrypt}
                spec:
                  rules: [{host: web.example.com}]
                  tls: [{hosts: [web.example.com], secretName: web-tls}]
                """);
        Verdict v = new RoutePolicy(config).evaluate(PolicyRequest.create(ingress, "web"));
        assertTrue(v.allowed(), v.violations().toString());
        JsonNode crt = v.certificates().getFirst().toCertificate();
        assertTrue(crt.at("/spec/duration").isMissingNode(), crt.toString());
        assertTrue(crt.at("/metadata/labels").isMissingNode(), crt.toString());
    }
}
