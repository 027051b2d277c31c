package dev.routecert.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects every violation, warning and note of one evaluation, in the order they were found. */
final class Findings {

    /**
     * kubectl prints each warning on its own line and the API server may drop long lists; past this
     * many, one line says how many more there were. Violations are never capped.
     */
    static final int MAX_WARNINGS = 50;

    final List<Violation> violations = new ArrayList<>();
    private final Set<String> warnings = new LinkedHashSet<>();
    private final Set<String> notes = new LinkedHashSet<>();
    private int droppedWarnings;

    void deny(Violation v) {
        violations.add(v);
    }

    /** A warning, printed by kubectl as {@code Warning: field: message}. Repeats are dropped. */
    void warn(String field, String message) {
        String w = field == null ? message : field + ": " + message;
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
