package dev.routecert.dns;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * {@code routecert_admission_dnsendpoint_writes_total{operation,result}}, the DNSEndpoint writes of
 * admission, and {@code routecert_dnsendpoint_follows_total{result}}, what the leader's follower did.
 */
public final class DnsMetrics {

    private final Counter writes;
    private final Counter follows;

    public DnsMetrics(PrometheusRegistry registry) {
        writes = Counter.builder()
                .name("routecert_admission_dnsendpoint_writes_total")
                .help("DNSEndpoint writes made during admission, by operation (create, update, adopt: taken over"
                        + " from a predecessor of --adopt-from) and result (success, or the failure: already_exists,"
                        + " conflict, not_found, rejected, timeout, unavailable, forbidden)")
                .labelNames("operation", "result")
                .register(registry);
        for (String operation : new String[] {"create", "update", "adopt"}) {
            writes.labelValues(operation, "success");
        }
        follows = Counter.builder()
                .name("routecert_dnsendpoint_follows_total")
                .help(
                        "What the leader did to DNSEndpoints after a change of the targets, a route or the policy, or in a resync, by"
                                + " result (created, updated, adopted, deleted, failed)")
                .labelNames("result")
                .register(registry);
        for (String result : new String[] {"created", "updated", "adopted", "deleted", "failed"}) {
            follows.labelValues(result);
        }
    }

    public void followed(String result) {
        follows.labelValues(result).inc();
    }

    public double follows(String result) {
        return follows.labelValues(result).get();
    }

    public void write(String operation, String result) {
        writes.labelValues(operation, result).inc();
    }

    public double count(String operation, String result) {
        return writes.labelValues(operation, result).get();
    }
}
