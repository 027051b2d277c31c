package dev.routecert.routes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of {@code metadata} the policy reads. Annotation values that are not strings are kept
 * out of the map and reported as shape problems (the API server would refuse them too); labels
 * that are not strings are left out the same way.
 */
public record ObjectMetaView(
        String name,
        String generateName,
        String namespace,
        Map<String, String> annotations,
        List<ShapeProblem> problems,
        Map<String, String> labels) {

    public ObjectMetaView {
        annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
        problems = List.copyOf(problems);
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /** Metadata without labels. */
    public ObjectMetaView(
            String name,
            String generateName,
            String namespace,
            Map<String, String> annotations,
            List<ShapeProblem> problems) {
        this(name, generateName, namespace, annotations, problems, Map.of());
    }

    public static ObjectMetaView of(JsonNode object) {
        JsonNode meta = object == null ? null : object.get("metadata");
        List<ShapeProblem> problems = new ArrayList<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        JsonNode ann = meta == null ? null : meta.get("annotations");
        if (ann != null && !ann.isNull()) {
            if (!ann.isObject()) {
                problems.add(new ShapeProblem("metadata.annotations", "must be a map of strings"));
            } else {
                for (Map.Entry<String, JsonNode> e : ann.properties()) {
                    JsonNode v = e.getValue();
                    if (v.isTextual()) {
                        annotations.put(e.getKey(), v.asText());
                    } else if (!v.isNull()) {
                        problems.add(new ShapeProblem(
                                "metadata.annotations[" + e.getKey() + "]",
                                "annotation values must be strings; quote " + v + " in YAML"));
                    }
                }
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode lab = meta == null ? null : meta.get("labels");
        if (lab != null && lab.isObject()) {
            for (Map.Entry<String, JsonNode> e : lab.properties()) {
                if (e.getValue().isTextual()) {
                    labels.put(e.getKey(), e.getValue().asText());
                }
            }
        }
        return new ObjectMetaView(
                Json.text(meta, "name"),
                Json.text(meta, "generateName"),
                Json.text(meta, "namespace"),
                annotations,
                problems,
                labels);
    }

    /** {@code namespace/name}, or what is known of it, for messages. */
    public String displayName() {
        String n = name != null ? name : (generateName != null ? generateName + "*" : "(unnamed)");
        return namespace != null ? namespace + "/" + n : n;
    }
}
