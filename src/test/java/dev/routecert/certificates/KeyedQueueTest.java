package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.time.Await;
import dev.routecert.time.TestClock;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reconciler's queue on a test clock: de-duplication, delays, and backoff per key. */
class KeyedQueueTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<String> handled = Collections.synchronizedList(new ArrayList<>());
    private KeyedQueue<String> queue;

    private KeyedQueue<String> queue(Consumer<String> handler) {
        queue = new KeyedQueue<>(
                "test",
                clock,
                new KeyedQueue.Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10)),
                new QueueMetrics("test", new PrometheusRegistry()),
                handler);
        return queue;
    }

    @AfterEach
    void tearDown() {
        if (queue != null) {
            queue.close();
        }
    }

    private void awaitProcessed(long count) {
        Await.until(
                count + " keys processed",
                Duration.ofSeconds(5),
                () -> queue.processed() >= count && queue.idle(),
                () -> "handled " + handled);
    }

    @Test
    void aKeyAddedAgainWhileItWaitsRunsOnceAtTheEarlierTime() {
        queue(handled::add);
        queue.add("a", Duration.ofSeconds(10));
        queue.add("a", Duration.ofSeconds(30)); // later: changes nothing
        queue.add("a", Duration.ofSeconds(5)); // earlier: replaces
        assertEquals(List.of(Duration.ofSeconds(5)), clock.pendingTimers());
        clock.advance(Duration.ofSeconds(5));
        awaitProcessed(1);
        clock.advance(Duration.ofSeconds(30)); // past every time it was asked for
        queue.add("marker");
        awaitProcessed(2);
        assertEquals(List.of("a", "marker"), handled);
    }

    @Test
    void aKeyAddedWhileItRunsRunsAgainAfterwards() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        queue(key -> {
            handled.add(key);
            if (handled.size() == 1) {
                running.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        queue.add("a");
        running.await(5, TimeUnit.SECONDS);
        queue.add("a");
        queue.add("a"); // still one more pass, not two
        release.countDown();
        awaitProcessed(2);
        assertEquals(List.of("a", "a"), handled);
    }

    @Test
    void retriesDoubleUpToTheCapAndStartOverAfterForget() {
        queue(handled::add);
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            delays.add(queue.retry("a"));
        }
        assertEquals(
                List.of(1L, 2L, 4L, 8L, 10L, 10L),
                delays.stream().map(Duration::toSeconds).toList());
        queue.forget("a");
        assertEquals(Duration.ofSeconds(1), queue.retry("b"));
        assertEquals(Duration.ofSeconds(1), queue.retry("a"));
    }

    @Test
    void backoffDoesNotOverflowAfterManyFailures() {
        KeyedQueue.Backoff backoff = new KeyedQueue.Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
        assertEquals(Duration.ofSeconds(1), backoff.delay(1));
        assertEquals(Duration.ofSeconds(256), backoff.delay(9));
        assertEquals(Duration.ofMinutes(5), backoff.delay(10));
        assertEquals(Duration.ofMinutes(5), backoff.delay(1_000));
    }

    @Test
    void clearDropsWhatWaitsSoNothingRunsWhenItWouldHaveBeenDue() {
        queue(handled::add);
        queue.add("a", Duration.ofSeconds(1));
        queue.clear();
        assertEquals(List.of(), clock.pendingTimers());
        clock.advance(Duration.ofSeconds(2));
        queue.add("marker");
        awaitProcessed(1);
        assertEquals(List.of("marker"), handled);
    }

    @Test
    void eachHandlingCountsAsAReconcileWithControllerRuntimesResult() {
        PrometheusRegistry registry = new PrometheusRegistry();
        queue = new KeyedQueue<>(
                "test",
                clock,
                new KeyedQueue.Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10)),
                new QueueMetrics("test", registry),
                key -> {
                    handled.add(key);
                    switch (key) {
                        case "fails" -> queue.retry(key);
                        case "later" -> queue.add(key, Duration.ofHours(1));
                        case "throws" -> throw new IllegalStateException("boom");
                        default -> {}
                    }
                });
        for (String key : List.of("ok", "fails", "later", "throws")) {
            queue.add(key);
        }
        awaitProcessed(4);
        String scrape = scrape(registry);
        for (String line : List.of(
                "controller_runtime_reconcile_total{controller=\"test\",result=\"success\"} 1.0",
                "controller_runtime_reconcile_total{controller=\"test\",result=\"error\"} 2.0",
                "controller_runtime_reconcile_total{controller=\"test\",result=\"requeue_after\"} 1.0",
                "controller_runtime_reconcile_total{controller=\"test\",result=\"requeue\"} 0.0",
                "controller_runtime_reconcile_errors_total{controller=\"test\"} 2.0",
                "controller_runtime_reconcile_time_seconds_count{controller=\"test\"} 4")) {
            assertTrue(scrape.contains(line), line + " in\n" + scrape);
        }
    }

    @Test
    void twoQueuesReportToOneRegistryUnderTheirNames() {
        PrometheusRegistry registry = new PrometheusRegistry();
        List<KeyedQueue<String>> queues = new ArrayList<>();
        for (String name : List.of("reconciler", "claims")) {
            queues.add(new KeyedQueue<>(
                    name,
                    clock,
                    new KeyedQueue.Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10)),
                    new QueueMetrics(name, registry),
                    handled::add));
        }
        queue = queues.get(1); // the one awaited, closed by tearDown
        try {
            queue.add("a");
            awaitProcessed(1);
            String scrape = scrape(registry);
            for (String line : List.of(
                    "workqueue_adds_total{name=\"claims\"} 1.0",
                    "workqueue_adds_total{name=\"reconciler\"} 0.0",
                    "workqueue_depth{name=\"claims\"} 0.0",
                    "workqueue_depth{name=\"reconciler\"} 0.0",
                    "controller_runtime_reconcile_total{controller=\"claims\",result=\"success\"} 1.0")) {
                assertTrue(scrape.contains(line), line + " in\n" + scrape);
            }
            assertThrows(IllegalArgumentException.class, () -> new QueueMetrics("claims", registry));
        } finally {
            queues.get(0).close();
        }
    }

    private static String scrape(PrometheusRegistry registry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
