package dev.routecert.policy;

/**
 * A verdict with what scope and the opt-out made of the object. An object out of scope is allowed
 * untouched. An opted-out object's verdict holds only the tenant-isolation checks' findings, which no
 * opt-out skips, and never a patch or a Certificate; a caller with isolation checks of its own (host
 * ownership) runs them for {@link Status#OPTED_OUT} objects too.
 *
 * @param why for a skipped object, the reason (for {@code routecert check} and debug logs); else empty
 */
public record ScopedVerdict(Status status, String why, Verdict verdict) {

    public enum Status {
        /** Judged by the policy (also kinds and operations routecert does not handle, allowed as before). */
        CHECKED,
        /** Not served by a controller of {@code --ingress-classes}: allowed untouched. */
        OUT_OF_SCOPE,
        /**
         * {@code routecert.dev/ignore: "true"} where opting out is allowed: judged by the isolation
         * checks alone, and untouched when they pass.
         */
        OPTED_OUT
    }

    public boolean skipped() {
        return status != Status.CHECKED;
    }

    public boolean outOfScope() {
        return status == Status.OUT_OF_SCOPE;
    }
}
