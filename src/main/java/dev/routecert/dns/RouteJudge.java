package dev.routecert.dns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.RouteRef;
import dev.routecert.certificates.WriteGuard;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Violation;
import dev.routecert.routes.RouteKind;
import dev.routecert.tenancy.HostOwnership;

/**
 * Whether the leader may write a stored route's DNSEndpoint, by the rules admission applies before it
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
        /** Not routecert's to act on (out of scope, opted out, a namespace routecert leaves alone): left as it is. */
        LEAVE,
        /** routecert acts on it but would deny it as it is: nothing is written, the route gets a Warning Event. */
        REFUSE
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
                return new Judgement(Outcome.LEAVE, "it is being deleted");
            }
            if (guard.isExcluded(namespace)) {
                return new Judgement(Outcome.LEAVE, "namespace " + namespace + " is excluded");
            }
            ScopedVerdict judged = policy.judge(PolicyRequest.create(route, namespace));
            if (judged.skipped()) {
                return new Judgement(Outcome.LEAVE, judged.why());
            }
            if (!judged.verdict().allowed()) {
                return new Judgement(Outcome.REFUSE, judged.verdict().summary());
            }
            RouteRef ref = new RouteRef(
                    kind.group(), kind.kind(), namespace, meta.path("name").asText(""));
            HostOwnership.Outcome claims = ownership.review(kind, route, ref, HostOwnership.Mode.READ_ONLY, deadline);
            if (!claims.allowed()) {
                return new Judgement(Outcome.REFUSE, Violation.summary(claims.conflicts()));
            }
            return Judgement.WRITE;
        };
    }
}
