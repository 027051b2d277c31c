package dev.routecert.webhook;

import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.RouteRef;
import dev.routecert.log.Log;
import dev.routecert.policy.Check;
import dev.routecert.policy.NamespaceRules;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.Violation;
import dev.routecert.routes.RouteKind;
import dev.routecert.tenancy.HostOwnership;
import dev.routecert.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts the route policy behind the admission seam. {@code /mutate} answers with the policy's patch
 * and warnings; {@code /validate} re-judges the final object after every mutating webhook ran and
 * only denies, so kubectl does not print each warning twice.
 */
public final class RouteAdmission implements AdmissionPolicy {

    private static final Log log = Log.of(RouteAdmission.class);

    /**
     * Which endpoint this instance serves. MUTATE_WITHOUT_CLUSTER is /mutate when routecert has no
     * cluster connection: the same answer plus a warning for each Certificate that was not created.
     */
    public enum Mode {
        MUTATE,
        VALIDATE,
        MUTATE_WITHOUT_CLUSTER
    }

    /** Certificates not created for want of a cluster that a warning names one by one. */
    static final int MAX_NAMED_UNCREATED = 3;

    private final RoutePolicy policy;
    private final Mode mode;
    private final PolicyFindings findings;
    private final NamespaceRules.Source rules;
    private final HostOwnership ownership;
    private final Clock clock;
    private final Duration readTimeout;

    /** Each namespace's modes and opt-out come from the policy's own {@link RoutePolicy#rules()}. */
    public RouteAdmission(RoutePolicy policy, Mode mode) {
        this(policy, mode, PolicyFindings.NONE, policy.rules(), null, Clock.system(), Duration.ZERO);
    }

    private RouteAdmission(
            RoutePolicy policy,
            Mode mode,
            PolicyFindings findings,
            NamespaceRules.Source rules,
            HostOwnership ownership,
            Clock clock,
            Duration readTimeout) {
        this.policy = policy;
        this.mode = mode;
        this.findings = findings;
        this.rules = rules;
        this.ownership = ownership;
        this.clock = clock;
        this.readTimeout = readTimeout;
    }

    /** This admission recording what /mutate finds; /validate judges the same object again and records nothing. */
    public RouteAdmission withFindings(PolicyFindings findings) {
        return new RouteAdmission(policy, mode, findings, rules, ownership, clock, readTimeout);
    }

    /** This admission with each namespace's modes and opt-out (the policy file) from {@code rules}, resolved once per review. */
    public RouteAdmission withRules(NamespaceRules.Source rules) {
        return new RouteAdmission(policy, mode, findings, rules, ownership, clock, readTimeout);
    }

    /**
     * This admission with host ownership ({@code /validate}): the final object is checked against the
     * claims, read only, with a read from the API server within {@code readTimeout} for a name the
     * cache does not show as this namespace's.
     */
    public RouteAdmission withOwnership(HostOwnership ownership, Clock clock, Duration readTimeout) {
        return new RouteAdmission(policy, mode, findings, rules, ownership, clock, readTimeout);
    }

    @Override
    public AdmissionDecision review(AdmissionRequest request) {
        ScopedVerdict judged = judge(policy, request, rules);
        if (judged.outOfScope()) {
            return skipped(request, judged);
        }
        Verdict verdict = judged.verdict();
        if (mode != Mode.VALIDATE) {
            findings.record(request, verdict.violations(), verdict.warned(), verdict.audit());
        }
        if (!verdict.allowed()) {
            return denial(verdict, mode);
        }
        if (mode == Mode.VALIDATE || judged.skipped()) {
            // an opted-out object is still held to host ownership, and otherwise left untouched
            HostOwnership.Outcome claims = claims(
                    ownership,
                    request,
                    CertificateAdmission.route(request),
                    HostOwnership.Mode.READ_ONLY,
                    Deadline.in(readTimeout, clock));
            if (!claims.allowed()) {
                return Denials.denied(claims.conflicts(), List.of());
            }
            return judged.skipped() ? skipped(request, judged) : AdmissionDecision.allow();
        }
        List<String> warnings = new ArrayList<>(verdict.warnings());
        if (mode == Mode.MUTATE_WITHOUT_CLUSTER && !request.dryRun()) {
            List<PlannedCertificate> plans = verdict.certificates();
            // one line per Certificate would make the answer grow with the object: a few, then a count
            int named = Math.min(plans.size(), MAX_NAMED_UNCREATED);
            for (PlannedCertificate plan : plans.subList(0, named)) {
                warnings.add(Check.NO_CLUSTER.tag() + " routecert did not create Certificate " + plan.namespace() + "/"
                        + plan.name() + " because it has no cluster connection");
            }
            if (named < plans.size()) {
                warnings.add(Check.NO_CLUSTER.tag() + " routecert did not create " + (plans.size() - named)
                        + " more Certificates because it has no cluster connection");
            }
        }
        return AdmissionDecision.patched(verdict.patch(), warnings);
    }

