package dev.routecert.routes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small null-tolerant readers over raw JSON trees. */
final class Json {

    private Json() {}

    /** The field's text when it is a string, else null. */
    static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** The field's value, or null when it is absent or JSON null. */
    static JsonNode value(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    /** True when the field exists with a non-null value. */
    static boolean present(JsonNode node, String field) {
        return value(node, field) != null;
    }

    /**
     * Reads an optional string field; a non-string value is reported at {@code path} and read as null.
     */
    static String string(JsonNode node, String field, String path, List<ShapeProblem> problems) {
        JsonNode v = value(node, field);
        if (v != null && !v.isTextual()) {
            problems.add(notAString(path, v));
            return null;
        }
        return v == null ? null : v.asText();
    }

    /** Reads an optional boolean field, false when absent; a non-boolean value is reported at {@code path}. */
    static boolean bool(JsonNode node, String field, String path, List<ShapeProblem> problems) {
        JsonNode v = value(node, field);
        if (v != null && !v.isBoolean()) {
            problems.add(new ShapeProblem(path, "must be true or false, not " + describe(v)));
            return false;
        }
        return v != null && v.asBoolean();
    }

    /**
     * Reads an optional string field of the list element {@code list[index]}, as
     * {@link #string(JsonNode, String, String, List)} does; the path {@code list[index].field} is
     * built only when there is a problem to report.
     */
    static String string(JsonNode node, String field, String list, int index, List<ShapeProblem> problems) {
        JsonNode v = value(node, field);
        if (v != null && !v.isTextual()) {
            problems.add(notAString(list + "[" + index + "]." + field, v));
            return null;
        }
        return v == null ? null : v.asText();
    }

    /**
     * Reads an optional list of host names at {@code node.field}: an element that is not a string is
     * reported at {@code path[j]} and kept as null, so indexes still match the object's; a value that
     * is not a list is reported at {@code path} and read as empty.
     */
    static List<String> hostList(JsonNode node, String field, String path, List<ShapeProblem> problems) {
        List<String> names = new ArrayList<>();
        JsonNode list = value(node, field);
        if (list == null) {
            return names;
        }
        if (!list.isArray()) {
            problems.add(new ShapeProblem(path, "must be a list of host names"));
            return names;
        }
        for (int j = 0; j < list.size(); j++) {
            if (list.get(j).isTextual()) {
                names.add(list.get(j).asText());
            } else {
                problems.add(new ShapeProblem(path + "[" + j + "]", "must be a string"));
                names.add(null);
            }
        }
        return names;
    }

    private static ShapeProblem notAString(String path, JsonNode v) {
        return new ShapeProblem(path, "must be a string, not " + describe(v));
    }

    static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> v.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
