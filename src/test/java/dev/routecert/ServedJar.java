package dev.routecert;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.kube.ClusterFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged jar's {@code routecert serve} as a separate process on 127.0.0.1 with free ports,
 * and everything it has logged so far. Its environment is this one's without routecert's and
 * Kubernetes' variables, plus what the test gives.
 */
public final class ServedJar implements AutoCloseable {

    private static final Pattern LISTENING =
            Pattern.compile("admission https://127.0.0.1:(\\d+)/mutate .* http://127.0.0.1:(\\d+)/livez");

    public final Process process;
    public final List<String> log = Collections.synchronizedList(new ArrayList<>());
    public final int securePort;
    public final int healthPort;

    /** Starts {@code serve} with {@code args} after the address and port options, and waits until it listens. */
    public ServedJar(Map<String, String> env, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                java(),
                "-jar",
                jar().toString(),
                "serve",
                "--bind-address",
                "127.0.0.1",
                "--secure-port",
                "0",
                "--health-port",
                "0"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment()
                .keySet()
                .removeIf(k -> k.startsWith("ROUTECERT_") || k.equals("KUBECONFIG") || k.startsWith("KUBERNETES_"));
        builder.environment().putAll(env);
        process = builder.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    log.add(line);
                }
            } catch (IOException e) {
                // the process was killed: the log ends here
            }
        });
        reader.setDaemon(true);
        reader.start();
        String listening = awaitLog("listening:", Duration.ofSeconds(60));
        Matcher matcher = LISTENING.matcher(listening);
        assertTrue(matcher.find(), listening);
        securePort = Integer.parseInt(matcher.group(1));
        healthPort = Integer.parseInt(matcher.group(2));
    }

    /** The JVM running the tests, for the jar. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The jar the build packages. */
    public static Path jar() {
        return Path.of("target/routecert.jar").toAbsolutePath();
    }

    /** The first log line containing {@code fragment}, once it has been logged; fails with the log so far. */
    public String awaitLog(String fragment, Duration timeout) {
        try {
            return ClusterFixture.await(
                    "a log line containing '" + fragment + "'",
                    timeout,
                    () -> firstLine(fragment),
                    line -> line != null);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; log so far:\n" + String.join("\n", List.copyOf(log)), e);
        }
    }

    public boolean logged(String fragment) {
        return firstLine(fragment) != null;
    }

    private String firstLine(String fragment) {
        synchronized (log) {
            return log.stream().filter(l -> l.contains(fragment)).findFirst().orElse(null);
        }
    }

    public HttpResponse<String> health(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL: no shutdown hook runs, nothing is released. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, leaving the output streams open (Process.destroy closes them); SIGKILL after 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
