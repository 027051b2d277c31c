package dev.routecert.webhook;

import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.Violation;
import java.util.List;

/**
 * Puts the route policy behind the admission seam. {@code /mutate} answers with the policy's patch
 * and warnings; {@code /validate} re-judges the final object after every mutating webhook ran and
 * only denies, so kubectl does not print each warning twice.
 */
public final class RouteAdmission implements AdmissionPolicy {

    /** Which endpoint this instance serves. */
    public enum Mode { MUTATE, VALIDATE }

    private final RoutePolicy policy;
    private final Mode mode;

    public RouteAdmission(RoutePolicy policy, Mode mode) {
        this.policy = policy;
        this.mode = mode;
    }

    @Override
    public AdmissionDecision review(AdmissionRequest request) {
        Verdict verdict = evaluate(policy, request);
        if (!verdict.allowed()) {
            return denial(verdict, mode);
        }
        return mode == Mode.MUTATE ? AdmissionDecision.patched(verdict.patch(), verdict.warnings()) : AdmissionDecision.allow();
    }

    /** The policy's verdict for a request; kinds and operations it does not handle are allowed untouched. */
    public static Verdict evaluate(RoutePolicy policy, AdmissionRequest request) {
        if (!RoutePolicy.handles(request.group(), request.version(), request.kind()) || request.object() == null) {
            return Verdict.allow("routecert does not handle " + request.gvk() + " " + request.operation());
        }
        return policy.evaluate(new PolicyRequest(request.group(), request.version(), request.kind(), request.operation(),
                request.namespace(), request.object(), request.oldObject()));
    }

    /** The answer to a denied verdict; only /mutate repeats the warnings. */
    static AdmissionDecision denial(Verdict verdict, Mode mode) {
        return AdmissionDecision.denied(verdict.summary(), causes(verdict.violations()),
                mode == Mode.MUTATE ? verdict.warnings() : List.of());
    }

    static List<AdmissionDecision.Cause> causes(List<Violation> violations) {
        return violations.stream().map(v -> new AdmissionDecision.Cause(v.field(),
                v.hint() == null || v.hint().isBlank() ? v.message() : v.message() + " (fix: " + v.hint() + ")",
                v.reason())).toList();
    }
}
