package dev.routecert.kube;

import dev.routecert.routes.RouteKind;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Kubernetes control plane on 127.0.0.1 for integration tests: etcd, kube-apiserver and
 * kube-controller-manager (garbage collector and namespace controller), with the test CRDs
 * from {@code src/test/resources/crds/} installed and Established.
 *
 * <p>Start it once per JVM with {@link #shared()} (or {@link KubeClusterExtension}); it stops
 * everything it started on {@link #close()}, at the end of the JUnit run or at JVM exit.
 * Each process logs to {@code target/kube-logs/<name>.log}.
 */
public final class KubeCluster implements AutoCloseable {

    /** One process the cluster started and the TCP ports the harness told it to listen on. */
    public record Server(String name, long pid, Set<Integer> ports, Path log) {}

    public static final String LOGS_PROPERTY = "routecert.kube.logs";

    private static final String LOOPBACK = "127.0.0.1";
    private static final String CLUSTER_NAME = "routecert-test";
    private static final Duration PROCESS_READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CRD_READY_TIMEOUT = Duration.ofSeconds(30);
    private static final String PID_FILE = "pids";

    private static final Object SHARED_LOCK = new Object();
    private static KubeCluster shared;
    private static RuntimeException sharedFailure;

    private final KubeBinaries binaries;
    private final Path logs;
    private final Path runDir;
    private final String adminToken = randomToken();
    private final String controllerManagerToken = randomToken();
    private final List<KubeProcess> processes = new ArrayList<>();
    private final Map<String, Set<Integer>> ports = new LinkedHashMap<>();
    private final Set<Integer> handedOutPorts = new LinkedHashSet<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::close, "kube-cluster-stop");
    private int apiserverPort;
    private Path apiserverCa;
    private Path kubeconfig;
    private KubernetesClient admin;

    private KubeCluster(KubeBinaries binaries, Path logs) {
        this.binaries = binaries;
        this.logs = logs;
        try {
            Files.createDirectories(logs);
            this.runDir = Files.createTempDirectory("routecert-kube-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's folders", e);
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The cluster shared by every test in this JVM, started on first use. */
    public static KubeCluster shared() {
        synchronized (SHARED_LOCK) {
            if (sharedFailure != null) {
                throw new IllegalStateException(
                        "the test cluster failed to start earlier in this JVM: " + sharedFailure.getMessage(),
                        sharedFailure);
            }
            if (shared == null) {
                try {
                    shared = start(KubeBinaries.locate(), defaultLogsDir());
                } catch (RuntimeException e) {
                    sharedFailure = e;
                    throw e;
                }
            }
            return shared;
        }
    }

    /** Starts a new cluster; on failure everything already started is stopped again. */
    public static KubeCluster start(KubeBinaries binaries, Path logs) {
        KubeCluster cluster = new KubeCluster(binaries, logs);
        try {
            cluster.startAll();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static Path defaultLogsDir() {
        return Path.of(System.getProperty(LOGS_PROPERTY, "target/kube-logs")).toAbsolutePath();
    }

    /** A kubeconfig for an admin (group system:masters) of this cluster, for fabric8 and kubectl. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public URI apiserverUrl() {
        return URI.create("https://" + LOOPBACK + ":" + apiserverPort);
    }

    public Path logsDir() {
        return logs;
    }

    /** The processes this cluster runs, in start order. */
    public List<Server> servers() {
        return processes.stream()
                .map(p -> new Server(p.name(), p.pid(), Set.copyOf(ports.get(p.name())), p.log()))
                .toList();
    }

    /**
     * A fresh client configuration for the admin: no retries on errors, so an expected 5xx
     * (a failing webhook, say) surfaces at once instead of after fabric8's default ~19 s of backoff.
     */
    public Config clientConfig() {
        Config config = Config.fromKubeconfig(kubeconfig.toFile());
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(5_000);
        config.setRequestTimeout(30_000);
        return config;
    }

    /** A new admin client; the caller closes it. */
    public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(clientConfig()).build();
    }

    /** Creates a namespace named {@code prefix} plus a random suffix and returns its name. */
    public String createNamespace(String prefix) {
        return admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withGenerateName(prefix + "-")
                        .endMetadata()
                        .build())
                .create()
                .getMetadata()
                .getName();
    }

    /** Deletes a namespace; the namespace controller removes its content in the background. */
    public void deleteNamespace(String name) {
        deleteNamespace(admin, name);
    }

    /**
     * Deletes a test namespace, its routes first and at once: the namespace controller removes them
     * only later, and until then a later test class's routecert counts them as serving their hosts
     * (host ownership spans namespaces).
     */
    static void deleteNamespace(KubernetesClient client, String name) {
        for (RouteKind kind : RouteKind.values()) {
            try {
                client.genericKubernetesResources(kind.apiVersion(), kind.kind())
                        .inNamespace(name)
                        .delete();
            } catch (KubernetesClientException e) {
                System.err.println("cannot delete the " + kind.kind() + "s of " + name + ": " + e.getMessage());
            }
        }
        client.namespaces().withName(name).delete();
    }

    private void startAll() {
        long started = System.nanoTime();
        stopLeftoversOfEarlierRuns();
        Path tokens = write(
                "tokens.csv",
                // token,user,uid,"groups". The controller-manager runs with its own credentials (no
                // --use-service-account-credentials), so it needs rights to delete anything it collects.
                adminToken + ",routecert-admin,routecert-admin,\"system:masters\"\n" + controllerManagerToken
                        + ",system:kube-controller-manager,kcm,\"system:masters\"\n");
        Path[] serviceAccountKey = writeServiceAccountKey();

        long t = System.nanoTime();
        int etcdClient = freePort();
        int etcdPeer = freePort();
        String etcdUrl = "http://" + LOOPBACK + ":" + etcdClient;
        String peerUrl = "http://" + LOOPBACK + ":" + etcdPeer;
        KubeProcess etcd = launch(
                "etcd",
                Set.of(etcdClient, etcdPeer),
                List.of(
                        binaries.etcd().toString(),
                        "--name=" + CLUSTER_NAME,
                        "--data-dir=" + runDir.resolve("etcd"),
                        "--listen-client-urls=" + etcdUrl,
                        "--advertise-client-urls=" + etcdUrl,
                        "--listen-peer-urls=" + peerUrl,
                        "--initial-advertise-peer-urls=" + peerUrl,
                        "--initial-cluster=" + CLUSTER_NAME + "=" + peerUrl));
        HttpClient plain =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        etcd.awaitReady(
                PROCESS_READY_TIMEOUT,
                () -> get(plain, etcdUrl + "/health", null).contains("\"true\""));
        double etcdSeconds = secondsSince(t);

        t = System.nanoTime();
        apiserverPort = freePort();
        Path apiserverCerts = runDir.resolve("apiserver-certs");
        apiserverCa = apiserverCerts.resolve("apiserver.crt");
        KubeProcess apiserver = launch(
                "kube-apiserver",
                Set.of(apiserverPort),
                List.of(
                        binaries.apiserver().toString(),
                        "--etcd-servers=" + etcdUrl,
                        "--bind-address=" + LOOPBACK,
                        "--advertise-address=" + LOOPBACK,
                        "--secure-port=" + apiserverPort,
                        "--insecure-port=0",
                        // A self-signed serving cert for 127.0.0.1; apiserver.crt holds it and its CA.
                        "--cert-dir=" + apiserverCerts,
                        "--token-auth-file=" + tokens,
                        "--authorization-mode=RBAC",
                        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                        "--service-account-key-file=" + serviceAccountKey[1],
                        "--service-account-signing-key-file=" + serviceAccountKey[0],
                        "--service-cluster-ip-range=10.0.0.0/24",
                        // The `kubernetes` Service's Endpoints may not hold a loopback address: don't try.
                        "--endpoint-reconciler-type=none",
                        "--allow-privileged=true"));
        HttpClient[] apiserverHttp = new HttpClient[1];
        apiserver.awaitReady(PROCESS_READY_TIMEOUT, () -> {
            if (apiserverHttp[0] == null) {
                if (!Files.exists(apiserverCa)) {
                    return false;
                }
                apiserverHttp[0] = trusting(apiserverCa);
            }
            return get(apiserverHttp[0], apiserverUrl() + "/readyz", adminToken).equals("ok");
        });
        kubeconfig = writeKubeconfig("kubeconfig", "routecert-admin", adminToken);
        admin = newClient();
        double apiserverSeconds = secondsSince(t);

        // Before the controller-manager, so the garbage collector's first discovery sees the CRDs.
        t = System.nanoTime();
        installCrds();
        double crdSeconds = secondsSince(t);

        t = System.nanoTime();
        int controllerManagerPort = freePort();
        Path controllerManagerCerts = runDir.resolve("controller-manager-certs");
        Path controllerManagerKubeconfig = writeKubeconfig(
                "controller-manager.kubeconfig", "system:kube-controller-manager", controllerManagerToken);
        KubeProcess controllerManager = launch(
                "kube-controller-manager",
                Set.of(controllerManagerPort),
                List.of(
                        binaries.controllerManager().toString(),
                        "--kubeconfig=" + controllerManagerKubeconfig,
                        "--authentication-kubeconfig=" + controllerManagerKubeconfig,
                        "--authorization-kubeconfig=" + controllerManagerKubeconfig,
                        "--controllers=garbagecollector,namespace",
                        "--leader-elect=false",
                        "--bind-address=" + LOOPBACK,
                        "--secure-port=" + controllerManagerPort,
                        // 1.20 still serves plain HTTP on 0.0.0.0:10252 unless told not to.
                        "--port=0",
                        "--cert-dir=" + controllerManagerCerts));
        Path controllerManagerCa = controllerManagerCerts.resolve("kube-controller-manager.crt");
        HttpClient[] controllerManagerHttp = new HttpClient[1];
        controllerManager.awaitReady(PROCESS_READY_TIMEOUT, () -> {
            if (controllerManagerHttp[0] == null) {
                if (!Files.exists(controllerManagerCa)) {
                    return false;
                }
                controllerManagerHttp[0] = trusting(controllerManagerCa);
            }
            return get(controllerManagerHttp[0], "https://" + LOOPBACK + ":" + controllerManagerPort + "/healthz", null)
                    .equals("ok");
        });
        double controllerManagerSeconds = secondsSince(t);

        System.out.printf(
                "kube env ready in %.1f s (etcd %.1f s, apiserver %.1f s, CRDs %.1f s,"
                        + " controller-manager %.1f s); kubeconfig %s, logs %s%n",
                secondsSince(started),
                etcdSeconds,
                apiserverSeconds,
                crdSeconds,
                controllerManagerSeconds,
                kubeconfig,
                logs);
    }

    private KubeProcess launch(String name, Set<Integer> listenPorts, List<String> command) {
        KubeProcess process = KubeProcess.start(name, command, logs.resolve(name + ".log"));
        processes.add(process);
        ports.put(name, listenPorts);
        recordPids();
        return process;
    }

    private void installCrds() {
        List<CustomResourceDefinition> crds = crdFiles().stream()
                .map(file -> {
                    try (InputStream in = Files.newInputStream(file)) {
                        return admin.apiextensions()
                                .v1()
                                .customResourceDefinitions()
                                .load(in)
                                .item();
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read CRD " + file, e);
                    }
                })
                .toList();
        crds.forEach(crd -> admin.apiextensions()
                .v1()
                .customResourceDefinitions()
                .resource(crd)
                .create());
        for (CustomResourceDefinition crd : crds) {
            String name = crd.getMetadata().getName();
            try {
                admin.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName(name)
                        .waitUntilCondition(KubeCluster::established, CRD_READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (KubernetesClientException e) {
                throw new IllegalStateException(
                        "CRD " + name + " not Established within " + CRD_READY_TIMEOUT.toSeconds() + " s: "
                                + e.getMessage(),
                        e);
            }
            // Established can come a moment before discovery lists the resource; clients that
            // resolve kinds through discovery would then fail.
            for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
                awaitDiscovery(
                        crd.getSpec().getGroup() + "/" + version.getName(),
                        crd.getSpec().getNames().getPlural());
            }
        }
    }

    private void awaitDiscovery(String groupVersion, String plural) {
        long deadline = System.nanoTime() + CRD_READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            APIResourceList list = admin.getApiResources(groupVersion);
            if (list != null
                    && list.getResources().stream().map(APIResource::getName).anyMatch(plural::equals)) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException(plural + " not in API discovery of " + groupVersion + " within "
                + CRD_READY_TIMEOUT.toSeconds() + " s");
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static List<Path> crdFiles() {
        try {
            var url = KubeCluster.class.getResource("/crds");
            if (url == null) {
                throw new IllegalStateException("no crds/ folder on the test class path (src/test/resources/crds)");
            }
            try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                return files.filter(f -> f.toString().endsWith(".yaml"))
                        .sorted()
                        .toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path writeKubeconfig(String fileName, String user, String token) {
        return write(fileName, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                    certificate-authority: %3$s
                users:
                - name: %4$s
                  user:
                    token: %5$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %4$s
                    namespace: default
                current-context: %1$s
                """.formatted(CLUSTER_NAME, apiserverUrl(), apiserverCa, user, token));
    }

    /** Writes a PKCS#8 private key and its public key for signing and checking service-account tokens. */
    private Path[] writeServiceAccountKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return new Path[] {
                write(
                        "service-account.key",
                        pem("PRIVATE KEY", pair.getPrivate().getEncoded())),
                write("service-account.pub", pem("PUBLIC KEY", pair.getPublic().getEncoded())),
            };
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private Path write(String fileName, String content) {
        try {
            return Files.writeString(runDir.resolve(fileName), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTTP client that trusts exactly the certificates in {@code pemFile} (hostname checked). */
    private static HttpClient trusting(Path pemFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pemFile)) {
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("cert-" + i++, cert);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder()
                .sslContext(ssl)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    private static String get(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body().trim();
    }

    /** A port that was free a moment ago on 127.0.0.1, never the same twice for one cluster. */
    private int freePort() {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
                int port = socket.getLocalPort();
                if (handedOutPorts.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on " + LOOPBACK, e);
            }
        }
        throw new IllegalStateException("no distinct free port on " + LOOPBACK);
    }

    /**
     * Records the pids so that the next run can stop processes a killed JVM (a Failsafe timeout,
     * say) left behind; they would otherwise keep their ports and memory.
     */
    private void recordPids() {
        StringBuilder lines = new StringBuilder();
        for (KubeProcess p : processes) {
            ProcessHandle.of(p.pid())
                    .flatMap(h -> h.info().command())
                    .ifPresent(
                            cmd -> lines.append(p.pid()).append(' ').append(cmd).append('\n'));
        }
        try {
            Files.writeString(logs.resolve(PID_FILE), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stopLeftoversOfEarlierRuns() {
        Path pidFile = logs.resolve(PID_FILE);
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(pidFile)) {
                String[] parts = line.split(" ", 2);
                if (parts.length == 2) {
                    ProcessHandle.of(Long.parseLong(parts[0]))
                            .filter(h ->
                                    h.info().command().map(parts[1]::equals).orElse(false))
                            .ifPresent(h -> {
                                System.out.println(
                                        "stopping " + parts[1] + " (pid " + h.pid() + ") left by an earlier run");
                                h.destroyForcibly();
                            });
                }
            }
            Files.delete(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // close() runs from the hook itself
        }
        if (admin != null) {
            admin.close();
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            try {
                processes.get(i).close();
            } catch (RuntimeException e) {
                System.err.println("could not stop " + processes.get(i).name() + ": " + e);
            }
        }
        try {
            Files.deleteIfExists(logs.resolve(PID_FILE));
            try (Stream<Path> tree = Files.walk(runDir)) {
                tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException e) {
            System.err.println("could not clean up " + runDir + ": " + e);
        }
        System.out.println("kube env stopped (" + processes.size() + " processes)");
    }

    private static String randomToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static double secondsSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1e9;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
