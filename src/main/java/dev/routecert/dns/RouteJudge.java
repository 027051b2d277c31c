package dev.routecert.dns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.RouteRef;
import dev.routecert.certificates.WriteGuard;
import dev.routecert.policy.Check;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Violation;
import dev.routecert.routes.RouteKind;
import dev.routecert.tenancy.HostOwnership;
import java.util.List;

/**
 * What the leader may do with a stored route's DNSEndpoint, by the rules admission applies before it
 * writes one: in scope and not opted out, allowed by the policy, and every name it would publish free
 * of another namespace's claim (a record is a claim, as a certificate is).
 */
@FunctionalInterface
public interface RouteJudge {

    Judgement judge(RouteKind kind, JsonNode route, Deadline deadline);

    /** What the judge made of a route; {@code why} is empty for {@link Outcome#WRITE}. */
    record Judgement(Outcome outcome, String why) {
        static final Judgement WRITE = new Judgement(Outcome.WRITE, "");
    }

    enum Outcome {
        /** Its DNSEndpoint is planned, created and kept in step. */
        WRITE,
        /**
         * routecert would deny it as it is stored, for a reason that keeps no tenant from another: no
         * DNSEndpoint is created for it, one routecert made is kept in step, and the route gets a Warning.
         */
        REFUSE,
        /**
         * It publishes a name its namespace may not: another namespace holds it, or a tenant-isolation
         * check denies it. routecert's DNSEndpoint for it is deleted (a record is a claim).
         */
        WITHDRAW,
        /**
         * Not routecert's to act on (out of scope, opted out): nothing is written, and routecert's
         * DNSEndpoint stays as long as the route still serves every name it publishes.
         */
        LEAVE,
        /**
         * In a namespace routecert leaves alone, being deleted, or not to be judged now (the host claims
         * cannot be read): nothing is written.
         */
        HANDS_OFF
    }

    /**
     * The judge of a running webhook: {@code policy} as the reconciler reads it, host claims read
     * (never created: claiming a stored route's names is the claim reconciler's), and the guard's
     * excluded namespaces.
     */
    static RouteJudge of(RoutePolicy policy, HostOwnership ownership, WriteGuard guard) {
        return (kind, route, deadline) -> {
            JsonNode meta = route.path("metadata");
            String namespace = meta.path("namespace").asText("");
            if (meta.hasNonNull("deletionTimestamp")) {
                return new Judgement(Outcome.HANDS_OFF, "it is being deleted");
            }
            if (guard.isExcluded(namespace)) {
                return new Judgement(Outcome.HANDS_OFF, "namespace " + namespace + " is excluded");
            }
            ScopedVerdict judged = policy.judge(PolicyRequest.create(route, namespace));
            if (judged.outOfScope()) {
                return new Judgement(Outcome.LEAVE, judged.why());
            }
            // an opted-out route's verdict holds the isolation checks' findings, which no opt-out skips
            List<Violation> isolation = judged.verdict().violations().stream()
                    .filter(v -> v.check().isolation())
                    .toList();
            if (!isolation.isEmpty()) {
                return new Judgement(Outcome.WITHDRAW, Violation.summary(isolation));
            }
            RouteRef ref = new RouteRef(
                    kind.group(), kind.kind(), namespace, meta.path("name").asText(""));
            HostOwnership.Outcome claims = ownership.review(kind, route, ref, HostOwnership.Mode.READ_ONLY, deadline);
            if (claims.conflicts().stream().anyMatch(v -> v.check() == Check.HOST_CLAIM_WRITE)) {
                // the claims could not be read: judged again on the next pass, nothing touched meanwhile
                return new Judgement(Outcome.HANDS_OFF, Violation.summary(claims.conflicts()));
            }
            if (!claims.allowed()) {
                return new Judgement(Outcome.WITHDRAW, Violation.summary(claims.conflicts()));
            }
            if (judged.skipped()) {
                return new Judgement(Outcome.LEAVE, judged.why());
            }
            if (!judged.verdict().allowed()) {
                return new Judgement(Outcome.REFUSE, judged.verdict().summary());
            }
            return Judgement.WRITE;
        };
    }
}
