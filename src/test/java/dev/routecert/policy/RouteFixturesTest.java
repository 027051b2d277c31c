package dev.routecert.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The scenario table: every {@code routes/<kind>/with_<feature>.yaml} is evaluated and compared with
 * its {@code .expected.yaml}. A new case is a new pair of files. IngressRoute and IngressRouteTCP
 * fixtures written for {@code traefik.io} run a second time as {@code traefik.containo.us}, which must
 * not change the verdict.
 */
class RouteFixturesTest {

    static final String LEGACY = "traefik.containo.us/v1alpha1";

    @TestFactory
    Stream<DynamicTest> everyFixtureGetsItsExpectedVerdict() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixtures.Fixture fx : Fixtures.all()) {
            tests.add(DynamicTest.dynamicTest(
                    fx.name(), fx.objectFile().toUri(), () -> check(fx, fx.object(), fx.expected())));
            if ((fx.folder().equals("ingressroute") || fx.folder().equals("ingressroutetcp"))
                    && "traefik.io/v1alpha1"
                            .equals(fx.object().path("apiVersion").asText())) {
                tests.add(DynamicTest.dynamicTest(
                        fx.name() + " [as " + LEGACY + "]",
                        fx.objectFile().toUri(),
                        () -> check(fx, asLegacy(fx.object()), asLegacyExpected(fx.expected()))));
            }
        }
        return tests.stream();
    }

    /** Each fixture says what it shows and what it must get; together they reach every outcome and kind. */
    @Test
    void everyFixtureDescribesItsCaseAndTheTableCoversEveryOutcome() {
        List<Fixtures.Fixture> all = Fixtures.all();
        Set<String> outcomes = new TreeSet<>();
        for (Fixtures.Fixture fx : all) {
            assertFalse(fx.expected().path("case").asText("").isBlank(), fx.name() + " has no case: description");
            String verdict = fx.expected().path("verdict").asText("");
            assertTrue(
                    Arrays.stream(Verdict.Outcome.values())
                            .anyMatch(o -> o.name().equals(verdict)),
                    fx.name() + " has no verdict: among " + Arrays.toString(Verdict.Outcome.values()));
            outcomes.add(verdict);
        }
        assertEquals(
                Arrays.stream(Verdict.Outcome.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new)),
                outcomes,
                "some outcome has no fixture");
        for (String folder : List.of(
                "ingress",
                "ingressroute",
                "ingressroute-legacy",
                "ingressroutetcp",
                "ingressroutetcp-legacy",
                "unhandled")) {
            assertTrue(all.stream().anyMatch(f -> f.folder().equals(folder)), "no fixture under routes/" + folder);
        }
    }

    /** An expectation without its object would never run. */
    @Test
    void everyExpectationHasItsFixture() throws IOException {
        try (Stream<Path> files = Files.walk(Fixtures.root())) {
            for (Path expected :
                    files.filter(p -> p.toString().endsWith(".expected.yaml")).toList()) {
                Path object = expected.resolveSibling(
                        expected.getFileName().toString().replace(".expected.yaml", ".yaml"));
                assertTrue(Files.exists(object), expected + " has no " + object.getFileName());
            }
        }
    }

    static void check(Fixtures.Fixture fx, JsonNode object, JsonNode expected) {
        PolicyConfig config = Fixtures.config(expected);
        RoutePolicy policy = Fixtures.policy(expected);
        PolicyRequest base = PolicyRequest.create(object, "default");
        String op = expected.path("operation").asText("CREATE");
        JsonNode old = Fixtures.oldObject(expected, object);
        PolicyRequest request =
                new PolicyRequest(base.group(), base.version(), base.kind(), op, base.namespace(), object, old);
        JsonNode pristine = object.deepCopy();
        Verdict verdict = policy.evaluate(request);
        assertEquals(pristine, object, "evaluation must not modify the request's object");
        String context = fx.name() + "\n" + render(verdict);

        assertEquals(expected.path("verdict").asText(), verdict.outcome().name(), () -> "verdict of " + context);
        checkViolations(expected.path("violations"), verdict.violations(), context);
        checkTexts("warning", expected.path("warnings"), verdict.warnings(), true, context);
        checkTexts("note", expected.path("notes"), verdict.notes(), false, context);

        JsonNode certs = expected.path("certificates");
        List<JsonNode> actual = verdict.certificates().stream()
                .map(c -> (JsonNode) c.toCertificate())
                .toList();
        List<JsonNode> wanted = new ArrayList<>();
        certs.forEach(wanted::add);
        assertEquals(wanted, actual, () -> "certificates of " + context);
        for (PlannedCertificate c : verdict.certificates()) {
            assertEquals(c.name(), c.secretName(), "Certificate name = secretName");
            assertEquals(base.group(), c.sourceGroup());
            assertEquals(base.kind(), c.sourceKind());
        }

        JsonNode patched = expected.get("patched");
        if (patched == null) {
            assertNull(verdict.patch(), () -> "no patch expected for " + context);
            return;
        }
        assertNotNull(verdict.patch(), () -> "a patch is expected for " + context);
        JsonNode once = JsonPatch.apply(verdict.patch(), object);
        assertEquals(patched, once, () -> "patched object of " + context);
        JsonNode twice = JsonPatch.apply(verdict.patch(), once);
        assertEquals(once, twice, "applying the patch twice changes nothing");

        // the mutated object is already in its final form: no further patch, the same plan
        Verdict again = policy.evaluate(
                new PolicyRequest(base.group(), base.version(), base.kind(), op, base.namespace(), once, old));
        assertTrue(again.allowed(), () -> "mutated object must be admitted: " + render(again));
        assertNull(again.patch(), "a mutated object needs no second patch");
        assertEquals(verdict.certificates(), again.certificates(), "same Certificates for the mutated object");
    }

    private static void checkViolations(JsonNode expected, List<Violation> actual, String context) {
        assertEquals(expected.size(), actual.size(), () -> "number of violations of " + context);
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = expected.get(i);
            Violation v = actual.get(i);
            assertEquals(e.path("field").asText(), v.field(), () -> "violation field of " + context);
            for (String part : parts(e.path("message"))) {
                assertTrue(
                        v.message().contains(part),
                        () -> "message '" + v.message() + "' should contain '" + part + "' in " + context);
            }
            for (String part : parts(e.path("hint"))) {
                assertTrue(
                        v.hint() != null && v.hint().contains(part),
                        () -> "hint '" + v.hint() + "' should contain '" + part + "' in " + context);
            }
            if (e.has("offset")) {
                assertEquals(e.get("offset").asInt(), v.offset(), () -> "rule offset of " + context);
            }
            if (e.has("check")) {
                assertEquals(e.get("check").asText(), v.check().id(), () -> "check of " + context);
            }
            if (e.has("reason")) {
                assertEquals(e.get("reason").asText(), v.reason(), () -> "reason of " + context);
            }
            assertFalse(v.hint() == null || v.hint().isBlank(), () -> "every violation has a hint: " + v);
        }
    }

    /** Warnings are matched one-to-one in order; notes only need to appear somewhere. */
    private static void checkTexts(String what, JsonNode expected, List<String> actual, boolean exact, String context) {
        if (exact) {
            assertEquals(expected.size(), actual.size(), () -> "number of " + what + "s of " + context);
        }
        for (int i = 0; i < expected.size(); i++) {
            List<String> wanted = parts(expected.get(i));
            if (exact) {
                String a = actual.get(i);
                for (String part : wanted) {
                    assertTrue(
                            a.contains(part), () -> what + " '" + a + "' should contain '" + part + "' in " + context);
                }
            } else if (actual.stream().noneMatch(a -> wanted.stream().allMatch(a::contains))) {
                fail("no " + what + " contains " + wanted + " in " + context);
            }
        }
    }

    private static List<String> parts(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    /**
     * The object in Traefik v2's group. v2 skips an IngressRoute's route without {@code kind: Rule}
     * (a {@code route-kind-missing} warning), so its routes get one: the verdict must not change otherwise.
     */
    static JsonNode asLegacy(JsonNode object) {
        ObjectNode copy = object.deepCopy();
        copy.put("apiVersion", LEGACY);
        if ("IngressRoute".equals(copy.path("kind").asText())
                && copy.path("spec").path("routes").isArray()) {
            copy.path("spec").path("routes").forEach(r -> {
                if (r instanceof ObjectNode route && !route.has("kind")) {
                    route.put("kind", "Rule");
                }
            });
        }
        return copy;
    }

    static JsonNode asLegacyExpected(JsonNode expected) {
        ObjectNode copy = expected.deepCopy();
        for (String field : List.of("patched", "oldObject")) {
            if (copy.get(field) instanceof ObjectNode o) {
                copy.set(field, asLegacy(o));
            }
        }
        return copy;
    }

    static String render(Verdict v) {
        StringBuilder b = new StringBuilder("  outcome: ").append(v.outcome());
        v.violations()
                .forEach(x -> b.append("\n  violation: ")
                        .append(x.describe())
                        .append(" [offset=")
                        .append(x.offset())
                        .append(']'));
        v.warnings().forEach(w -> b.append("\n  warning: ").append(w));
        v.notes().forEach(n -> b.append("\n  note: ").append(n));
        if (v.patch() != null) {
            b.append("\n  patch: ").append(v.patch());
        }
        v.certificates().forEach(c -> b.append("\n  certificate: ").append(c.toCertificate()));
        return b.toString();
    }
}
