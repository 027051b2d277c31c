package dev.routecert.policy.settings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Collects every problem of a document as {@code path: message}, and reads its fields strictly. */
final class Problems {

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private final List<String> list = new ArrayList<>();

    void add(String path, String message) {
        list.add((path.isEmpty() ? "" : path + ": ") + message);
    }

    List<String> list() {
        return List.copyOf(list);
    }

    int size() {
        return list.size();
    }

    /** {@code path.key}, or {@code path[key]} for a key that dots or slashes would make ambiguous. */
    static String child(String path, String key) {
        if (PLAIN_KEY.matcher(key).matches()) {
            return path.isEmpty() ? key : path + "." + key;
        }
        return path + "[" + key + "]";
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    /** True when {@code node} is an object; reports fields other than {@code allowed} as unknown. */
    boolean object(String path, JsonNode node, Set<String> allowed) {
        if (!node.isObject()) {
            add(path, "must be a map, got " + describe(node));
            return false;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                add(child(path, name), "unknown field (known here: " + String.join(", ", sorted(allowed)) + ")");
            }
        }
        return true;
    }

    /** True when {@code node} is a map of anything; its keys are the caller's to judge. */
    boolean map(String path, JsonNode node) {
        if (!node.isObject()) {
            add(path, "must be a map, got " + describe(node));
            return false;
        }
        return true;
    }

    boolean array(String path, JsonNode node) {
        if (!node.isArray()) {
            add(path, "must be a list, got " + describe(node));
            return false;
        }
        return true;
    }

    /** The text of a string node, or null (reported) for anything else. */
    String string(String path, JsonNode node) {
        if (!node.isTextual()) {
            add(
                    path,
                    "must be a string, got " + describe(node)
                            + (node.isValueNode() && !node.isNull() ? " (quote it: \"" + node.asText() + "\")" : ""));
            return null;
        }
        return node.asText();
    }

    /** A boolean, or null (reported) for anything else, including the strings "true" and "false". */
    Boolean bool(String path, JsonNode node) {
        if (!node.isBoolean()) {
            add(path, "must be true or false, got " + describe(node));
            return null;
        }
        return node.asBoolean();
    }

    /** The strings of a list; elements that are not strings are reported and left out. */
    List<String> strings(String path, JsonNode node) {
        List<String> out = new ArrayList<>();
        if (!array(path, node)) {
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            String s = string(index(path, i), node.get(i));
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    static String describe(JsonNode node) {
        if (node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            return "the string \"" + node.asText() + "\"";
        }
        if (node.isObject()) {
            return "a map";
        }
        if (node.isArray()) {
            return "a list";
        }
        return node.getNodeType().name().toLowerCase(Locale.ROOT) + " " + node;
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }

    /** Convenience for iterating an object's fields. */
    static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        return node::fields;
    }
}
