package dev.routecert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.Routecert;
import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.config.ServeConfig;
import dev.routecert.log.LogSetup;
import dev.routecert.routes.RouteKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code routecert warmup}: a short, self-contained run of the real server for the JVM to learn
 * from. The container build runs it under {@code -XX:AOTCacheOutput} so that the classes and
 * profiles of a serving routecert are in the image's AOT cache; it needs no cluster and no network
 * beyond loopback, and fails (exit 1) if any review is not answered as the server should.
 */
@Command(
        name = "warmup",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Starts routecert serve on 127.0.0.1 (free ports, self-signed certificate, no cluster), sends it",
            "representative AdmissionReviews over HTTPS and probe and metrics requests, stops it, runs check",
            "on the same objects as a YAML file, and exits.",
            "A training workload for the JVM's AOT cache (java -XX:AOTCacheOutput=FILE -jar routecert.jar warmup)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every request was answered as expected", "1:a request failed or got an unexpected answer"})
public final class WarmupCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--reviews",
            paramLabel = "N",
            defaultValue = "400",
            description = "AdmissionReviews to send, spread over /mutate and /validate (default ${DEFAULT-VALUE}).")
    int reviews;

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            defaultValue = "4",
            description = "Reviews in flight at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            defaultValue = "warn",
            description = "Log level of the server under warm-up (default ${DEFAULT-VALUE}; info logs every decision).")
    String logLevel;

    /** Reviews with the verdict each must get; the objects cover the policy's main paths. */
    private record Sample(String name, AdmissionReviewBuilder review, JsonNode object, String expectedOutcome) {}

    @Override
    public Integer call() throws Exception {
        if (reviews < 1 || concurrency < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--reviews and --concurrency must be at least 1");
        }
        Logging.configure(logLevel, LogSetup.Format.TEXT);
        Logger log = LoggerFactory.getLogger(WarmupCommand.class);
        Path certificate = Files.createTempFile("routecert-warmup", ".pem");
        long started = System.nanoTime();
        ServeCommand serve = serveCommand(certificate);
        try (Routecert routecert = Routecert.start(serve.config(), serve.policy.config())) {
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(trusting(certificate))
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            List<String> problems = new ArrayList<>();
            String base = "https://127.0.0.1:" + routecert.securePort();
            String health = "http://127.0.0.1:" + routecert.healthPort();
            for (String path : List.of("/livez", "/readyz")) {
                expectStatus(client, health + path, 200, problems);
            }
            List<Sample> samples = samples();
            Map<String, Integer> outcomes = new TreeMap<>();
            for (int sent = 0; sent < reviews; ) {
                List<CompletableFuture<String>> batch = new ArrayList<>();
                for (int i = 0; i < concurrency && sent < reviews; i++, sent++) {
                    Sample sample = samples.get(sent % samples.size());
                    String endpoint = sent % 2 == 0 ? "/mutate" : "/validate";
                    String uid = "warmup-" + sent;
                    HttpRequest request = HttpRequest.newBuilder(URI.create(base + endpoint))
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(
                                    sample.review().uid(uid).bytes()))
                            .build();
                    batch.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                            .handle((response, error) -> {
                                if (error != null) {
                                    return sample.name() + endpoint + ": " + error;
                                }
                                String outcome = outcome(response.body());
                                boolean expected = response.statusCode() == 200
                                        && response.body().contains("\"uid\":\"" + uid + "\"")
                                        && (outcome.equals(sample.expectedOutcome())
                                                || endpoint.equals("/validate")
                                                        && sample.expectedOutcome()
                                                                .equals("patched")
                                                        && outcome.equals("allowed"));
                                synchronized (outcomes) {
                                    outcomes.merge(endpoint + " " + outcome, 1, Integer::sum);
                                }
                                return expected
                                        ? null
                                        : sample.name() + " on " + endpoint + ": HTTP " + response.statusCode() + " "
                                                + response.body();
                            }));
                }
                for (CompletableFuture<String> result : batch) {
                    String problem = result.join();
                    if (problem != null && problems.size() < 10) {
                        problems.add(problem);
                    }
                }
            }
            expectStatus(client, health + "/metrics", 200, problems);
            client.close();
            checkSamples(samples, problems);
            if (!problems.isEmpty()) {
                log.error("warm-up failed:\n  {}", String.join("\n  ", problems));
                return 1;
            }
            spec.commandLine()
                    .getOut()
                    .printf(
                            "warmup: %d reviews answered as expected in %d ms %s%n",
                            reviews, (System.nanoTime() - started) / 1_000_000, outcomes);
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            Files.deleteIfExists(certificate);
        }
    }

    /**
     * serve's options as its own parser reads them, so the warm-up stays in step with serve: loopback, free ports, the
     * self-signed certificate, no cluster, and a default issuer so that Certificate planning runs too.
     */
    private static ServeCommand serveCommand(Path certificateOut) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .parseArgs(
                        "--bind-address=127.0.0.1",
                        "--secure-port=0",
                        "--health-port=0",
                        "--kubernetes=off",
                        "--self-signed-cert-out=" + certificateOut,
                        "--shutdown-timeout=5s",
                        "--default-issuer=warmup-issuer");
        ServeConfig config = serve.config();
        if (!config.problems().isEmpty()) {
            throw new IllegalStateException("warm-up configuration rejected: " + config.problems());
        }
        return serve;
    }

    /**
     * {@code routecert check} of the samples as one YAML file, in this JVM: the image's cache then
     * also holds what {@code check} loads (the YAML reader and writer), for the image run as a CI step.
     */
    private static void checkSamples(List<Sample> samples, List<String> problems) throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        StringBuilder documents = new StringBuilder();
        for (Sample sample : samples) {
            documents.append(yaml.writeValueAsString(sample.object()));
        }
        Path file = Files.createTempFile("routecert-warmup", ".yaml");
        try {
            Files.writeString(file, documents);
            StringWriter out = new StringWriter();
            CommandLine check = Main.commandLine("check");
            check.setOut(new PrintWriter(out));
            check.setErr(new PrintWriter(out));
            int code = check.execute("check", file.toString());
            // the legacy IngressRoute's hosts are not covered: one denial, so exit code 1
            if (code != CheckCommand.DENIED || !out.toString().contains("1 denied")) {
                problems.add("check of the samples exited " + code + ":\n" + out);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void expectStatus(HttpClient client, String url, int status, List<String> problems) {
        try {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != status) {
                problems.add(url + ": HTTP " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            problems.add(url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add(url + ": interrupted");
        }
    }

    private static String outcome(String body) {
        if (body.contains("\"allowed\":false")) {
            return "denied";
        }
        return body.contains("\"patch\":") ? "patched" : "allowed";
    }

    private static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            trust.setCertificateEntry(
                    "routecert", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static List<Sample> samples() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode ingress = json.readTree("""
                {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"shop","namespace":"web",
                 "annotations":{"cert-manager.io/cluster-issuer":"letsencrypt-prod"}},
                 "spec":{"tls":[{"hosts":["shop.example.com","www.shop.example.com"]}],
                  "rules":[{"host":"shop.example.com","http":{"paths":[{"path":"/","pathType":"Prefix",
                   "backend":{"service":{"name":"shop","port":{"number":80}}}}]}},
                   {"host":"www.shop.example.com","http":{"paths":[{"path":"/","pathType":"Prefix",
                   "backend":{"service":{"name":"shop","port":{"number":80}}}}]}}]}}""");
        JsonNode route = json.readTree("""
                {"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute","metadata":{"name":"api","namespace":"web"},
                 "spec":{"entryPoints":["websecure"],"routes":[
                  {"match":"Host(`api.example.com`) && PathPrefix(`/v1`) || Host(`api.example.org`)","kind":"Rule",
                   "services":[{"name":"api","port":8080}]},
                  {"match":"HostRegexp(`^[a-z]+\\\\.example\\\\.net$`)","kind":"Rule","services":[{"name":"api","port":8080}]}],
                  "tls":{"secretName":"api-tls","domains":[{"main":"api.example.com","sans":["api.example.org","*.example.net"]}]}}}""");
        JsonNode uncovered = json.readTree("""
                {"apiVersion":"traefik.containo.us/v1alpha1","kind":"IngressRoute","metadata":{"name":"legacy","namespace":"web",
                 "annotations":{"cert-manager.io/duration":"30m"}},
                 "spec":{"routes":[{"match":"Host(`a.example.com`, `b.example.com`)","kind":"Rule","services":[{"name":"a","port":80}]}],
                  "tls":{"secretName":"legacy-tls","domains":[{"main":"a.example.com"}]}}}""");
        return List.of(
                new Sample("ingress", review(RouteKind.INGRESS).object(ingress), ingress, "patched"),
                new Sample(
                        "ingressroute",
                        review(RouteKind.INGRESS_ROUTE)
                                .operation("UPDATE")
                                .object(route)
                                .oldObject(route),
                        route,
                        "allowed"),
                new Sample(
                        "legacy-ingressroute",
                        review(RouteKind.INGRESS_ROUTE_LEGACY).object(uncovered),
                        uncovered,
                        "denied"));
    }

    private static AdmissionReviewBuilder review(RouteKind kind) {
        return AdmissionReviewBuilder.of(kind.group(), kind.version(), kind.kind(), kind.resource())
                .namespace("web")
                .name("x")
                .user("warmup");
    }
}
