package dev.routecert.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.Violation;
import java.util.List;

/**
 * One object {@code routecert check} read, where it came from and what the policy said of it.
 *
 * @param file       the path as given on the command line (or found below a directory), {@code <stdin>} for '-'
 * @param document   1-based number of the document in the file
 * @param at         where the object and its fields stand in the file
 * @param skippedWhy why the object was not checked (another kind, out of scope, opted out), or null
 */
public record CheckedObject(
        String file,
        int document,
        Locations at,
        JsonNode object,
        String apiVersion,
        String kind,
        String namespace,
        String name,
        String skippedWhy,
        Verdict verdict) {

    public static final String STDIN = "<stdin>";

    public boolean checked() {
        return skippedWhy == null;
    }

    /** ALLOW, WARN, CREATE, MUTATE or DENY for a checked object, SKIPPED otherwise. */
    public String label() {
        return checked() ? verdict.outcome().name() : "SKIPPED";
    }

    /** Denied, or admitted with warnings: what {@code --quiet} keeps. */
    public boolean hasProblems() {
        return checked() && (!verdict.allowed() || !verdict.warnings().isEmpty());
    }

    /** {@code Kind namespace/name}, as a person names the object. */
    public String title() {
        String k = kind.isEmpty() ? "(no kind)" : kind;
        return k + " " + namespace + "/" + (name == null ? "(unnamed)" : name);
    }

    /** The warnings that no warned finding stands for (those have a field and a check of their own). */
    public List<String> otherWarnings() {
        List<String> texts =
                verdict.warned().stream().map(Violation::warningText).toList();
        return verdict.warnings().stream()
                .filter(w -> texts.stream().noneMatch(t -> t.equals(w) || clippedFrom(w, t)))
                .toList();
    }

    private static boolean clippedFrom(String warning, String full) {
        return warning.endsWith("...") && full.startsWith(warning.substring(0, warning.length() - 3));
    }

    /** The text of the field a violation names, when it is a string (a rule, for its offset). */
    public String text(String field) {
        JsonNode n = object.at(Locations.pointer(Locations.segments(field)));
        return n.isTextual() ? n.asText() : null;
    }
}
