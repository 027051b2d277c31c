import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A bounded load of AdmissionReviews against a routecert on loopback, for sizing its resources:
 * {@code java AdmissionLoad.java PORT CERT.pem SECONDS CONCURRENCY [LARGE_EVERY]}. Every
 * LARGE_EVERY-th review (default 50) is an UPDATE of a ~1 MiB IngressRoute (old and new object,
 * as the API server sends them); the rest are small objects. Only 127.0.0.1 is ever called.
 */
public class AdmissionLoad {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path pem = Path.of(args[1]);
        Duration duration = Duration.ofSeconds(Long.parseLong(args[2]));
        int concurrency = Integer.parseInt(args[3]);
        int largeEvery = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(pem)).version(HttpClient.Version.HTTP_1_1).build();
        URI mutate = URI.create("https://127.0.0.1:" + port + "/mutate");
        String small = review("CREATE", route(3), null);
        String large = review("UPDATE", route(9000), route(9000));
        System.out.printf("small review %d bytes, large review %d bytes, every %dth is large%n", small.length(), large.length(), largeEvery);
        AtomicLong sent = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        for (int t = 0; t < concurrency; t++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    long n = sent.incrementAndGet();
                    String body = (n % largeEvery == 0 ? large : small).replace("\"UID\"", "\"load-" + n + "\"");
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> response = client.send(HttpRequest.newBuilder(mutate).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200 || !response.body().contains("load-" + n)) {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    latencies.add(System.nanoTime() - start);
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(duration.toSeconds() + 60, TimeUnit.SECONDS);
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("%d reviews in %d s (%.0f/s), %d failed, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", sorted.length,
                duration.toSeconds(), sorted.length / (double) duration.toSeconds(), failed.get(), pct(sorted, 0.50), pct(sorted, 0.99),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        System.exit(failed.get() == 0 ? 0 : 1);
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

    private static String route(int routes) {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < routes; i++) {
            list.add("{\"match\":\"Host(`h" + i + ".example.com`) && PathPrefix(`/p" + i + "`)\",\"kind\":\"Rule\","
                    + "\"services\":[{\"name\":\"svc-" + i + "\",\"port\":8080}]}");
        }
        List<String> domains = new ArrayList<>();
        for (int i = 0; i < Math.min(routes, 100); i++) {
            domains.add("\"h" + i + ".example.com\"");
        }
        String[] sans = domains.toArray(String[]::new);
        return "{\"apiVersion\":\"traefik.io/v1alpha1\",\"kind\":\"IngressRoute\",\"metadata\":{\"name\":\"r\",\"namespace\":\"web\","
                + "\"annotations\":{\"cert-manager.io/cluster-issuer\":\"le\"}},\"spec\":{\"entryPoints\":[\"websecure\"],\"routes\":["
                + String.join(",", list) + "],\"tls\":{\"domains\":[{\"main\":\"example.com\",\"sans\":" + Arrays.toString(sans) + "}]}}}";
    }

    private static String review(String operation, String object, String oldObject) {
        return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"UID\","
                + "\"kind\":{\"group\":\"traefik.io\",\"version\":\"v1alpha1\",\"kind\":\"IngressRoute\"},"
                + "\"resource\":{\"group\":\"traefik.io\",\"version\":\"v1alpha1\",\"resource\":\"ingressroutes\"},"
                + "\"operation\":\"" + operation + "\",\"namespace\":\"web\",\"name\":\"r\",\"object\":" + object
                + (oldObject == null ? "" : ",\"oldObject\":" + oldObject) + "}}";
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            trust.setCertificateEntry("routecert", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
