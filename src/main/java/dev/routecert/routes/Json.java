package dev.routecert.routes;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** Small null-tolerant readers over raw JSON trees. */
final class Json {

    private Json() {
    }

    /** The field's text when it is a string, else null. */
    static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** True when the field exists with a non-null value. */
    static boolean present(JsonNode node, String field) {
        return node != null && node.has(field) && !node.get(field).isNull();
    }

    /**
     * Reads an optional string field; a non-string value is reported and read as null.
     */
    static String string(JsonNode node, String field, String path, List<ShapeProblem> problems) {
        if (!present(node, field)) {
            return null;
        }
        JsonNode v = node.get(field);
        if (!v.isTextual()) {
            problems.add(new ShapeProblem(path, "must be a string, not " + describe(v)));
            return null;
        }
        return v.asText();
    }

    static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
