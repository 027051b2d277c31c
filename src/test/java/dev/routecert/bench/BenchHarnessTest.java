package dev.routecert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.Routecert;
import dev.routecert.cli.Main;
import dev.routecert.config.ServeConfig;
import dev.routecert.http.FixedBytesServer;
import dev.routecert.http.TestServer;
import dev.routecert.policy.PolicyConfig;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the benchmark harness from rotting: a short, in-process run of each piece (the review mix
 * against the real server, the load client in both connection modes, the fixed-bytes reference,
 * the JMH benchmark methods, /proc readings). Asserts correctness only, never a figure.
 */
class BenchHarnessTest {

    @TempDir
    static Path dir;

    static BenchServer.Pki pki;
    static Routecert routecert;

    @BeforeAll
    static void start() throws Exception {
        pki = BenchServer.Pki.create(dir);
        ServeConfig config = TestServer.defaults().toBuilder()
                .certificateFiles(pki.certificate(), pki.key())
                .certReloadInterval(Duration.ofSeconds(10))
                .requestReadTimeout(Duration.ofSeconds(10))
                .shutdown(Duration.ZERO, Duration.ofSeconds(5))
                .build();
        routecert = Routecert.start(
                config, PolicyConfig.defaults().withDefaultIssuer("letsencrypt-prod", PolicyConfig.CLUSTER_ISSUER));
    }

    @AfterAll
    static void stop() {
        if (routecert != null) {
            routecert.close();
        }
    }

    @Test
    void everyKindOfTheMixGetsTheAnswerTheBenchmarkExpects() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(LoadClient.trusting(pki.ca()))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        for (ReviewMix.Kind kind : ReviewMix.kinds()) {
            assertTrue(kind.uidOffset() > 0, kind.name());
            HttpResponse<String> answer = client.send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + routecert.securePort() + "/mutate"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(kind.body()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertNull(
                    LoadClient.check(
                            LoadClient.Check.VERDICT,
                            answer.statusCode(),
                            answer.body(),
                            ReviewMix.UID_PLACEHOLDER,
                            kind.expect()),
                    kind.name());
        }
        ReviewMix.Kind large = ReviewMix.kinds().get(ReviewMix.kinds().size() - 1);
        assertTrue(
                large.body().length > ReviewMix.LARGE_OBJECT_BYTES && large.body().length < 1536 * 1024,
                "the large object stays under etcd's 1.5 MiB: " + large.body().length);
    }

    /** The start-up benchmark's first review is one the server answers as allowed. */
    @Test
    void startupsFirstReviewIsAnswered() throws Exception {
        assertTrue(StartupBenchmark.firstReviewMs(routecert.securePort(), pki.ca()) > 0);
    }

