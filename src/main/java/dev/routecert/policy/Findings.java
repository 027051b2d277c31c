package dev.routecert.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects every violation, warning and note of one evaluation, in the order they were found. */
final class Findings {

    /**
     * kubectl prints each warning on its own line, and the API server passes on 4096 characters of
     * warnings per request before it cuts each to 256 and drops the rest: this many warnings of at most
     * {@link #MAX_WARNING_CHARS}, and the one line past them that says how many more there were, fit
     * in that. Violations are never capped here; the answer caps them ({@link Violation#MAX_IN_SUMMARY}).
     */
    static final int MAX_WARNINGS = 15;

    /** The API server's cut for one warning once a request's warnings are long. */
    static final int MAX_WARNING_CHARS = 256;

    final List<Violation> violations = new ArrayList<>();
    private final Set<String> warnings = new LinkedHashSet<>();
    private final Set<String> notes = new LinkedHashSet<>();
    private int droppedWarnings;

    void deny(Violation v) {
        violations.add(v);
    }

    /** A warning, printed by kubectl as {@code Warning: field: message}. Repeats are dropped. */
    void warn(String field, String message) {
        String w = Violation.clip(field == null ? message : field + ": " + message, MAX_WARNING_CHARS);
        if (warnings.contains(w)) {
            return;
        }
        if (warnings.size() >= MAX_WARNINGS) {
            droppedWarnings++;
            return;
        }
        warnings.add(w);
    }

    void note(String note) {
        notes.add(note);
    }

    boolean denied() {
        return !violations.isEmpty();
    }

    List<String> warnings() {
        List<String> out = new ArrayList<>(warnings);
        if (droppedWarnings > 0) {
            out.add("... and " + droppedWarnings + " more warnings like the ones above");
        }
        return out;
    }

    List<String> notes() {
        return List.copyOf(notes);
    }
}
