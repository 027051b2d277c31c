package dev.routecert.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects every finding and note of one evaluation, in the order they were found. A finding is a
 * {@link Violation} that names its check; whether it denies, warns or is recorded is decided later,
 * by the namespace's {@link Enforcement}.
 */
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

    final List<Violation> findings = new ArrayList<>();
    private final Set<String> notes = new LinkedHashSet<>();

    void deny(Violation v) {
        findings.add(v);
    }

    /** A finding of a check that warns by nature, printed by kubectl as {@code Warning: [id] field: message}. */
    void warn(Check check, String field, String message) {
        findings.add(Violation.warning(check, field, message));
    }

    void note(String note) {
        notes.add(note);
    }

    /**
     * True when a check that marks the route as broken fired, whatever its mode: such a route gets
     * no patch and no Certificate, even when a policy admits it.
     */
    boolean denied() {
        for (Violation v : findings) {
            if (v.check().blocksCertificate()) {
                return true;
            }
        }
        return false;
    }

    List<String> notes() {
        return List.copyOf(notes);
    }

    /** The warnings kubectl prints for {@code warned}: each cut to size, repeats dropped, at most {@link #MAX_WARNINGS}. */
    static List<String> warningTexts(List<Violation> warned, List<String> more) {
        Set<String> out = new LinkedHashSet<>();
        int dropped = 0;
        List<String> all = new ArrayList<>(warned.size() + more.size());
        warned.forEach(v -> all.add(v.warningText()));
        all.addAll(more);
        for (String text : all) {
            String w = Violation.clip(text, MAX_WARNING_CHARS);
            if (out.contains(w)) {
                continue;
            }
            if (out.size() >= MAX_WARNINGS) {
                dropped++;
                continue;
            }
            out.add(w);
        }
        List<String> list = new ArrayList<>(out);
        if (dropped > 0) {
            list.add("... and " + dropped + " more warnings like the ones above");
        }
        return list;
    }
}