    /**
     * The start-up part works: {@code serve} becomes ready and answers, {@code check} of its file exits
     * allowed, and the classes of both are counted; from the test class path, one run, no AOT cache
     * (that needs a jar). Its figures are not asserted.
     */
    @Test
    void theStartupPartRunsServeAndCheck() throws Exception {
        StartupBenchmark startup = new StartupBenchmark(
                dir.resolve("startup"),
                pki,
                List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()),
                1,
                false);
        startup.run();
        assertEquals(1, startup.variants.size());
        StartupBenchmark.Variant plain = startup.variants.get(0);
        assertEquals(1, plain.runs().size());
        assertEquals(1, plain.checks().size());
        assertTrue(plain.checks().get(0).cpuMs() > 0, "the CPU of an ended child is read");
        assertTrue(plain.runs().get(0).firstReviewMs() > 0);
        assertTrue(startup.checkClasses > 0 && startup.serveClasses > 0, startup.markdown());
        assertTrue(startup.markdown().contains("| " + plain.name() + " | 1 |"), startup.markdown());
    }

    /** The JVM refuses two collectors: the variant's options must start a JVM, with the variant's collector. */
    @Test
    void theServersJvmOptionsStartAJvm() throws Exception {
        for (List<String> options : List.of(LoadBenchmark.SERVER_JVM, LoadBenchmark.variantOptions())) {
            List<String> command = new ArrayList<>(List.of(BenchServer.java()));
            command.addAll(options);
            command.add("-version");
            Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(java.getInputStream().readAllBytes());
            assertEquals(0, java.waitFor(), options + ": " + out);
        }
        assertTrue(LoadBenchmark.variantOptions().containsAll(LoadBenchmark.VARIANT_JVM));
        String dockerfile = Files.readString(Path.of("src/main/docker/Dockerfile"));
        String entrypoint = dockerfile
                .lines()
                .filter(l -> l.startsWith("ENTRYPOINT"))
                .findFirst()
                .orElseThrow();
        for (String option : LoadBenchmark.IMAGE_GC) {
            assertTrue(entrypoint.contains("\"" + option + "\""), "the image runs with " + option + ": " + entrypoint);
        }
        assertFalse(
                LoadBenchmark.variantOptions().contains("-XX:+UseSerialGC"),
                LoadBenchmark.variantOptions().toString());
    }

    /** A server in this very process counts once: this process's CPU is not also subtracted as the client's. */
    @Test
    void procStatsCountAServerInThisProcessOnce() {
        long self = ProcessHandle.current().pid();
        ProcStats.Snapshot inProcess = ProcStats.snapshot(self);
        assertEquals(0, inProcess.selfCpuNanos());
        assertTrue(inProcess.serverCpuNanos() > 0);
        ProcStats.Snapshot separate = ProcStats.snapshot(0);
        assertTrue(separate.selfCpuNanos() > 0);
        assertEquals(0, separate.serverCpuNanos());
    }

    @Test
    void roundsFollowTheWeights() {
        List<ReviewMix.Kind> kinds = ReviewMix.kinds();
        int[] round = ReviewMix.round(kinds, 1);
        assertEquals(ReviewMix.ROUND, round.length);
        for (int k = 0; k < kinds.size(); k++) {
            int kind = k;
            assertEquals(
                    kinds.get(k).weight(),
                    Arrays.stream(round).filter(i -> i == kind).count(),
                    kinds.get(k).name());
        }
    }

    @Test
    void loadClientDrivesRoutecertWithoutErrorsInBothConnectionModes() throws Exception {
        long self = ProcessHandle.current().pid();
        for (boolean keepAlive : List.of(true, false)) {
            LoadClient.Result result = LoadClient.run(
                    new LoadClient.Options(
                            routecert.securePort(),
                            2,
                            keepAlive,
                            Duration.ofMillis(300),
                            Duration.ofMillis(700),
                            200,
                            pki.ca(),
                            LoadClient.Check.VERDICT,
                            self),
                    ReviewMix.kinds());
            assertNull(result.firstError(), "keepAlive=" + keepAlive);
            assertEquals(0, result.errors());
            assertTrue(
                    result.requests() > 0 && result.requests() <= 200, "bounded by maxRequests: " + result.requests());
            assertTrue(
                    result.p50() > 0 && result.p50() <= result.p99() && result.p99() <= result.max(),
                    result.toString());
            assertTrue(result.serverRssPeakKb() > 0, "RSS read from /proc");
            LoadClient.Result decoded =
                    LoadClient.Result.decode(result.encode().lines().toList());
            assertEquals(result.requests(), decoded.requests());
            assertEquals(result.perKind().keySet(), decoded.perKind().keySet());
        }
    }

    @Test
    void fixedBytesReferenceAnswersTheLoadClient() throws Exception {
        Javalin reference = FixedBytesServer.start("127.0.0.1", 0, pki.certificate(), pki.key());
        try {
            LoadClient.Result result = LoadClient.run(
                    new LoadClient.Options(
                            reference.port(),
                            2,
                            true,
                            Duration.ofMillis(300),
                            Duration.ofMillis(700),
                            100,
                            pki.ca(),
                            LoadClient.Check.FIXED,
                            0),
                    ReviewMix.kinds());
            assertNull(result.firstError());
            assertTrue(result.requests() > 0);
        } finally {
            reference.stop();
        }
    }

    @Test
    void policyBenchmarkMethodsRun() throws Exception {
        PolicyBenchmark benchmark = new PolicyBenchmark();
        benchmark.setUp();
        assertTrue(benchmark.parseSmallRule().ok());
        assertTrue(benchmark.parseLargeRule().ok());
        assertNotNull(benchmark.evaluateSmallObject().patch(), "the small object gets its secretName defaulted");
        assertTrue(benchmark.evaluateSmallObject().allowed());
        assertTrue(benchmark.evaluateLargeObject().allowed());
        assertFalse(benchmark.evaluateLargeObject().certificates().isEmpty());
        assertTrue(new String(benchmark.admissionHandlerSmallObject()).contains("\"patch\""));
        assertTrue(new String(benchmark.admissionHandlerLargeObject()).contains("\"allowed\":true"));
    }

    @Test
    void worstCaseShapesGetTheirVerdictsAndBoundedAnswers() throws Exception {
        WorstCaseBenchmark worst = new WorstCaseBenchmark(20_000, 0, 1);
        worst.run();
        assertEquals(WorstCaseBenchmark.shapes().size(), worst.results.size());
        for (WorstCaseBenchmark.Result r : worst.results) {
            String name = r.shape().name();
            assertTrue(r.bytes() >= 20_000, name);
            assertEquals(r.shape().allowed(), r.adversarialAllowed(), name);
            assertTrue(r.twinAllowed(), name + ": the twin is valid");
            assertTrue(r.answerAdversarial() < 128 * 1024, name + ": answer of " + r.answerAdversarial() + " bytes");
        }
        assertTrue(worst.markdown().contains("| ingress-shared-secret |"), worst.markdown());
    }

    @Test
    void procReadingsOfThisProcess() {
        long self = ProcessHandle.current().pid();
        assertTrue(ProcStats.cpuNanos(self) > 0);
        assertTrue(ProcStats.treeRssKb(self) > 0);
        assertEquals(
                List.of(1.0, 2.0),
                List.of(
                        StartupBenchmark.median(new double[] {1, 1, 3}) * 1.0,
                        StartupBenchmark.median(new double[] {3, 1, 2, 2})));
    }
}
