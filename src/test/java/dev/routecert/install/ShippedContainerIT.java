package dev.routecert.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.tls.SecretVolume;
import dev.routecert.tls.TestPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container as shipped, without a container engine: the image's Java runtime linked here with
 * jlink from the Dockerfile's module list, the Dockerfile's AOT training command and ENTRYPOINT, the
 * Deployment's args, env and ConfigMap, and the serving Secret's files, run on the packaged jar, with
 * {@code /opt/java}, {@code /app} and {@code /tls} mapped to folders here; then {@code check} through
 * the same ENTRYPOINT, as a CI step runs the image. The only additions: {@code
 * ROUTECERT_BIND_ADDRESS=127.0.0.1} (loopback only), free ports, no cluster, and {@code -Xlog:aot} to
 * see whether the cache was used.
 */
class ShippedContainerIT {

    static final Path DOCKERFILE = Path.of("src/main/docker/Dockerfile").toAbsolutePath();
    private static final Pattern LISTENING =
            Pattern.compile("admission https://127.0.0.1:(\\d+)/mutate .* http://127.0.0.1:(\\d+)/livez");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theImagesTrainedAotCacheIsUsedAndTheDeploymentsConfigurationServesAndStopsInTime() throws Exception {
        List<String> dockerfile = Files.readAllLines(DOCKERFILE);
        Path app = Files.createDirectories(dir.resolve("app"));
        Files.copy(Path.of("target/routecert.jar"), app.resolve("routecert.jar"), StandardCopyOption.REPLACE_EXISTING);

        // 0. The image's runtime: jlink with the Dockerfile's module list, which covers what jdeps finds.
        Path runtime = linkedRuntime(app.resolve("routecert.jar"));

        // 1. The training RUN line, as the image build runs it.
        String training = dockerfile.stream()
                .filter(l -> l.startsWith("RUN [") && l.contains("AOTCacheOutput"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the Dockerfile has no AOT training run"))
                .substring("RUN ".length());
        List<String> trainingCommand = new ArrayList<>();
        for (JsonNode arg : JSON.readTree(training)) {
            trainingCommand.add(inImage(arg.asText(), app, runtime));
        }
        long trainingStarted = System.nanoTime();
        Run trained = Run.start(trainingCommand, Map.of());
        assertTrue(trained.process.waitFor(300, TimeUnit.SECONDS), "training run did not finish:\n" + trained.log());
        System.out.printf(
                "AOT training run (%s) took %.1f s%n",
                String.join(" ", trainingCommand), (System.nanoTime() - trainingStarted) / 1e9);
        assertEquals(0, trained.process.exitValue(), trained.log());
        assertTrue(trained.log().contains("warmup: "), trained.log());
        assertTrue(Files.size(app.resolve("routecert.aot")) > 1_000_000, trained.log());

        // 2. The ENTRYPOINT with the Deployment's args, env and ConfigMap.
        RenderedManifests manifests = RenderedManifests.render();
        JsonNode container = manifests.one("Deployment", "routecert").at("/spec/template/spec/containers/0");
        List<String> command = new ArrayList<>();
        for (JsonNode arg : JSON.readTree(instruction(dockerfile, "ENTRYPOINT"))) {
            command.add(inImage(arg.asText(), app, runtime));
        }
        List<String> entrypoint = List.copyOf(command);
        TestPki pki = new TestPki();
        SecretVolume tls = new SecretVolume(dir.resolve("tls"));
        tls.write(pki.issue(TestPki.KeyFormat.EC_SEC1)); // cert-manager writes ECDSA keys as SEC1
        // the policy ConfigMap's file where the Deployment mounts it, here under dir
        Path policy = Files.createDirectories(dir.resolve("policy"));
        manifests
                .one("ConfigMap", "routecert-policy")
                .path("data")
                .fields()
                .forEachRemaining(
                        e -> write(policy.resolve(e.getKey()), e.getValue().asText()));
        for (String arg : InstallManifestsIT.strings(container.path("args"))) {
            command.add(arg.replace("=/tls/", "=" + dir.resolve("tls") + "/")
                    .replace("=/etc/routecert/policy/", "=" + policy + "/"));
        }
        Map<String, String> env = new HashMap<>();
        manifests.ofKind("ConfigMap").stream()
                .filter(c -> !RenderedManifests.name(c).equals("routecert-policy"))
                .findFirst()
                .orElseThrow()
                .path("data")
                .fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        container
                .path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        env.put("JDK_JAVA_OPTIONS", env.get("JDK_JAVA_OPTIONS") + " -Xlog:aot=info");
        env.putAll(Map.of(
                "ROUTECERT_BIND_ADDRESS",
                "127.0.0.1",
                "ROUTECERT_SECURE_PORT",
                "0",
                "ROUTECERT_HEALTH_PORT",
                "0",
                "ROUTECERT_KUBERNETES",
                "off"));

        long started = System.nanoTime();
        Run served = Run.start(command, env);
        try {
            Matcher listening = LISTENING.matcher(served.await("listening:", Duration.ofSeconds(60)));
            assertTrue(listening.find(), served.log());
            int securePort = Integer.parseInt(listening.group(1));
            int healthPort = Integer.parseInt(listening.group(2));
            HttpClient client =
                    HttpClient.newBuilder().sslContext(pki.clientContext("TLS")).build();
            awaitReady(client, healthPort, served);
            System.out.printf(
                    "shipped configuration with the AOT cache: ready %.2f s after launch%n",
                    (System.nanoTime() - started) / 1e9);
            assertTrue(served.log().contains("Picked up JDK_JAVA_OPTIONS: -XX:MaxRAMPercentage="), served.log());
            assertTrue(served.log().contains("Opened AOT cache " + app.resolve("routecert.aot")), served.log());
            assertFalse(served.log().contains("[error][aot]") || served.log().contains("[error  ][aot]"), served.log());

            HttpResponse<String> review = client.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + securePort + "/validate"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(
                                    AdmissionReviewBuilder.forObject(JSON.readTree("""
                                                    {"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
                                                     "metadata":{"name":"shop","namespace":"web"},
                                                     "spec":{"rules":[{"host":"shop.example.com"}]}}"""), "web")
                                            .uid("shipped-1")
                                            .bytes()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, review.statusCode(), review.body());
            assertTrue(review.body().contains("\"uid\":\"shipped-1\",\"allowed\":true"), review.body());

            // 3. SIGTERM, as the kubelet sends it after the preStop sleep.
            JsonNode pod = manifests.one("Deployment", "routecert").at("/spec/template/spec");
            Duration budget =
                    Duration.ofSeconds(pod.path("terminationGracePeriodSeconds").asLong()
                            - Long.parseLong(InstallManifestsIT.strings(container.at("/lifecycle/preStop/exec/command"))
                                    .get(1)));
            Duration delay = InstallManifestsIT.serveConfig(container).shutdownDelay();
            long terminated = System.nanoTime();
            served.process.destroy();
            assertTrue(
                    served.process.waitFor(budget.toSeconds(), TimeUnit.SECONDS),
                    "not stopped within " + budget + ":\n" + served.log());
            Duration stopping = Duration.ofNanos(System.nanoTime() - terminated);
            System.out.printf(
                    "stopped %.2f s after SIGTERM (--shutdown-delay %s, budget %s)%n",
                    stopping.toMillis() / 1e3, delay, budget);
            assertEquals(143, served.process.exitValue(), served.log());
            assertTrue(
                    stopping.compareTo(delay) >= 0,
                    "readiness went false " + delay + " before the listeners closed: " + stopping);
        } finally {
            served.process.destroyForcibly();
        }

        // 4. check as a CI step runs it: the ENTRYPOINT, the image's JDK_JAVA_OPTIONS and cache, a folder of manifests.
        Path manifestsDir = Files.createDirectories(dir.resolve("work/manifests"));
        Files.copy(Path.of("src/test/resources/routes/ingress/with_alt_names.yaml"), manifestsDir.resolve("web.yaml"));
        List<String> check = new ArrayList<>(entrypoint);
        check.addAll(List.of("check", manifestsDir.toString()));
        Run checked = Run.start(check, Map.of("JDK_JAVA_OPTIONS", imageJavaOptions(dockerfile) + " -Xlog:aot=info"));
        assertTrue(checked.process.waitFor(60, TimeUnit.SECONDS), checked.log());
        assertEquals(0, checked.process.exitValue(), checked.log());
        assertTrue(checked.log().contains("checked 1 object: 1 allowed, 0 denied"), checked.log());
        assertTrue(checked.log().contains("Opened AOT cache " + app.resolve("routecert.aot")), checked.log());
        assertFalse(checked.log().contains("[error][aot]") || checked.log().contains("[error  ][aot]"), checked.log());
    }

    /** A path of the image mapped to its folder here: the runtime under /opt/java, the jar and cache under /app. */
    private static String inImage(String arg, Path app, Path runtime) {
        return arg.replace("/opt/java/", runtime + "/").replace("/app/", app + "/");
    }

    /** The Dockerfile's {@code ENV JDK_JAVA_OPTIONS="..."}. */
    private static String imageJavaOptions(List<String> dockerfile) {
        String env = instruction(dockerfile, "ENV");
        Matcher options = Pattern.compile("JDK_JAVA_OPTIONS=\"([^\"]*)\"").matcher(env);
        assertTrue(options.find(), env);
        return options.group(1);
    }

    /**
     * The image's runtime, as its jlink line builds it from {@code java-modules}, after checking that the
     * list holds every module {@code jdeps --print-module-deps} finds in the jar.
     */
    private Path linkedRuntime(Path jar) {
        Set<String> listed = Set.of(
                readString(DOCKERFILE.resolveSibling("java-modules")).strip().split(","));
        StringWriter found = new StringWriter();
        int jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow()
                .run(
                        new PrintWriter(found),
                        new PrintWriter(found),
                        "--ignore-missing-deps",
                        "--multi-release",
                        Integer.toString(Runtime.version().feature()),
                        "--print-module-deps",
                        jar.toString());
        assertEquals(0, jdeps, found.toString());
        Set<String> needed = Set.of(found.toString().strip().split(","));
        assertTrue(
                listed.containsAll(needed),
                "src/main/docker/java-modules lacks modules the jar needs: " + needed + " against " + listed);
        Path runtime = dir.resolve("opt/java");
        StringWriter out = new StringWriter();
        int jlink = ToolProvider.findFirst("jlink")
                .orElseThrow()
                .run(
                        new PrintWriter(out),
                        new PrintWriter(out),
                        "--add-modules",
                        String.join(",", listed),
                        "--strip-debug",
                        "--no-man-pages",
                        "--no-header-files",
                        "--output",
                        runtime.toString());
        assertEquals(0, jlink, out.toString());
        return runtime;
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitReady(HttpClient client, int healthPort, Run served) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> readyz = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/readyz"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (readyz.statusCode() == 200) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not ready:\n" + served.log());
    }

    private static String instruction(List<String> dockerfile, String name) {
        return dockerfile.stream()
                .filter(l -> l.startsWith(name + " "))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + name + " in the Dockerfile"))
                .substring(name.length() + 1);
    }

    /** A process with its output collected line by line. */
    private record Run(Process process, List<String> lines) {

        static Run start(List<String> command, Map<String, String> env) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment()
                    .keySet()
                    .removeIf(k -> k.startsWith("ROUTECERT_")
                            || k.equals("KUBECONFIG")
                            || k.startsWith("KUBERNETES_")
                            || k.equals("JAVA_TOOL_OPTIONS")
                            || k.equals("JDK_JAVA_OPTIONS"));
            builder.environment().putAll(env);
            Run run = new Run(builder.start(), Collections.synchronizedList(new ArrayList<>()));
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader out = new BufferedReader(
                                new InputStreamReader(run.process.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line; (line = out.readLine()) != null; ) {
                                run.lines.add(line);
                            }
                        } catch (IOException e) {
                            run.lines.add("(output lost: " + e + ")");
                        }
                    },
                    "output-" + run.process.pid());
            reader.setDaemon(true);
            reader.start();
            return run;
        }

        String log() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }

        String await(String fragment, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                synchronized (lines) {
                    for (String line : lines) {
                        if (line.contains(fragment)) {
                            return line;
                        }
                    }
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no '" + fragment + "' in the output:\n" + log());
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
