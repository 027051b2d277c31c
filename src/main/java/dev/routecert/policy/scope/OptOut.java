package dev.routecert.policy.scope;

import dev.routecert.routes.ObjectMetaView;
import java.util.Optional;

/**
 * The per-object opt-out: {@value #ANNOTATION}: "true" makes routecert skip the object like one out
 * of scope, unless the namespace's policy forbids opting out. Only the exact value {@code "true"}
 * opts out, as Kubernetes reads boolean annotations such as {@code is-default-class}; another value is
 * a mistake that is warned about, and the object is checked.
 */
public final class OptOut {

    public static final String ANNOTATION = "routecert.dev/ignore";
    static final String FIELD = "metadata.annotations[" + ANNOTATION + "]";

    /** What the annotation does to one object. */
    public enum Decision {
        /** No annotation: checked. */
        NONE,
        /** Opted out: skipped. */
        SKIPPED,
        /** Opted out where the policy forbids it: checked, with a warning. */
        FORBIDDEN,
        /** A value other than "true": checked, with a warning. */
        NOT_TRUE
    }

    private OptOut() {}

    public static Decision decide(ObjectMetaView meta, String namespace, OptOutPolicy policy) {
        String value = meta.annotations().get(ANNOTATION);
        if (value == null) {
            return Decision.NONE;
        }
        if (!value.equals("true")) {
            return Decision.NOT_TRUE;
        }
        return policy.allowed(namespace) ? Decision.SKIPPED : Decision.FORBIDDEN;
    }

    /** The warning a decision adds to the answer, if any. */
    public static Optional<String> warning(Decision decision, ObjectMetaView meta, String namespace) {
        return switch (decision) {
            case NONE, SKIPPED -> Optional.empty();
            case FORBIDDEN ->
                Optional.of(FIELD + ": " + ANNOTATION + " is not allowed in namespace " + namespace
                        + "; routecert checks this object");
            case NOT_TRUE ->
                Optional.of(FIELD + ": only \"true\" opts out, so routecert checks this object (the value is \""
                        + shorten(meta.annotations().get(ANNOTATION)) + "\")");
        };
    }

    /** At most 40 characters, control characters replaced: the value comes from the request. */
    private static String shorten(String value) {
        String cut = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
