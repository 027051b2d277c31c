package dev.routecert.admission;

/**
 * A request the boundary refuses before any policy sees it. Carries the HTTP status and, when the
 * body got far enough to show them, the review's uid and apiVersion to echo.
 */
public final class ReviewRejection extends Exception {

    private final int httpStatus;
    private final String reason;
    private final String uid;
    private final String apiVersion;

    public ReviewRejection(int httpStatus, String reason, String message, String uid, String apiVersion) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.reason = reason;
        this.uid = uid;
        this.apiVersion = apiVersion;
    }

    public static ReviewRejection badRequest(String message) {
        return new ReviewRejection(400, "BadRequest", message, null, null);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String reason() {
        return reason;
    }

    /** The request's uid, or null when it was not known. */
    public String uid() {
        return uid;
    }

    public String apiVersion() {
        return apiVersion;
    }
}
