package dev.routecert.install;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.kube.Commands;
import dev.routecert.kube.Commands.CommandResult;
import dev.routecert.kube.KubeBinaries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What {@code kubectl kustomize manifests/} renders: the objects an install applies, as JSON trees. */
public final class RenderedManifests {

    public static final Path DIRECTORY = Path.of("manifests").toAbsolutePath();
    private static final YAMLMapper YAML = new YAMLMapper();

    private final List<ObjectNode> objects;

    private RenderedManifests(List<ObjectNode> objects) {
        this.objects = List.copyOf(objects);
    }

    /** Renders {@code manifests/} with the kustomize built into kubectl, as {@code kubectl apply -k} does. */
    public static RenderedManifests render() throws IOException, InterruptedException {
        return render(DIRECTORY);
    }

    /** Renders another kustomization, such as {@code manifests/monitoring}. */
    public static RenderedManifests render(Path directory) throws IOException, InterruptedException {
        Path kubectl = KubeBinaries.onPath("kubectl");
        Objects.requireNonNull(kubectl, "kubectl not on PATH (kube-binaries.sh installs it)");
        CommandResult rendered = Commands.run(List.of(kubectl.toString(), "kustomize", directory.toString()));
        assertEquals(0, rendered.exitCode(), "kubectl kustomize " + directory + " failed:\n" + rendered.output());
        List<ObjectNode> objects = new ArrayList<>();
        for (JsonNode document : YAML.readerFor(JsonNode.class)
                .<JsonNode>readValues(rendered.stdout())
                .readAll()) {
            if (document instanceof ObjectNode object && object.has("kind")) {
                if (object.path("kind").asText().equals("List")) {
                    object.path("items").forEach(item -> objects.add((ObjectNode) item));
                } else {
                    objects.add(object);
                }
            }
        }
        return new RenderedManifests(objects);
    }

    /** Every object, in kustomize's order (namespaces first, webhook configurations last). */
    public List<ObjectNode> all() {
        return objects.stream().map(ObjectNode::deepCopy).toList();
    }

    public List<ObjectNode> ofKind(String kind) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind))
                .map(ObjectNode::deepCopy)
                .toList();
    }

    /** The one object of this kind and name; fails the test when there is none or more than one. */
    public ObjectNode one(String kind, String name) {
        List<ObjectNode> found = ofKind(kind).stream()
                .filter(o -> o.path("metadata").path("name").asText().equals(name))
                .toList();
        assertEquals(1, found.size(), "rendered manifests hold " + found.size() + " " + kind + " named " + name);
        return found.getFirst();
    }

    /** The one object of this kind; fails the test when there is none or more than one. */
    public ObjectNode one(String kind) {
        List<ObjectNode> found = ofKind(kind);
        assertEquals(1, found.size(), "rendered manifests hold " + found.size() + " " + kind);
        return found.getFirst();
    }

    public static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    public static String describe(JsonNode object) {
        String namespace = object.path("metadata").path("namespace").asText();
        return object.path("kind").asText() + " " + (namespace.isEmpty() ? "" : namespace + "/") + name(object);
    }

    public static String yaml(List<? extends JsonNode> objects) throws IOException {
        StringBuilder out = new StringBuilder();
        for (JsonNode object : objects) {
            out.append(YAML.writeValueAsString(object));
        }
        return out.toString();
    }

    /**
     * Where {@code actual} lacks or contradicts what {@code expected} says, as JSON paths: empty when
     * every field of {@code expected} is in {@code actual} with the same value (the server may add
     * defaults, but must not drop or change what was sent). Lists are compared item by item.
     */
    public static List<String> missingFrom(JsonNode expected, JsonNode actual, String path) {
        List<String> problems = new ArrayList<>();
        if (expected.isObject()) {
            if (!actual.isObject()) {
                problems.add(path + ": expected an object, stored " + actual);
                return problems;
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = expected.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String child = path + "." + field.getKey();
                if (!actual.has(field.getKey())) {
                    problems.add(child + ": sent " + field.getValue() + ", not stored");
                } else {
                    problems.addAll(missingFrom(field.getValue(), actual.get(field.getKey()), child));
                }
            }
        } else if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) {
                problems.add(path + ": sent " + expected + ", stored " + actual);
                return problems;
            }
            for (int i = 0; i < expected.size(); i++) {
                problems.addAll(missingFrom(expected.get(i), actual.get(i), path + "[" + i + "]"));
            }
        } else if (!expected.equals(actual) && !expected.asText().equals(actual.asText())) {
            problems.add(path + ": sent " + expected + ", stored " + actual);
        }
        return problems;
    }

    /** Paths at which two trees differ in either direction. */
    public static List<String> differences(JsonNode a, JsonNode b, String path) {
        List<String> differences = new ArrayList<>();
        if (a.isObject() && b.isObject()) {
            List<String> names = new ArrayList<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(n -> {
                if (!a.has(n)) {
                    names.add(n);
                }
            });
            for (String name : names) {
                String child = path + "." + name;
                if (!a.has(name) || !b.has(name)) {
                    differences.add(child);
                } else {
                    differences.addAll(differences(a.get(name), b.get(name), child));
                }
            }
        } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                differences.addAll(differences(a.get(i), b.get(i), path + "[" + i + "]"));
            }
        } else if (!a.equals(b)) {
            differences.add(path);
        }
        return differences;
    }

    /** {@code node.at(pointer)} as an array, failing the test when it is not one. */
    public static ArrayNode array(JsonNode node, String pointer) {
        JsonNode found = node.at(pointer);
        if (!(found instanceof ArrayNode array)) {
            throw new AssertionError(pointer + " is not a list in " + describe(node) + ": " + found);
        }
        return array;
    }
}
