package dev.routecert.cli.output;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one document and its fields stand in the file it was read from, so a finding about
 * {@code spec.rules[1].host} can point at that line.
 *
 * @param line   1-based line of the document's first field (0 when unknown, as for standard input)
 * @param keys   1-based line and column of each field's key, by JSON pointer relative to the document
 * @param values line and column of each scalar value, by the same pointers
 * @param text   the lines of the file, to tell whether a rule's text starts where its value does
 */
public record Locations(int line, Map<String, Position> keys, Map<String, Position> values, List<String> text) {

    /** A line and a 1-based column (0 when not known). */
    public record Position(int line, int column) {}

    public static final Locations UNKNOWN = new Locations(0, Map.of(), Map.of(), List.of());

    /** The position of the field a violation names, or of the nearest enclosing field, or of the document. */
    public Position of(String field) {
        List<String> path = segments(field);
        for (int n = path.size(); n > 0; n--) {
            Position p = keys.get(pointer(path.subList(0, n)));
            if (p != null) {
                return p;
            }
        }
        return new Position(line, 0);
    }

    /**
     * The column of character {@code offset} of the string at {@code field}, when the value is written on
     * one line exactly as it reads (plain or quoted without escapes); 0 otherwise.
     */
    public int column(String field, String value, Integer offset) {
        if (offset == null || value == null) {
            return 0;
        }
        Position p = values.get(pointer(segments(field)));
        if (p == null || p.line() < 1 || p.line() > text.size() || p.column() < 1) {
            return 0;
        }
        String source = text.get(p.line() - 1);
        int start = p.column() - 1;
        if (start < source.length() && (source.charAt(start) == '"' || source.charAt(start) == '\'')) {
            start++;
        }
        if (!source.startsWith(value, start) || offset < 0 || offset > value.length()) {
            return 0;
        }
        return start + offset + 1;
    }

    /** The locations of the value at {@code prefix} (a JSON pointer), as a document of its own. */
    public Locations within(String prefix) {
        Map<String, Position> k = new HashMap<>();
        Map<String, Position> v = new HashMap<>();
        keys.forEach((ptr, p) -> {
            if (ptr.equals(prefix) || ptr.startsWith(prefix + "/")) {
                k.put(ptr.substring(prefix.length()), p);
            }
        });
        values.forEach((ptr, p) -> {
            if (ptr.equals(prefix) || ptr.startsWith(prefix + "/")) {
                v.put(ptr.substring(prefix.length()), p);
            }
        });
        Position start = k.get("");
        return new Locations(start == null ? line : start.line(), Map.copyOf(k), Map.copyOf(v), text);
    }

    /**
     * The steps of a field path as violations write it: {@code spec.rules[1].host} or
     * {@code metadata.annotations[cert-manager.io/duration]}; a bracket holds an index or a key, dots and
     * all.
     */
    static List<String> segments(String field) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '.') {
                flush(cur, out);
            } else if (c == '[') {
                flush(cur, out);
                int end = field.indexOf(']', i);
                if (end < 0) {
                    break;
                }
                out.add(field.substring(i + 1, end));
                i = end;
            } else {
                cur.append(c);
            }
        }
        flush(cur, out);
        return out;
    }

    private static void flush(StringBuilder cur, List<String> out) {
        if (!cur.isEmpty()) {
            out.add(cur.toString());
            cur.setLength(0);
        }
    }

    static String pointer(List<String> segments) {
        StringBuilder b = new StringBuilder();
        for (String s : segments) {
            b.append('/').append(s.replace("~", "~0").replace("/", "~1"));
        }
        return b.toString();
    }
}
