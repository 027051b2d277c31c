package dev.routecert.cluster;

import dev.routecert.config.ServeConfig.KubernetesMode;
import dev.routecert.health.Readiness;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to the Kubernetes API server, when there is one. {@code auto} uses the pod's
 * service account in a cluster, else {@code KUBECONFIG} or {@code ~/.kube/config}, else runs
 * without a cluster; readiness waits until the API server has answered once.
 */
public final class ClusterConnection implements AutoCloseable {

    public static final String CHECK = "kubernetes";
    static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
    private static final Logger log = LoggerFactory.getLogger(ClusterConnection.class);

    private final KubernetesClient client;
    private final String source;
    private final ScheduledExecutorService probe;

    private ClusterConnection(KubernetesClient client, String source) {
        this.client = client;
        this.source = source;
        this.probe = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kubernetes-probe");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Where a configuration would come from, or empty when there is none to use. */
    public static Optional<String> locate(
            KubernetesMode mode, Map<String, String> env, Path home, Path serviceAccountToken) {
        if (mode == KubernetesMode.OFF) {
            return Optional.empty();
        }
        if (env.containsKey("KUBERNETES_SERVICE_HOST") && Files.isReadable(serviceAccountToken)) {
            return Optional.of("in-cluster service account");
        }
        String kubeconfig = env.get("KUBECONFIG");
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            for (String path : kubeconfig.split(File.pathSeparator)) {
                if (!path.isBlank() && Files.isReadable(Path.of(path))) {
                    return Optional.of("kubeconfig " + path + " (KUBECONFIG)");
                }
            }
            return Optional.empty();
        }
        Path defaultConfig = home.resolve(".kube").resolve("config");
        return Files.isReadable(defaultConfig) ? Optional.of("kubeconfig " + defaultConfig) : Optional.empty();
    }

    /** Connects as {@code mode} says, logging clearly which cluster features are on or off. */
    public static Optional<ClusterConnection> open(KubernetesMode mode, Path kubeconfig, Readiness readiness) {
        Optional<String> source = kubeconfig != null
                ? Optional.of("kubeconfig " + kubeconfig + " (--kubeconfig)")
                : locate(mode, System.getenv(), Path.of(System.getProperty("user.home")), SERVICE_ACCOUNT_TOKEN);
        if (source.isEmpty()) {
            log.info(
                    "kubernetes: {}; cluster features are off (Certificate creation and reconciliation); admission reviews are still served",
                    mode == KubernetesMode.OFF
                            ? "disabled by --kubernetes=off"
                            : "no configuration found (no in-cluster service account, no KUBECONFIG, no ~/.kube/config)");
            return Optional.empty();
        }
        Config config = new ConfigBuilder(kubeconfig != null ? fromKubeconfig(kubeconfig) : Config.autoConfigure(null))
                .withConnectionTimeout(3_000)
                .withRequestTimeout(5_000)
                .withRequestRetryBackoffLimit(1)
                .build();
        ClusterConnection connection = new ClusterConnection(
                new KubernetesClientBuilder().withConfig(config).build(), source.get());
        log.info("kubernetes: using {} for {}", source.get(), config.getMasterUrl());
        connection.awaitApiServer(readiness);
        return Optional.of(connection);
    }

    /**
     * A client for one short command-line run (check --kubeconfig, status): {@code kubeconfig} (its
     * {@code context}, or the current one), or the in-cluster account, KUBECONFIG or ~/.kube/config
     * when null; a few seconds to connect, 30 s per request, one retry.
     *
     * @throws IOException when the kubeconfig cannot be read, saying which
     */
    public static KubernetesClient commandLineClient(Path kubeconfig, String context) throws IOException {
        Config config;
        try {
            config = kubeconfig != null
                    ? Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString())
                    : Config.autoConfigure(context);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage());
        }
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(config)
                        .withConnectionTimeout(5_000)
                        .withRequestTimeout(30_000)
                        .withRequestRetryBackoffLimit(1)
                        .build())
                .build();
    }

    private static Config fromKubeconfig(Path kubeconfig) {
        try {
            return Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --kubeconfig " + kubeconfig, e);
        }
    }

    public KubernetesClient client() {
        return client;
    }

    private void awaitApiServer(Readiness readiness) {
        readiness.pending(CHECK, () -> "API server at " + client.getMasterUrl() + " has not answered yet");
        probe.execute(new Runnable() {
            private String lastError = "";

            @Override
            public void run() {
                try {
                    String version = client.getKubernetesVersion().getGitVersion();
                    log.info("kubernetes: API server {} answered ({})", version, source);
                    readiness.pass(CHECK);
                } catch (RuntimeException e) {
                    String error = String.valueOf(e.getMessage());
                    if (!error.equals(lastError)) {
                        log.warn(
                                "kubernetes: API server at {} not reachable yet, retrying every 2s: {}",
                                client.getMasterUrl(),
                                error);
                        lastError = error;
                    }
                    readiness.fail(CHECK, "API server at " + client.getMasterUrl() + " not reachable: " + error);
                    if (!probe.isShutdown()) {
                        probe.schedule(this, 2, TimeUnit.SECONDS);
                    }
                }
            }
        });
    }

    @Override
    public void close() {
        probe.shutdownNow();
        client.close();
    }
}
