package dev.routecert.policy;

import java.util.Objects;

/**
 * One reason to reject an object: the field that is wrong, what is wrong with it, and a one-line fix.
 *
 * @param field   path of the offending field, e.g. {@code spec.routes[1].match} or
 *                {@code metadata.annotations[cert-manager.io/duration]}
 * @param message what is wrong, written for the person reading {@code kubectl apply} output
 * @param hint    one line that says how to fix it
 * @param offset  0-based character offset inside a rule string, or null when not about a rule
 * @param reason  a Kubernetes {@code field.ErrorType}-like code, one of the constants below
 */
public record Violation(String field, String message, String hint, Integer offset, String reason) {

    public static final String INVALID = "FieldValueInvalid";
    public static final String REQUIRED = "FieldValueRequired";
    public static final String DUPLICATE = "FieldValueDuplicate";
    public static final String FORBIDDEN = "FieldValueForbidden";
    public static final String NOT_SUPPORTED = "FieldValueNotSupported";
    public static final String TOO_LONG = "FieldValueTooLong";

    public Violation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(reason, "reason");
    }

    public static Violation invalid(String field, String message, String hint) {
        return new Violation(field, message, hint, null, INVALID);
    }

    public static Violation required(String field, String message, String hint) {
        return new Violation(field, message, hint, null, REQUIRED);
    }

    public static Violation duplicate(String field, String message, String hint) {
        return new Violation(field, message, hint, null, DUPLICATE);
    }

    public static Violation forbidden(String field, String message, String hint) {
        return new Violation(field, message, hint, null, FORBIDDEN);
    }

    public static Violation notSupported(String field, String message, String hint) {
        return new Violation(field, message, hint, null, NOT_SUPPORTED);
    }

    public static Violation tooLong(String field, String message, String hint) {
        return new Violation(field, message, hint, null, TOO_LONG);
    }

    /** The same violation pointing at a character inside a rule. */
    public Violation atOffset(int ruleOffset) {
        return new Violation(field, message, hint, ruleOffset, reason);
    }

    /** {@code field: message (hint)}, the form printed by the CLI and used in summaries. */
    public String describe() {
        StringBuilder b = new StringBuilder(field).append(": ").append(message);
        if (hint != null && !hint.isBlank()) {
            b.append(" (").append(hint).append(')');
        }
        return b.toString();
    }
}
