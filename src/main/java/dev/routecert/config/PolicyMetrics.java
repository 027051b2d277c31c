package dev.routecert.config;

import dev.routecert.policy.settings.PolicySnapshot;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/** The policy file's metrics: loads, refusals, and which content is in force. */
public final class PolicyMetrics implements PolicyFileSource.Events {

    private final Counter reloads;
    private final Counter failures;
    private final Info info;

    public PolicyMetrics(PrometheusRegistry registry) {
        reloads = Counter.builder()
                .name("routecert_policy_reloads_total")
                .help("Policy files read and put in force, the first one included.")
                .register(registry);
        failures = Counter.builder()
                .name("routecert_policy_reload_failures_total")
                .help(
                        "Policy file contents refused (missing, not YAML, invalid); the last good policy stayed in force.")
                .register(registry);
        info = Info.builder()
                .name("routecert_policy")
                .help("The policy file in force, by the SHA-256 of its bytes; replicas that differ stand out.")
                .labelNames("sha256")
                .register(registry);
    }

    @Override
    public void reloaded(PolicySnapshot snapshot) {
        reloads.inc();
        info.setLabelValues(snapshot.sha256()); // replaces the previous content's
    }

    @Override
    public void failed(List<String> problems) {
        failures.inc();
    }
}
