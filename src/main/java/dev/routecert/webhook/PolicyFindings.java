package dev.routecert.webhook;

import dev.routecert.admission.AdmissionRequest;
import dev.routecert.log.Log;
import dev.routecert.policy.Action;
import dev.routecert.policy.Violation;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/**
 * Records what the checks found in the reviews {@code /mutate} answers: the counter
 * {@code routecert_policy_findings_total{check,namespace,action}} for every finding that denied,
 * warned or was audited, and a log line for each audited one (audit admits silently, so the log and
 * the metric are where a platform team sees it; the reconciler adds an Event on the stored object).
 * Dry runs are not counted: nothing was stored.
 */
public final class PolicyFindings {

    /** Records nothing: for tests and tools that answer reviews without metrics. */
    public static final PolicyFindings NONE = new PolicyFindings();

    private static final Log log = Log.of(PolicyFindings.class);

    private final Counter findings;

    private PolicyFindings() {
        this.findings = null;
    }

    public PolicyFindings(PrometheusRegistry registry) {
        this.findings = Counter.builder()
                .name("routecert_policy_findings_total")
                .help("Findings of routecert's checks in admitted or denied reviews of /mutate, by check,"
                        + " namespace and the action the namespace's enforcement gave them")
                .labelNames("check", "namespace", "action")
                .register(registry);
    }

    /** Counts one review's findings by action, and logs the audited ones. */
    public void record(
            AdmissionRequest request, List<Violation> denied, List<Violation> warned, List<Violation> audited) {
        if (request.dryRun()) {
            return;
        }
        count(request, denied, Action.DENY);
        count(request, warned, Action.WARN);
        count(request, audited, Action.AUDIT);
        for (Violation v : audited) {
            log.info(
                    "audit uid={} object={} {} check={} field={}: {}",
                    request.uid(),
                    request.gvk(),
                    request.objectRef(),
                    v.check().id(),
                    v.field(),
                    v.message());
        }
    }

    private void count(AdmissionRequest request, List<Violation> violations, Action action) {
        if (findings == null) {
            return;
        }
        for (Violation v : violations) {
            findings.labelValues(v.check().id(), request.namespace(), action.word())
                    .inc();
        }
    }
}
