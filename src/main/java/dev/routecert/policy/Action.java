package dev.routecert.policy;

import java.util.Locale;
import java.util.Optional;

/**
 * What routecert does with a finding of a check, as Gatekeeper's {@code enforcementAction} and
 * Kyverno's {@code validationFailureAction}: deny the object, admit it with a warning kubectl prints,
 * admit it silently and record the finding (metric, log line, Event), or ignore it.
 */
public enum Action {
    DENY,
    WARN,
    AUDIT,
    OFF;

    /** The lower-case word a policy file and the docs use: {@code deny}, {@code warn}, {@code audit}, {@code off}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action a word names, ignoring case; empty for anything else. */
    public static Optional<Action> byWord(String word) {
        for (Action a : values()) {
            if (a.word().equalsIgnoreCase(word == null ? "" : word.strip())) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
