package dev.routecert.webhook;

import dev.routecert.admission.AdmissionDecision;
import dev.routecert.policy.Violation;
import java.util.ArrayList;
import java.util.List;

/** Turns rejections into the answer the API server shows: one summary message and a cause per violation. */
final class Denials {

    private Denials() {}

    static AdmissionDecision denied(List<Violation> violations, List<String> warnings) {
        return AdmissionDecision.denied(Violation.summary(violations), causes(violations), warnings);
    }

    /** The first {@link Violation#MAX_IN_SUMMARY} violations, each cut to size, then one cause for the rest. */
    static List<AdmissionDecision.Cause> causes(List<Violation> violations) {
        int kept = Math.min(violations.size(), Violation.MAX_IN_SUMMARY);
        List<AdmissionDecision.Cause> causes = new ArrayList<>(kept + 1);
        for (Violation v : violations.subList(0, kept)) {
            Violation b = v.bounded();
            causes.add(new AdmissionDecision.Cause(b.field(), b.causeMessage(), b.reason()));
        }
        if (kept < violations.size()) {
            causes.add(new AdmissionDecision.Cause("", Violation.more(violations.size() - kept), Violation.TOO_MANY));
        }
        return causes;
    }
}
