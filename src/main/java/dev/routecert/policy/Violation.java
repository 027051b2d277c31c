package dev.routecert.policy;

import java.util.List;
import java.util.Objects;

/**
 * One reason to reject an object: the field that is wrong, what is wrong with it, and a one-line fix.
 * Every rejection routecert makes has this shape, the policy's and the Certificate checks' alike; the
 * ways it is written for a person are the methods below.
 *
 * @param field   path of the offending field, e.g. {@code spec.routes[1].match} or
 *                {@code metadata.annotations[cert-manager.io/duration]}
 * @param message what is wrong, written for the person reading {@code kubectl apply} output
 * @param hint    one line that says how to fix it
 * @param offset  0-based character offset inside a rule string, or null when not about a rule
 * @param reason  a Kubernetes {@code field.ErrorType}-like code, one of the constants below
 * @param check   the check that found it, whose id starts every message written from it
 */
public record Violation(String field, String message, String hint, Integer offset, String reason, Check check) {

    public static final String INVALID = "FieldValueInvalid";
    public static final String REQUIRED = "FieldValueRequired";
    public static final String DUPLICATE = "FieldValueDuplicate";
    public static final String FORBIDDEN = "FieldValueForbidden";
    public static final String NOT_SUPPORTED = "FieldValueNotSupported";
    public static final String TOO_LONG = "FieldValueTooLong";
    /** Not the object's fault: what it needs could not be done, as Kubernetes' {@code field.InternalError}. */
    public static final String INTERNAL = "InternalError";

    public Violation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(check, "check");
    }

    public static Violation invalid(Check check, String field, String message, String hint) {
        return new Violation(field, message, hint, null, INVALID, check);
    }

    public static Violation required(Check check, String field, String message, String hint) {
        return new Violation(field, message, hint, null, REQUIRED, check);
    }

    public static Violation duplicate(Check check, String field, String message, String hint) {
        return new Violation(field, message, hint, null, DUPLICATE, check);
    }

    public static Violation forbidden(Check check, String field, String message, String hint) {
        return new Violation(field, message, hint, null, FORBIDDEN, check);
    }

    public static Violation notSupported(Check check, String field, String message, String hint) {
        return new Violation(field, message, hint, null, NOT_SUPPORTED, check);
    }

    public static Violation tooLong(Check check, String field, String message, String hint) {
        return new Violation(field, message, hint, null, TOO_LONG, check);
    }

    public static Violation internal(Check check, String field, String message, String hint) {
        return new Violation(field, message, hint, null, INTERNAL, check);
    }

    /** A finding of a check that warns: no fix of its own (the message says what to do). */
    public static Violation warning(Check check, String field, String message) {
        return new Violation(field, message, null, null, INVALID, check);
    }

    /**
     * This violation as an answer carries it: field, message and fix cut to {@link #MAX_FIELD_CHARS}
     * and {@link #MAX_TEXT_CHARS}, so one cause stays within a few KiB whatever the object holds.
     */
    public Violation bounded() {
        return new Violation(
                clip(field, MAX_FIELD_CHARS),
                clip(message, MAX_TEXT_CHARS),
                hint == null ? null : clip(hint, MAX_TEXT_CHARS),
                offset,
                reason,
                check);
    }

    /** The line that stands for {@code more} violations left out of an answer. */
    public static String more(int more) {
        return "and " + more + " more " + (more == 1 ? "problem" : "problems")
                + "; run routecert check on the manifest to see them all";
    }

    /** {@code text} cut to at most {@code max} characters, ending in "..." when cut. */
    public static String clip(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 3;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a character in two
        }
        return text.substring(0, end) + "...";
    }

    /** The same violation pointing at a character inside a rule. */
    public Violation atOffset(int ruleOffset) {
        return new Violation(field, message, hint, ruleOffset, reason, check);
    }

    /** The message with its fix, as a denial's cause carries it: {@code [id] message (fix: hint)}. */
    public String causeMessage() {
        return check.tag() + " " + (hasHint() ? message + " (fix: " + hint + ")" : message);
    }

    /** {@code [id] field: message}, a warning as kubectl prints it after {@code Warning: }. */
    public String warningText() {
        return check.tag() + " " + field + ": " + message;
    }

    /** {@code [id] field: message (hint)}, the form {@code routecert check} prints. */
    public String describe() {
        StringBuilder b = new StringBuilder(check.tag())
                .append(' ')
                .append(field)
                .append(": ")
                .append(message);
        if (hasHint()) {
            b.append(" (").append(hint).append(')');
        }
        return b.toString();
    }

    /**
     * A denial's message and its causes name at most this many violations, then say how many more
     * there are: kubectl prints the message in one piece, and the API server relays the whole status,
     * so an object with thousands of mistakes must not produce an answer thousands of times larger.
     * {@code routecert check} lists them all.
     */
    public static final int MAX_IN_SUMMARY = 20;

    /** The longest field path an answer carries; longer ones (an annotation key, say) are cut. */
    public static final int MAX_FIELD_CHARS = 256;

    /** The longest message or fix an answer carries; longer ones (a value quoted whole) are cut. */
    public static final int MAX_TEXT_CHARS = 1024;

    /** Reason of the one cause that stands for the violations left out, as Kubernetes' {@code field.TooMany}. */
    public static final String TOO_MANY = "FieldValueTooMany";

    /**
     * One paragraph for a person, the message of a denial: how many problems, then each as
     * {@code [id] field: message - fix: hint}.
     */
    public static String summary(List<Violation> violations) {
        StringBuilder b = new StringBuilder("routecert rejected this object: ");
        int n = violations.size();
        int shown = Math.min(n, MAX_IN_SUMMARY);
        b.append(n == 1 ? "1 problem" : n + " problems").append(" to fix. ");
        for (int i = 0; i < shown; i++) {
            Violation v = violations.get(i).bounded();
            if (n > 1) {
                b.append('(').append(i + 1).append(") ");
            }
            b.append(v.check().tag()).append(' ').append(v.field()).append(": ").append(stripPeriod(v.message()));
            if (v.hasHint()) {
                b.append(" - fix: ").append(stripPeriod(v.hint()));
            }
            b.append(i + 1 < shown ? "; " : ".");
        }
        if (shown < n) {
            b.append(" And ").append(n - shown).append(" more; run routecert check on the manifest to see them all.");
        }
        return b.toString();
    }

    private boolean hasHint() {
        return hint != null && !hint.isBlank();
    }

    private static String stripPeriod(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
