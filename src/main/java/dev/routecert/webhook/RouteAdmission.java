package dev.routecert.webhook;

import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.Verdict;
import dev.routecert.routes.RouteKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts the route policy behind the admission seam. {@code /mutate} answers with the policy's patch
 * and warnings; {@code /validate} re-judges the final object after every mutating webhook ran and
 * only denies, so kubectl does not print each warning twice.
 */
public final class RouteAdmission implements AdmissionPolicy {

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
        if (mode == Mode.VALIDATE) {
            return AdmissionDecision.allow();
        }
        List<String> warnings = new ArrayList<>(verdict.warnings());
        if (mode == Mode.MUTATE_WITHOUT_CLUSTER && !request.dryRun()) {
            List<PlannedCertificate> plans = verdict.certificates();
            // one line per Certificate would make the answer grow with the object: a few, then a count
            int named = Math.min(plans.size(), MAX_NAMED_UNCREATED);
            for (PlannedCertificate plan : plans.subList(0, named)) {
                warnings.add("routecert did not create Certificate " + plan.namespace() + "/" + plan.name()
                        + " because it has no cluster connection");
            }
            if (named < plans.size()) {
                warnings.add("routecert did not create " + (plans.size() - named)
                        + " more Certificates because it has no cluster connection");
            }
        }
        return AdmissionDecision.patched(verdict.patch(), warnings);
    }

    /** The policy's verdict for a request; kinds and operations it does not handle are allowed untouched. */
    public static Verdict evaluate(RoutePolicy policy, AdmissionRequest request) {
        if (RouteKind.of(request.group(), request.version(), request.kind()).isEmpty() || request.object() == null) {
            return Verdict.allow("routecert does not handle " + request.gvk() + " " + request.operation());
        }
        return policy.evaluate(new PolicyRequest(
                request.group(),
                request.version(),
                request.kind(),
                request.operation(),
                request.namespace(),
                request.object()));
    }

    /** The answer to a denied verdict; only /mutate repeats the warnings. */
    static AdmissionDecision denial(Verdict verdict, Mode mode) {
        return Denials.denied(verdict.violations(), mode == Mode.VALIDATE ? List.of() : verdict.warnings());
    }
}
