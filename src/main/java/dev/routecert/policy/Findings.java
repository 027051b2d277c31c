package dev.routecert.policy;

import java.util.ArrayList;
import java.util.List;

/** Collects every violation, warning and note of one evaluation, in the order they were found. */
final class Findings {

    final List<Violation> violations = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    void deny(Violation v) {
        violations.add(v);
    }

    /** A warning, printed by kubectl as {@code Warning: field: message}. */
    void warn(String field, String message) {
        String w = field == null ? message : field + ": " + message;
        if (!warnings.contains(w)) {
            warnings.add(w);
        }
    }

    void note(String note) {
        if (!notes.contains(note)) {
            notes.add(note);
        }
    }

    boolean denied() {
        return !violations.isEmpty();
    }
}
