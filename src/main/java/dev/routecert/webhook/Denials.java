package dev.routecert.webhook;

import dev.routecert.admission.AdmissionDecision;
import dev.routecert.policy.Violation;
import java.util.List;

/** Turns rejections into the answer the API server shows: one summary message and a cause per violation. */
final class Denials {

    private Denials() {}

    static AdmissionDecision denied(List<Violation> violations, List<String> warnings) {
        return AdmissionDecision.denied(Violation.summary(violations), causes(violations), warnings);
    }

    static List<AdmissionDecision.Cause> causes(List<Violation> violations) {
        return violations.stream()
                .map(v -> new AdmissionDecision.Cause(v.field(), v.causeMessage(), v.reason()))
                .toList();
    }
}
