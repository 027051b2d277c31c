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
    private final int status;

    public StoreException(Kind kind, String message, Throwable cause) {
        this(kind, message, cause, 0);
    }

    /** @param status the API server's HTTP status code; 0 when it gave none */
    public StoreException(Kind kind, String message, Throwable cause, int status) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
    }

    public Kind kind() {
        return kind;
    }

    /** The API server's HTTP status code (403: the user may not), or 0 when it did not answer. */
    public int status() {
        return status;
    }
}
