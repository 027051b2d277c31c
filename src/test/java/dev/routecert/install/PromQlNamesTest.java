package dev.routecert.install;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlNamesTest {

    @Test
    void namesAreWhatRemainsOnceStringsMatchersRangesLabelListsAndCallsAreRemoved() {
        assertEquals(
                Set.of("controller_runtime_webhook_latency_seconds_bucket"),
                PromQlNames.of(
                        "histogram_quantile(0.99, sum by (webhook, le) "
                                + "(rate(controller_runtime_webhook_latency_seconds_bucket{job=\"routecert\",code=~\"5..\"}[5m]))) > 2.5"));
        assertEquals(
                Set.of("a_total", "b"),
                PromQlNames.of(
                        "sum without (pod) (increase(a_total[15m] offset 1h)) / on (namespace) group_left (x) b > 1e3"));
        assertEquals(
                Set.of("routecert_serving_certificate_expiry_timestamp_seconds"),
                PromQlNames.of(
                        "routecert_serving_certificate_expiry_timestamp_seconds{job=\"routecert\"} - time() < 7 * 24 * 3600"));
    }
}
