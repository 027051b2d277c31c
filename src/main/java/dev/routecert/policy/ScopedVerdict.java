package dev.routecert.policy;

/**
 * A verdict with what scope and the opt-out made of the object. A skipped object's verdict allows it
 * untouched; a caller with checks that must not be skipped (tenant isolation) runs them for
 * {@link Status#OPTED_OUT} objects too.
 *
 * @param why for a skipped object, the reason (for {@code routecert check} and debug logs); else empty
 */
public record ScopedVerdict(Status status, String why, Verdict verdict) {

    public enum Status {
        /** Judged by the policy (also kinds and operations routecert does not handle, allowed as before). */
        CHECKED,
        /** Not served by a controller of {@code --ingress-classes}: allowed untouched. */
        OUT_OF_SCOPE,
        /** {@code routecert.dev/ignore: "true"} where opting out is allowed: allowed untouched. */
        OPTED_OUT
    }

    public boolean skipped() {
        return status != Status.CHECKED;
    }
}
