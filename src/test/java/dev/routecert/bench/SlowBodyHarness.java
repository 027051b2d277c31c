package dev.routecert.bench;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.ApiServerReviews;
import dev.routecert.config.ServeConfig;
import dev.routecert.health.Readiness;
import dev.routecert.http.RoutecertServer;
import dev.routecert.http.ServerMetrics;
import dev.routecert.http.TestServer;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Slow bodies against normal reviews, on 127.0.0.1 with routecert's server in this process: 300
 * connections each declare a 2 MiB body and send it one byte every two seconds, reopened when the
 * server closes them, while four clients send normal reviews back to back. Prints the normal
 * reviews' latency percentiles and failures, and what became of the slow connections. Figures only,
 * nothing asserted.
 *
 * <p>{@code java -cp target/test-classes:target/classes:<test classpath> dev.routecert.bench.SlowBodyHarness
 * [seconds] [slow connections] [--min-request-data-rate]}
 */
public final class SlowBodyHarness {

    private static final int DECLARED = 2 * 1024 * 1024;
    private static final Duration TRICKLE = Duration.ofSeconds(2);

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int slow = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        long minRate = args.length > 2 ? Long.parseLong(args[2]) : ServeConfig.DEFAULT_MIN_REQUEST_DATA_RATE;
        ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
        SSLContext trust = TestPki.trusting(certificate.leaf());
        ServeConfig config = TestServer.defaults().toBuilder()
                .requestReadTimeout(Duration.ofSeconds(10))
                .minRequestDataRate(minRate)
                .build();
        System.out.printf("--min-request-data-rate %d, --request-read-timeout 10s%n", minRate);
        try (RoutecertServer server = new RoutecertServer(
                        config,
                        new FixedCertificateSource(certificate),
                        AdmissionPolicy.ALLOW_ALL,
                        AdmissionPolicy.ALLOW_ALL,
                        new Readiness(),
                        new ServerMetrics())
                .start()) {
            run(server.securePort(), trust, seconds, slow);
        }
        System.exit(0);
    }

    static void run(int port, SSLContext trust, int seconds, int slowCount) throws Exception {
        List<SSLSocket> slow = new ArrayList<>();
        AtomicLong reopened = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        for (int i = 0; i < slowCount; i++) {
            slow.add(tryOpenSlow(trust, port, refused));
        }
        System.out.printf(
                "%d slow connections opened of %d, each declaring %d bytes%n",
                slow.stream().filter(s -> s != null).count(), slowCount, DECLARED);
        ExecutorService trickler = Executors.newSingleThreadExecutor();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        trickler.submit(() -> {
            while (System.nanoTime() < end) {
                for (int i = 0; i < slow.size(); i++) {
                    if (slow.get(i) == null) {
                        slow.set(i, tryOpenSlow(trust, port, refused));
                        continue;
                    }
                    try {
                        OutputStream out = slow.get(i).getOutputStream();
                        out.write('{');
                        out.flush();
                    } catch (IOException closedByServer) {
                        closeQuietly(slow.get(i));
                        reopened.incrementAndGet();
                        slow.set(i, tryOpenSlow(trust, port, refused));
                    }
                }
                Thread.sleep(TRICKLE);
            }
            return null;
        });

        byte[] review = ApiServerReviews.createIngress().bytes();
        HttpClient client = HttpClient.newBuilder()
                .sslContext(trust)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        ExecutorService normal = Executors.newFixedThreadPool(4);
        for (int c = 0; c < 4; c++) {
            normal.submit(() -> {
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> response = client.send(
                                HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/validate"))
                                        .timeout(Duration.ofSeconds(15))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(review))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) {
                            failed.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        failed.incrementAndGet();
                    }
                    latencies.add(System.nanoTime() - start);
                }
                return null;
            });
        }
        normal.shutdown();
        normal.awaitTermination(seconds + 30L, TimeUnit.SECONDS);
        trickler.shutdownNow();
        trickler.awaitTermination(10, TimeUnit.SECONDS);
        slow.forEach(SlowBodyHarness::closeQuietly);

        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf(
                "normal reviews: %d sent in %d s, %d not 200 or failed; latency p50 %s, p99 %s, max %s%n",
                sorted.size(),
                seconds,
                failed.get(),
                ms(percentile(sorted, 0.50)),
                ms(percentile(sorted, 0.99)),
                ms(sorted.isEmpty() ? 0 : sorted.getLast()));
        System.out.printf(
                "slow connections closed by the server and reopened: %d; attempts to open one that failed: %d%n",
                reopened.get(), refused.get());
    }

    /** A slow connection, or null (counted) when the server did not take one in time. */
    private static SSLSocket tryOpenSlow(SSLContext trust, int port, AtomicLong refused) {
        try {
            return openSlow(trust, port);
        } catch (IOException e) {
            refused.incrementAndGet();
            return null;
        }
    }

    private static SSLSocket openSlow(SSLContext trust, int port) throws IOException {
        SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(1_000);
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        out.write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + DECLARED + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static void closeQuietly(SSLSocket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
    }

    private static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    private SlowBodyHarness() {}
}