    /**
     * Host ownership for a route request, judged on the object as received: not on the policy's
     * verdict, so that no opt-out of the checks skips it. A check that fails denies, as the policy's do.
     */
    public static HostOwnership.Outcome claims(
            HostOwnership ownership,
            AdmissionRequest request,
            RouteRef route,
            HostOwnership.Mode mode,
            Deadline deadline) {
        Optional<RouteKind> kind = RouteKind.of(request.group(), request.version(), request.kind());
        if (ownership == null || kind.isEmpty() || request.object() == null) {
            return new HostOwnership.Outcome(List.of(), List.of(), List.of());
        }
        try {
            return ownership.review(kind.get(), request.object(), route, mode, deadline);
        } catch (RuntimeException | StackOverflowError e) {
            log.error(
                    "host ownership failed on uid={} kind={} object={}, denied",
                    request.uid(),
                    request.gvk(),
                    request.objectRef(),
                    e);
            return new HostOwnership.Outcome(List.of(checkFailed("spec", e)), List.of(), List.of());
        }
    }

    /** The policy's verdict for a request; kinds and operations it does not handle are allowed untouched. */
    public static Verdict evaluate(RoutePolicy policy, AdmissionRequest request) {
        return judge(policy, request, policy.rules()).verdict();
    }

    /**
     * The answer for an object that scope or the opt-out skipped: allowed untouched, no warning, logged
     * at debug only. An opted-out object gets it only once the isolation checks and host ownership,
     * which no opt-out skips, have passed.
     */
    static AdmissionDecision skipped(AdmissionRequest request, ScopedVerdict judged) {
        log.debug(
                "skipped uid={} kind={} object={}: {} ({})",
                request.uid(),
                request.gvk(),
                request.objectRef(),
                judged.status(),
                judged.why());
        return AdmissionDecision.allow();
    }

    /**
     * The policy's verdict and what scope and the opt-out made of the object, under the rules of the
     * request's namespace, resolved once here.
     */
    public static ScopedVerdict judge(RoutePolicy policy, AdmissionRequest request, NamespaceRules.Source rules) {
        if (RouteKind.of(request.group(), request.version(), request.kind()).isEmpty() || request.object() == null) {
            return new ScopedVerdict(
                    ScopedVerdict.Status.CHECKED,
                    "",
                    Verdict.allow("routecert does not handle " + request.gvk() + " " + request.operation()));
        }
        try {
            PolicyRequest policyRequest = new PolicyRequest(
                    request.group(),
                    request.version(),
                    request.kind(),
                    request.operation(),
                    request.namespace(),
                    request.object(),
                    request.oldObject());
            return policy.judge(policyRequest, rules.rules(RoutePolicy.namespaceOf(policyRequest)));
        } catch (RuntimeException | StackOverflowError e) {
            log.error(
                    "policy failed on uid={} kind={} object={}, denied",
                    request.uid(),
                    request.gvk(),
                    request.objectRef(),
                    e);
            return new ScopedVerdict(
                    ScopedVerdict.Status.CHECKED,
                    "",
                    new Verdict(List.of(checkFailed("spec", e)), List.of(), null, List.of(), List.of()));
        }
    }

    /**
     * The denial for a check that failed instead of answering. It denies rather than allows: a value
     * crafted to break a check must not get past the checks.
     */
    static Violation checkFailed(String field, Throwable e) {
        return Violation.internal(
                Check.CHECK_FAILED,
                field,
                "routecert could not check this object: a check failed with "
                        + e.getClass().getSimpleName() + ", and what routecert cannot check it does not admit",
                "this is a routecert bug; report it with routecert's log line for this request, and meanwhile"
                        + " change the value that the check fails on");
    }

    /** The answer to a denied verdict; only /mutate repeats the warnings. */
    static AdmissionDecision denial(Verdict verdict, Mode mode) {
        return Denials.denied(verdict.violations(), mode == Mode.VALIDATE ? List.of() : verdict.warnings());
    }
}
