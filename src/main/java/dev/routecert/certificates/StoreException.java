package dev.routecert.certificates;

/**
 * An API call that failed, with a message a person reading {@code kubectl} output can act on.
 * {@link Kind#CONFLICT} and {@link Kind#ALREADY_EXISTS} mean the cache was behind, and a fresh read
 * decides again. {@link Kind#FORBIDDEN} is routecert's own refusal ({@link WriteGuard}): nothing was sent.
 */
public final class StoreException extends Exception {

    public enum Kind {
        ALREADY_EXISTS,
        CONFLICT,
        NOT_FOUND,
        REJECTED,
        TIMEOUT,
        UNAVAILABLE,
        FORBIDDEN
    }

    private final Kind kind;

    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
