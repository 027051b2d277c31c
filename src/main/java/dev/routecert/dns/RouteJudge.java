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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

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
         * routecert would deny it as it is stored (another namespace holds one of its names, or any
         * other check): no DNSEndpoint is created or taken over for it, one routecert made is kept in
         * step, and the route gets a Warning.
         */
        REFUSE,
        /**
         * The policy does not let its namespace use a domain it serves ({@code tenancy.domains}):
         * routecert's DNSEndpoint for it is deleted (a record is a claim).
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
     * (never created: claiming a stored route's names is the claim reconciler's), the guard's excluded
     * namespaces, and whether a namespace's labels are known yet ({@code labelsKnown}: a namespace not
     * cached yet counts as unlabelled to the policy, which must not delete a record).
     */
    static RouteJudge of(RoutePolicy policy, HostOwnership ownership, WriteGuard guard, Predicate<String> labelsKnown) {
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
            List<Violation> domains = judged.verdict().violations().stream()
                    .filter(v -> v.check() == Check.DOMAIN_NOT_ALLOWED)
                    .toList();
            if (!domains.isEmpty()) {
                return labelsKnown.test(namespace)
                        ? new Judgement(Outcome.WITHDRAW, Violation.summary(domains))
                        : new Judgement(
                                Outcome.HANDS_OFF, "the labels of namespace " + namespace + " are not known yet");
            }
            if (judged.skipped()) {
                return new Judgement(Outcome.LEAVE, judged.why());
            }
            RouteRef ref = new RouteRef(
                    kind.group(), kind.kind(), namespace, meta.path("name").asText(""));
            HostOwnership.Outcome claims = ownership.review(kind, route, ref, HostOwnership.Mode.READ_ONLY, deadline);
            if (claims.conflicts().stream().anyMatch(v -> v.check() == Check.HOST_CLAIM_WRITE)) {
                // the claims could not be read: judged again on the next pass, nothing touched meanwhile
                return new Judgement(Outcome.HANDS_OFF, Violation.summary(claims.conflicts()));
            }
            List<Violation> refused = new ArrayList<>(claims.conflicts());
            refused.addAll(judged.verdict().violations());
            // another namespace's claim, read from caches that may lag, denies creating a record and never
            // deletes one: a wrong deletion is a DNS outage
            return refused.isEmpty() ? Judgement.WRITE : new Judgement(Outcome.REFUSE, Violation.summary(refused));
        };
    }
}
