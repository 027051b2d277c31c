package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.policy.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code check} through picocli, as Main will, and asserts its output and exit code. */
class CheckCommandTest {

    /** What one run printed and returned. */
    record Run(int exit, String out, String err) {}

    static Run run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd =
                new CommandLine(new CheckCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static String fixture(String name) {
        return Fixtures.root().resolve(name + ".yaml").toString();
    }

    @Test
    void goodRoutePrintsTheCertificateAsYamlAndExitsZero() {
        Run r = run("", "--default-issuer", "letsencrypt-prod", fixture("ingressroute/with_host_and_path_prefix"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("IngressRoute default/www ("), r.out());
        assertTrue(r.out().contains("): CREATE"), r.out());
        assertTrue(r.out().contains("""
                  certificate:
                    apiVersion: cert-manager.io/v1
                    kind: Certificate
                    metadata:
                      name: www-tls
                      namespace: default
                    spec:
                      secretName: www-tls
                      dnsNames:
                        - www.example.com
                """), r.out());
        assertTrue(r.out().contains("checked 1 object: 1 allowed, 0 denied"), r.out());
    }

    @Test
    void badRoutePrintsFieldMessageAndHintAndExitsOne() {
        Run r = run("", fixture("ingressroute/with_host_missing_from_tls_domains"));
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("): DENY"), r.out());
        assertTrue(
                r.out()
                        .contains(
                                "    - [tls-uncovered-host] spec.routes[0].match: at offset 5, www.example.com is served by this route but not covered "
                                        + "by spec.tls.domains, which lists example.com (add www.example.com to spec.tls.domains[].sans"),
                r.out());
        assertTrue(
                r.out()
                        .contains(
                                "  warnings:\n    - [tls-unserved-name] spec.tls.domains[0].main: example.com is in the certificate"),
                r.out());
    }

    @Test
    void mutationPrintsThePatch() {
        Run r = run("", "--default-issuer=letsencrypt-prod", fixture("ingressroute/with_empty_tls"));
        assertEquals(0, r.exit());
        assertTrue(
                r.out()
                        .contains(
                                "  patch: [{\"op\":\"add\",\"path\":\"/spec/tls/secretName\",\"value\":\"shop-tls\"}]"),
                r.out());
    }

    @Test
    void readsMultiDocumentYamlFromStdin() {
        String docs = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: good}
                spec:
                  rules: [{host: a.example.com}]
                  tls: [{hosts: [a.example.com], secretName: good-tls}]
                ---
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: bad, namespace: shop}
                spec:
                  rules: [{host: a.example.com}]
                  tls: [{hosts: [b.example.com], secretName: bad-tls}]
                """;
        Run r = run(docs, "-n", "web", "-");
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("Ingress web/good (<stdin>, document 1): ALLOW"), r.out());
        assertTrue(r.out().contains("Ingress shop/bad (<stdin>, document 3): DENY"), r.out());
        assertTrue(r.out().contains("spec.rules[0].host: a.example.com is served by this rule"), r.out());
        assertTrue(r.out().contains("checked 2 objects: 1 allowed, 1 denied"), r.out());
    }

    @Test
    void expandsListsAndSkipsOtherKinds() {
        String list = """
                {"apiVersion": "v1", "kind": "List", "items": [
                  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}},
                  {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": {"name": "r"},
                   "spec": {"routes": [{"match": "Host(`a.example.com`)"}]}}
                ]}
                """;
        Run r = run(list, "-");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("Service default/web (<stdin>, document 1): SKIPPED"), r.out());
        assertTrue(r.out().contains("IngressRoute default/r (<stdin>, document 1): ALLOW"), r.out());
        assertTrue(r.out().contains("1 not checked (other kinds)"), r.out());
    }

    @Test
    void unreadableInputExitsTwoButStillChecksTheRest(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "kind: Ingress\nmetadata: {name: [unclosed\n");
        Run r = run(
                "",
                dir.resolve("missing.yaml").toString(),
                broken.toString(),
                fixture("ingress/with_invalid_secret_name"));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("error: cannot read " + dir.resolve("missing.yaml") + ": no such file"), r.err());
        assertTrue(r.err().contains("broken.yaml is not valid YAML or JSON"), r.err());
        assertTrue(r.out().contains("spec.tls[0].secretName"), "the readable file is still checked");
    }

    /** An Ingress named {@code name} whose TLS covers its host, or not: ALLOW or DENY. */
    static String ingressJson(String name, boolean covered) {
        return """
                {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "%s"},
                 "spec": {"rules": [{"host": "a.example.com"}],
                          "tls": [{"hosts": ["%s.example.com"], "secretName": "%s-tls"}]}}""".formatted(name, covered ? "a" : "b", name);
    }

    static String ingressYaml(String name, boolean covered) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s}
                spec:
                  rules: [{host: a.example.com}]
                  tls: [{hosts: [%s.example.com], secretName: %s-tls}]
                """.formatted(name, covered ? "a" : "b", name);
    }

    @Test
    void aDirectoryIsReadRecursivelyInNameOrderSkippingHiddenDirsAndOtherFiles(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("b/nested"));
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve("b/nested/deep.yml"), ingressYaml("deep", false));
        Files.writeString(dir.resolve("b/route.json"), ingressJson("json", true));
        Files.writeString(dir.resolve("a.yaml"), ingressYaml("first", true));
        Files.writeString(dir.resolve("c-broken.yaml"), "kind: Ingress\nmetadata: {name: [unclosed\n");
        Files.writeString(dir.resolve("README.md"), "# not a manifest: {\n");
        Files.writeString(dir.resolve(".git/config.yaml"), ingressYaml("hidden", false));
        Run r = run("", dir.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(dir.resolve("c-broken.yaml") + " is not valid YAML or JSON"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        List<String> located =
                r.out().lines().filter(l -> l.startsWith("Ingress ")).toList();
        assertEquals(
                List.of(
                        "Ingress default/first (" + dir.resolve("a.yaml") + ", document 1): ALLOW",
                        "Ingress default/deep (" + dir.resolve("b/nested/deep.yml") + ", document 1): DENY",
                        "Ingress default/json (" + dir.resolve("b/route.json") + ", document 1): ALLOW"),
                located,
                r.out());
        assertTrue(r.out().contains("checked 3 objects: 2 allowed, 1 denied"), r.out());
    }

    @Test
    void aSymlinkedDirectoryIsNotFollowed(@TempDir Path dir) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("route.yaml"), ingressYaml("route", false));
        Files.createSymbolicLink(tree.resolve("loop"), tree);
        Files.createSymbolicLink(tree.resolve("linked.yaml"), tree.resolve("route.yaml"));
        Run r = run("", tree.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("(" + tree.resolve("linked.yaml") + ", document 1): DENY"), r.out());
        assertTrue(r.out().contains("checked 2 objects: 0 allowed, 2 denied"), r.out());
    }

    @Test
    void everyValueOfAJsonStreamIsRead() {
        Run r = run(ingressJson("one", true) + ingressJson("two", true) + "\n" + ingressJson("three", false), "-");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("Ingress default/one (<stdin>, document 1): ALLOW"), r.out());
        assertTrue(r.out().contains("Ingress default/two (<stdin>, document 2): ALLOW"), r.out());
        assertTrue(r.out().contains("Ingress default/three (<stdin>, document 3): DENY"), r.out());
        assertTrue(r.out().contains("checked 3 objects: 2 allowed, 1 denied"), r.out());
    }

    @Test
    void jsonDocumentsSeparatedByDashesAreAllRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("routes.json");
        Files.writeString(
                file,
                ingressJson("one", true) + "\n---\n" + ingressJson("two", true) + "\n---\n"
                        + ingressJson("three", false));
        Run r = run("", file.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("Ingress default/two (" + file + ", document 2): ALLOW"), r.out());
        assertTrue(r.out().contains("Ingress default/three (" + file + ", document 3): DENY"), r.out());
    }

    @Test
    void yamlDocumentsAfterJsonAreRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(
                file,
                ingressJson("json", true) + "\n---\n" + ingressYaml("yaml", true) + "---\n"
                        + ingressYaml("bad", false));
        Run r = run("", file.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("Ingress default/json (" + file + ", document 1): ALLOW"), r.out());
        assertTrue(r.out().contains("Ingress default/yaml (" + file + ", document 2): ALLOW"), r.out());
        assertTrue(r.out().contains("Ingress default/bad (" + file + ", document 3): DENY"), r.out());
    }

    @Test
    void aBrokenDocumentAfterJsonIsReportedWithItsLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, ingressJson("json", true) + "\n---\nkind: Ingress\nmetadata: {name: [unclosed\n");
        Run r = run("", file.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(
                r.err()
                        .contains(
                                file
                                        + " is not valid YAML or JSON (line 6): while parsing a flow sequence: expected ',' or ']', but got <stream end>"),
                r.err());
    }

    @Test
    void aDocumentThatIsNotAnObjectIsUnreadable() {
        Run r = run("- just\n- a list\n", "-");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("document 1 is not an object"), r.err());
    }

    @Test
    void jsonOutputCarriesTheWholeVerdict() throws Exception {
        Run r = run(
                "",
                "--output",
                "json",
                "--default-issuer",
                "letsencrypt-prod",
                fixture("ingressroute/with_empty_tls"),
                fixture("ingressroute/with_v2_multi_host_on_v3_syntax"));
        assertEquals(1, r.exit());
        JsonNode results = new ObjectMapper().readTree(r.out()).get("objects");
        assertEquals(2, results.size());
        JsonNode mutated = results.get(0);
        assertEquals("MUTATE", mutated.get("verdict").asText());
        assertTrue(mutated.get("allowed").asBoolean());
        assertEquals("/spec/tls/secretName", mutated.at("/patch/0/path").asText());
        assertEquals("shop-tls", mutated.at("/certificates/0/spec/secretName").asText());
        JsonNode denied = results.get(1);
        assertEquals("DENY", denied.get("verdict").asText());
        assertEquals("spec.routes[0].match", denied.at("/violations/0/field").asText());
        assertEquals(0, denied.at("/violations/0/offset").asInt());
        assertEquals("FieldValueInvalid", denied.at("/violations/0/reason").asText());
        assertTrue(denied.at("/violations/0/fix").asText().contains("syntax: v2"));
        assertTrue(denied.get("summary").asText().startsWith("routecert rejected this object"));
    }

    @Test
    void optionsChangeThePolicy() {
        String v2 = fixture("ingressroute/with_default_syntax_v2");
        assertEquals(1, run("", v2).exit(), "v3 is the default syntax");
        assertEquals(0, run("", "--default-syntax", "v2", v2).exit());
        String plain = fixture("ingressroute/with_tls_required_by_policy");
        assertEquals(0, run("", plain).exit());
        assertEquals(1, run("", "--require-tls", plain).exit());
        assertEquals(0, run("", "--require-tls=false", plain).exit());
    }

    @Test
    void invalidOptionValuesStopWithExitTwo() {
        Run syntax = run("", "--default-syntax", "v4", fixture("ingress/without_tls"));
        assertEquals(2, syntax.exit());
        assertTrue(syntax.err().contains("--default-syntax': 'v4' (use v3 or v2)"), syntax.err());
        Run output = run("", "-o", "xml", fixture("ingress/without_tls"));
        assertEquals(2, output.exit());
        assertTrue(output.err().contains("'--output': 'xml'"), output.err());
        Run kind = run("", "--default-issuer-kind", "Isuer", fixture("ingress/without_tls"));
        assertEquals(2, kind.exit());
        Run none = run("");
        assertEquals(2, none.exit(), "at least one FILE is required");
    }

    @Test
    void extraCertificateAnnotationsMustBeAnnotationKeysNotRoutecertsOwn() {
        Run bad = run(
                "", "--extra-certificate-annotations", "example.com/team,not a key", fixture("ingress/without_tls"));
        assertEquals(2, bad.exit());
        assertTrue(
                bad.err().contains("--extra-certificate-annotations: 'not a key' is not an annotation key"), bad.err());
        Run own = run("", "--extra-certificate-annotations", "routecert.dev/route", fixture("ingress/without_tls"));
        assertEquals(2, own.exit());
        assertTrue(own.err().contains("'routecert.dev/route' is routecert's own annotation"), own.err());
        Run good = run(
                "",
                "--extra-certificate-annotations",
                "example.com/team, example.com/cost",
                fixture("ingress/without_tls"));
        assertEquals(0, good.exit(), good.err());
    }

    @Test
    void aCertificateTemplateCertManagerWouldRefuseStopsCheckNamingEveryField(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                apiVersion: cert-manager.io/v1
                kind: Certificate
                spec:
                  secretName: everyone-tls
                  duration: 30m
                  privateKey: {algorithm: RSA, size: 1024}
                """);
        Run r = run("", "--certificate-template", bad.toString(), fixture("ingressroute/with_certificate_template"));
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("spec.secretName: is the route's own"), r.err());
        assertTrue(
                r.err()
                        .contains(
                                "spec.duration: certificate duration 30m is shorter than cert-manager's minimum of 1h"),
                r.err());
        assertTrue(r.err().contains("spec.privateKey.size: RSA key size 1024"), r.err());
        Path both = dir.resolve("issuer.yaml");
        Files.writeString(both, "apiVersion: cert-manager.io/v1\nkind: Certificate\nspec: {issuerRef: {name: a}}\n");
        Run twice = run(
                "",
                "--default-issuer",
                "b",
                "--certificate-template",
                both.toString(),
                fixture("ingressroute/with_certificate_template"));
        assertEquals(2, twice.exit(), twice.err());
        assertTrue(twice.err().contains("name the default issuer in one place"), twice.err());
        Run missing = run(
                "",
                "--certificate-template",
                dir.resolve("none.yaml").toString(),
                fixture("ingressroute/with_certificate_template"));
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("cannot read"), missing.err());
        Run empty = run("", "--certificate-template=", fixture("ingressroute/with_certificate_template"));
        assertEquals(0, empty.exit(), "empty, as manifests/config.env ships it, means none: " + empty.err());
    }

    @Test
    void helpListsEveryOptionWithItsEnvironmentVariable() {
        Run r = run("", "--help");
        assertEquals(0, r.exit());
        for (String env : List.of(
                "ROUTECERT_DEFAULT_ISSUER",
                "ROUTECERT_DEFAULT_ISSUER_KIND",
                "ROUTECERT_DEFAULT_ISSUER_GROUP",
                "ROUTECERT_DEFAULT_SYNTAX",
                "ROUTECERT_EXTRA_CERTIFICATE_ANNOTATIONS",
                "ROUTECERT_REQUIRE_TLS",
                "ROUTECERT_INGRESS_CLASSES",
                "ROUTECERT_SCOPE_UNCLASSED",
                "ROUTECERT_OUTPUT",
                "ROUTECERT_NAMESPACE")) {
            assertTrue(r.out().contains(env), () -> env + " missing from --help:\n" + r.out());
        }
        assertTrue(r.out().contains("Usage: check"), r.out());
        assertTrue(r.out().contains("1   at least one object is denied"), r.out());
    }

    /** --policy-file: the tenancy lists apply, with the labels of the Namespace objects in the input. */
    @Test
    void policyFileAppliesTheTenancyListsToTheNamespacesInTheInput(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                tenancy:
                  domains:
                    - namespaceSelector: {matchLabels: {tenant: shop}}
                      allow: [shop.example.com]
                  certificates:
                    - namespaceSelector: {matchLabels: {mtls: "true"}}
                      allow: {usages: [client auth]}
                """);
        String docs = """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {tenant: shop, mtls: "true"}}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: web
                  namespace: shop
                  annotations:
                    cert-manager.io/cluster-issuer: letsencrypt-prod
                    cert-manager.io/usages: digital signature, key encipherment, client auth
                spec:
                  rules: [{host: www.shop.example.com}]
                  tls: [{hosts: [www.shop.example.com], secretName: web-tls}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: web
                  namespace: blog
                  annotations:
                    cert-manager.io/cluster-issuer: letsencrypt-prod
                    cert-manager.io/usages: digital signature, key encipherment, client auth
                spec:
                  rules: [{host: www.shop.example.com}]
                  tls: [{hosts: [www.shop.example.com], secretName: web-tls}]
                """;
        Run r = run(docs, "--policy-file", policy.toString(), "-");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("checked 3 objects: 1 allowed, 1 denied"), r.out());
        assertTrue(
                r.out()
                        .contains("[domain-not-allowed] spec.rules[0].host: www.shop.example.com is not a domain"
                                + " namespace blog may use"),
                r.out());
        assertTrue(
                r.out()
                        .contains("[cert-usages] metadata.annotations[cert-manager.io/usages]: a Certificate namespace"
                                + " blog may not carry the key usage client auth"),
                r.out());

        Run without = run(docs, "-");
        assertEquals(1, without.exit());
        assertTrue(without.out().contains("checked 3 objects: 0 allowed, 2 denied"), without.out());
    }

    /** Every fixture through the CLI, with the policy its expected file asks for, gives the expected verdict. */
    @TestFactory
    Stream<DynamicTest> everyFixtureThroughTheCli(@TempDir Path tmp) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixtures.Fixture fx : Fixtures.all()) {
            JsonNode e = fx.expected();
            if (!e.path("operation").asText("CREATE").equals("CREATE")) {
                continue; // the CLI checks objects as if they were created
            }
            tests.add(DynamicTest.dynamicTest(fx.name(), () -> {
                List<String> args = new ArrayList<>(List.of("--output", "json"));
                JsonNode p = e.path("policy");
                if (p.has("defaultIssuer")) {
                    args.addAll(
                            List.of("--default-issuer", p.get("defaultIssuer").asText()));
                }
                if (p.has("defaultIssuerKind")) {
                    args.addAll(List.of(
                            "--default-issuer-kind", p.get("defaultIssuerKind").asText()));
                }
                if (p.has("defaultSyntax")) {
                    args.addAll(
                            List.of("--default-syntax", p.get("defaultSyntax").asText()));
                }
                if (p.path("requireTls").asBoolean(false)) {
                    args.add("--require-tls");
                }
                if (p.path("traefikAllowCrossNamespace").asBoolean(false)) {
                    args.add("--traefik-allow-cross-namespace");
                }
                if (p.has("traefikTlsEntryPoints")) {
                    List<String> entryPoints = new ArrayList<>();
                    p.get("traefikTlsEntryPoints").forEach(x -> entryPoints.add(x.asText()));
                    args.add("--traefik-tls-entrypoints=" + String.join(",", entryPoints));
                }
                if (p.has("extraCertificateAnnotations")) {
                    List<String> keys = new ArrayList<>();
                    p.get("extraCertificateAnnotations").forEach(k -> keys.add(k.asText()));
                    args.addAll(List.of("--extra-certificate-annotations", String.join(",", keys)));
                }
                args.add(fx.objectFile().toString());
                if (e.has("clusterObjects")) {
                    // check judges against the cluster objects of its input, after the fixture's object
                    Path file = Files.createTempFile(tmp, "cluster", ".yaml");
                    StringBuilder docs = new StringBuilder();
                    for (JsonNode o : Fixtures.clusterObjects(e)) {
                        docs.append("---\n").append(o.toString()).append('\n');
                    }
                    Files.writeString(file, docs.toString());
                    args.add(file.toString());
                }
                if (e.has("certificateTemplate")) {
                    Path file = Files.createTempFile(tmp, "template", ".yaml");
                    Files.writeString(file, e.get("certificateTemplate").toString());
                    args.addAll(List.of("--certificate-template", file.toString()));
                }
                if (e.has("policyFile")) {
                    Path file = Files.createTempFile(tmp, "policy", ".yaml");
                    Files.writeString(file, e.get("policyFile").toString());
                    args.addAll(List.of("--policy-file", file.toString()));
                }
                if (e.has("namespaceLabels")) {
                    // check resolves a namespace's labels from a Namespace object in its input
                    Path file = Files.createTempFile(tmp, "namespace", ".yaml");
                    Files.writeString(file, namespace(fx.object(), e.get("namespaceLabels")));
                    args.add(file.toString());
                }
                Run r = run("", args.toArray(String[]::new));
                String wanted = e.get("verdict").asText();
                assertEquals(wanted.equals("DENY") ? 1 : 0, r.exit(), () -> r.out() + r.err());
                JsonNode result =
                        new ObjectMapper().readTree(r.out()).get("objects").get(0);
                if (fx.folder().equals("unhandled")) {
                    assertEquals("SKIPPED", result.get("verdict").asText());
                    assertFalse(result.get("checked").asBoolean());
                } else {
                    assertEquals(wanted, result.get("verdict").asText(), r.out());
                    assertEquals(
                            e.path("violations").size(),
                            result.get("violations").size());
                    JsonNode certs = e.path("certificates").isMissingNode()
                            ? new ObjectMapper().createArrayNode()
                            : e.get("certificates");
                    assertEquals(certs, result.get("certificates"));
                }
            }));
        }
        return tests.stream();
    }

    /** A Namespace manifest for the namespace {@code object} is checked in, with {@code labels}. */
    static String namespace(JsonNode object, JsonNode labels) {
        String name = object.path("metadata").path("namespace").asText("default");
        StringBuilder b =
                new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n  labels:\n");
        labels.properties()
                .forEach(e -> b.append("    ")
                        .append(e.getKey())
                        .append(": \"")
                        .append(e.getValue().asText())
                        .append("\"\n"));
        return b.toString();
    }
}
