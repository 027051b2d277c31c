package dev.routecert.cli;

import static dev.routecert.cli.CheckCommandTest.fixture;
import static dev.routecert.cli.CheckCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.routecert.cli.CheckCommandTest.Run;
import dev.routecert.policy.Check;
import dev.routecert.policy.Fixtures;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * The machine formats of {@code check}: every fixture in json, sarif, junit and github, each checked
 * against its schema (the JSON Schema shipped in the jar, the SARIF 2.1.0 schema, the Jenkins JUnit
 * XSD) and against the json output's findings; and where objects and fields are located.
 */
class CheckOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema CHECK_SCHEMA = jsonSchema(
            SpecificationVersion.DRAFT_2020_12,
            CheckCommand.class,
            "/dev/routecert/cli/output/check-output.schema.json");
    private static final Schema SARIF_SCHEMA =
            jsonSchema(SpecificationVersion.DRAFT_4, CheckOutputTest.class, "/schemas/sarif-2.1.0-rtm.5.json");
    private static final Validator JUNIT_XSD = junitXsd();

    private static Schema jsonSchema(SpecificationVersion version, Class<?> loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return SchemaRegistry.withDefaultDialect(version).getSchema(JSON.readTree(in));
        } catch (Exception e) {
            throw new IllegalStateException(resource, e);
        }
    }

    private static Validator junitXsd() {
        try {
            SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
            return f.newSchema(CheckOutputTest.class.getResource("/schemas/jenkins-junit.xsd"))
                    .newValidator();
        } catch (SAXException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertValidJson(Schema schema, JsonNode doc) {
        var errors = schema.validate(doc);
        assertTrue(errors.isEmpty(), () -> errors + "\n" + doc.toPrettyString());
    }

    static void assertValidSarif(JsonNode log) {
        assertValidJson(SARIF_SCHEMA, log);
    }

    static void assertValidJunit(String xml) throws Exception {
        JUNIT_XSD.validate(new StreamSource(new StringReader(xml)));
    }

    /** Every fixture, in every machine format: valid by its schema, and the formats agree with each other. */
    @TestFactory
    Stream<DynamicTest> everyFixtureInEveryFormat() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixtures.Fixture fx : Fixtures.all()) {
            tests.add(DynamicTest.dynamicTest(fx.name(), () -> {
                String file = fx.objectFile().toString();
                int lines = Files.readAllLines(fx.objectFile()).size();
                Run json = run("", "-o", "json", "--default-issuer", "letsencrypt-prod", file);
                JsonNode report = JSON.readTree(json.out());
                assertValidJson(CHECK_SCHEMA, report);
                JsonNode object = report.at("/objects/0");
                int denials = object.get("violations").size();
                assertEquals(json.exit(), report.at("/summary/exitCode").asInt());
                for (JsonNode v : object.get("violations")) {
                    int line = v.get("line").asInt();
                    assertTrue(line >= 1 && line <= lines, () -> "line " + line + " of " + v);
                }

                Run sarif = run("", "-o", "sarif", "--default-issuer", "letsencrypt-prod", file);
                assertEquals(json.exit(), sarif.exit());
                JsonNode log = JSON.readTree(sarif.out());
                assertValidJson(SARIF_SCHEMA, log);
                JsonNode rules = log.at("/runs/0/tool/driver/rules");
                int errors = 0;
                for (JsonNode r : log.at("/runs/0/results")) {
                    assertEquals(
                            r.get("ruleId").asText(),
                            rules.get(r.get("ruleIndex").asInt()).get("id").asText());
                    errors += r.get("level").asText().equals("error") ? 1 : 0;
                    JsonNode physical = r.at("/locations/0/physicalLocation");
                    assertFalse(physical.at("/artifactLocation/uri").asText().startsWith("/"), physical::toString);
                    int line = physical.at("/region/startLine").asInt();
                    assertTrue(line >= 1 && line <= lines, physical::toString);
                }
                assertEquals(denials, errors, log::toPrettyString);

                Run junit = run("", "-o", "junit", "--default-issuer", "letsencrypt-prod", file);
                assertValidJunit(junit.out());
                Document xml = DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(new InputSource(new StringReader(junit.out())));
                assertEquals(1, xml.getElementsByTagName("testcase").getLength());
                assertEquals(
                        denials > 0 ? 1 : 0, xml.getElementsByTagName("failure").getLength());
                assertEquals(
                        object.get("checked").asBoolean() ? 0 : 1,
                        xml.getElementsByTagName("skipped").getLength());

                Run github = run("", "-o", "github", "--default-issuer", "letsencrypt-prod", file);
                assertEquals(json.exit(), github.exit());
                long errorLines = github.out()
                        .lines()
                        .filter(l -> l.startsWith("::error "))
                        .count();
                assertEquals(denials, errorLines, github.out());
                assertTrue(github.out().lines().allMatch(l -> l.startsWith("::")), github.out());
            }));
        }
        return tests.stream();
    }

    @Test
    void theSchemasRejectWhatDoesNotFollowThem() throws Exception {
        Run json = run("", "-o", "json", fixture("ingressroute/with_v2_multi_host_on_v3_syntax"));
        ObjectNode report = (ObjectNode) JSON.readTree(json.out());
        ((ObjectNode) report.at("/objects/0")).remove("line");
        assertFalse(CHECK_SCHEMA.validate(report).isEmpty());

        ObjectNode log = (ObjectNode)
                JSON.readTree(run("", "-o", "sarif", fixture("ingressroute/with_v2_multi_host_on_v3_syntax"))
                        .out());
        ((ObjectNode) log.at("/runs/0/results/0")).put("level", "fatal");
        assertFalse(SARIF_SCHEMA.validate(log).isEmpty());

        String xml = run("", "-o", "junit", fixture("ingressroute/with_v2_multi_host_on_v3_syntax"))
                .out();
        assertThrows(SAXException.class, () -> assertValidJunit(xml.replace("<testcase classname", "<testcase x")));
    }

    @Test
    void sarifNamesEveryCheckAsARuleAndPointsAtTheRuleCharacter() throws Exception {
        String file = fixture("ingressroute/with_v2_multi_host_on_v3_syntax");
        JsonNode log = JSON.readTree(run("", "-o", "sarif", file).out());
        Set<String> ids = new HashSet<>();
        log.at("/runs/0/tool/driver/rules").forEach(r -> ids.add(r.get("id").asText()));
        assertEquals(Check.values().length, ids.size());
        JsonNode result = log.at("/runs/0/results/0");
        assertEquals("rule-v2-multi-value", result.get("ruleId").asText());
        assertEquals("error", result.get("level").asText());
        String uri =
                result.at("/locations/0/physicalLocation/artifactLocation/uri").asText();
        assertEquals(
                Path.of("")
                        .toAbsolutePath()
                        .relativize(Path.of(file).toAbsolutePath())
                        .toString(),
                uri);
        // line 8 is "    - match: Host(`a.example.com`, `b.example.com`)": the rule starts in column 14
        assertEquals(
                8, result.at("/locations/0/physicalLocation/region/startLine").asInt());
        assertEquals(
                14,
                result.at("/locations/0/physicalLocation/region/startColumn").asInt());
    }

    @Test
    void checksUrlGivesEachRuleItsHelpUri() throws Exception {
        String file = fixture("ingressroute/with_v2_multi_host_on_v3_syntax");
        JsonNode log = JSON.readTree(
                run("", "-o", "sarif", "--checks-url", "https://docs.example.com/routecert/checks.html", file)
                        .out());
        assertValidJson(SARIF_SCHEMA, log);
        assertEquals(
                "https://docs.example.com/routecert/checks.html#object-shape",
                log.at("/runs/0/tool/driver/rules/0/helpUri").asText());
        assertTrue(JSON.readTree(run("", "-o", "sarif", file).out())
                .at("/runs/0/tool/driver/rules/0/helpUri")
                .isMissingNode());
        for (String bad : List.of("checks.html", "ftp://example.com/checks.html", "https://example.com/c.html#x")) {
            Run r = run("", "-o", "sarif", "--checks-url", bad, file);
            assertEquals(2, r.exit(), bad);
            assertTrue(r.err().contains("--checks-url: '" + bad + "'"), r.err());
        }
    }

    @Test
    void githubAnnotationsCarryFileLineAndColumn() {
        String file = fixture("ingressroute/with_v2_multi_host_on_v3_syntax");
        Run r = run("", "-o", "github", file);
        assertEquals(1, r.exit());
        String rel = Path.of("").toAbsolutePath().relativize(Path.of(file)).toString();
        assertTrue(
                r.out()
                        .startsWith("::error file=" + rel
                                + ",line=8,col=14,title=[rule-v2-multi-value]::spec.routes[0].match: "),
                r.out());
        assertTrue(r.out().contains("::notice title=routecert check::"), r.out());
        assertFalse(run("", "-o", "github", "--quiet", file).out().contains("::notice"));
    }

    @Test
    void objectsAndFieldsAreLocatedInEveryKindOfInput(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("routes.yaml");
        Files.writeString(yaml, """
                # a comment first
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: one
                spec:
                  rules: [{host: a.example.com}]
                ---

                apiVersion: v1
                kind: List
                items:
                  - apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata:
                      name: two
                      annotations:
                        cert-manager.io/duration: "1 year"
                    spec:
                      tls: [{hosts: [b.example.com], secretName: b-tls}]
                      rules:
                        - host: b.example.com
                """);
        Path json = dir.resolve("routes.json");
        Files.writeString(json, """
                [
                  {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "three"}},
                  {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                   "metadata": {"name": "four"},
                   "spec": {"rules": [{"host": "d.example.com"}], "tls": [{"hosts": ["e.example.com"]}]}}
                ]
                """);
        Run r = run("", "-o", "json", "--default-issuer", "letsencrypt-prod", yaml.toString(), json.toString());
        JsonNode objects = JSON.readTree(r.out()).get("objects");
        assertEquals(4, objects.size(), r.out());
        assertEquals(List.of(3, 14, 2, 3), lines(objects));
        JsonNode two = objects.get(1);
        JsonNode duration = two.get("violations").get(0);
        assertEquals(
                "metadata.annotations[cert-manager.io/duration]",
                duration.get("field").asText(),
                two::toString);
        assertEquals(19, duration.get("line").asInt(), "the annotation's own line, its key's dots and slash and all");
        JsonNode four = objects.get(3);
        assertNotEquals(0, four.get("violations").size(), four::toString);
        assertEquals(5, four.at("/violations/0/line").asInt(), four::toString);
    }

    private static List<Integer> lines(JsonNode objects) {
        List<Integer> out = new ArrayList<>();
        objects.forEach(o -> out.add(o.get("line").asInt()));
        return out;
    }

    @Test
    void quietKeepsOnlyProblems(@TempDir Path dir) throws Exception {
        String good = fixture("ingressroute/with_host_and_path_prefix");
        String bad = fixture("ingressroute/with_v2_multi_host_on_v3_syntax");
        Run text = run("", "--quiet", "--default-issuer", "letsencrypt-prod", good, bad);
        assertEquals(1, text.exit());
        assertFalse(text.out().contains("IngressRoute default/www"), text.out());
        assertTrue(text.out().contains("IngressRoute default/ab"), text.out());
        assertFalse(text.out().contains("checked 2 objects"), text.out());
        Run allowed = run("", "-q", "--default-issuer", "letsencrypt-prod", good);
        assertEquals(0, allowed.exit());
        assertEquals("", allowed.out());

        JsonNode report = JSON.readTree(run("", "-q", "-o", "json", "--default-issuer", "letsencrypt-prod", good, bad)
                .out());
        assertEquals(2, report.at("/summary/objects").asInt());
        assertEquals(1, report.get("objects").size());
        assertEquals("ab", report.at("/objects/0/name").asText());
    }

    @Test
    void aClusterThatCannotBeReadStopsWithExitTwo(@TempDir Path dir) throws Exception {
        String file = fixture("ingressroute/with_host_and_path_prefix");
        Run context = run("", "--context", "prod", file);
        assertEquals(2, context.exit());
        assertTrue(context.err().contains("--context needs --kubeconfig"), context.err());
        Run missing = run("", "--kubeconfig", dir.resolve("nope").toString(), file);
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("cannot read --kubeconfig " + dir.resolve("nope")), missing.err());
        assertEquals("", missing.out(), "nothing is judged without the cluster that was asked for");
    }

    @Test
    void theClusterOptionsAreHeldToServesRulesOnlyWithACluster(@TempDir Path dir) throws Exception {
        String file = fixture("ingressroute/with_host_and_path_prefix");
        String kubeconfig = dir.resolve("nope").toString();
        Run namespace = run("", "--kubeconfig", kubeconfig, "--claims-namespace", "Not_A_Namespace", file);
        assertEquals(2, namespace.exit());
        assertTrue(
                namespace
                        .err()
                        .contains("error: --claims-namespace must be a namespace name (lower-case DNS label), got"
                                + " 'Not_A_Namespace'"),
                namespace.err());
        Run window = run("", "--kubeconfig", kubeconfig, "--expiry-warning", "10m", file);
        assertEquals(2, window.exit());
        assertTrue(window.err().contains("error: --expiry-warning must be between 1h and 8760h"), window.err());
        assertEquals("", window.out(), "nothing is judged");
        // offline they are not used, so not refused
        assertEquals(0, run("", "--claims-namespace", "Not_A_Namespace", file).exit());
    }

    /** An environment the offline check does not use cannot break it: the window is read only with a cluster. */
    @Test
    void aBadExpiryWarningInTheEnvironmentIsRefusedOnlyWithACluster(@TempDir Path dir) throws Exception {
        String file = fixture("ingressroute/with_host_and_path_prefix");
        Run offline = inProcessWithEnvironment(dir, "ROUTECERT_EXPIRY_WARNING", "two weeks", "check", file);
        assertEquals(0, offline.exit(), offline.out());
        assertTrue(offline.out().contains("1 allowed, 0 denied"), offline.out());

        Run withCluster = inProcessWithEnvironment(
                dir,
                "ROUTECERT_EXPIRY_WARNING",
                "two weeks",
                "check",
                "--kubeconfig",
                dir.resolve("nope").toString(),
                file);
        assertEquals(2, withCluster.exit(), withCluster.out());
        assertTrue(
                withCluster
                        .out()
                        .contains("error: --expiry-warning: 'two weeks' is not a duration (examples: 500ms, 10s, 1m30s,"
                                + " 2h)"),
                withCluster.out());
        assertFalse(withCluster.out().contains("cannot read --kubeconfig"), "refused before the cluster is read");
        assertFalse(withCluster.out().contains("IngressRoute"), "nothing is judged");
    }

    /** routecert in a JVM of its own with one more environment variable; out holds stdout and stderr. */
    private static Run inProcessWithEnvironment(Path dir, String name, String value, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "run", ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put(name, value);
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "routecert did not end");
        return new Run(process.exitValue(), Files.readString(log), "");
    }

    @Test
    void recursiveIsAcceptedAndChangesNothing(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.copy(Path.of(fixture("ingressroute/with_v2_multi_host_on_v3_syntax")), dir.resolve("a/b/route.yaml"));
        Run plain = run("", dir.toString());
        Run recursive = run("", "-R", dir.toString());
        assertEquals(1, plain.exit());
        assertEquals(plain.exit(), recursive.exit());
        assertEquals(plain.out(), recursive.out());
        assertEquals(plain.out(), run("", "--recursive", dir.toString()).out());
    }

    @Test
    void unreadableInputsAreInEveryFormatAndExitTwo(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "kind: Ingress\nmetadata: {name: [unclosed\n");
        String good = fixture("ingressroute/with_host_and_path_prefix");
        Run json = run("", "-o", "json", broken.toString(), good);
        assertEquals(2, json.exit());
        JsonNode report = JSON.readTree(json.out());
        assertValidJson(CHECK_SCHEMA, report);
        assertEquals(2, report.at("/summary/exitCode").asInt());
        assertTrue(report.at("/summary/inputErrors/0").asText().contains("broken.yaml"), json.out());
        JsonNode log =
                JSON.readTree(run("", "-o", "sarif", broken.toString(), good).out());
        assertValidJson(SARIF_SCHEMA, log);
        assertFalse(log.at("/runs/0/invocations/0/executionSuccessful").asBoolean());
        String xml = run("", "-o", "junit", broken.toString(), good).out();
        assertValidJunit(xml);
        assertTrue(xml.contains("<error message=\"error: " + broken), xml);
        assertTrue(run("", "-o", "github", broken.toString(), good).out().contains("::error::error: " + broken));
    }
}
