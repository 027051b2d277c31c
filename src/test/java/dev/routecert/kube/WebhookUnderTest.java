package dev.routecert.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.Routecert;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.StoreException;
import dev.routecert.config.ServeConfig;
import dev.routecert.http.TestServer;
import dev.routecert.kube.Commands.CommandResult;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.time.Clock;
import dev.routecert.tls.SecretVolume;
import dev.routecert.tls.TestPki;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * routecert registered with the real API server exactly as {@code manifests/} ships it: the
 * rendered Mutating- and ValidatingWebhookConfiguration, with only the client config pointed at an
 * in-process {@link Routecert} (URL instead of Service, the test CA as caBundle) and a namespace
 * selector narrowed to this run's namespaces, so that other tests sharing the cluster are untouched.
 * With several replicas, they share the serving certificate and the registration points at a
 * {@link RoundRobinProxy} in front of them, as a Service would.
 */
public final class WebhookUnderTest implements AutoCloseable {

    /** Namespaces labelled with this key and the run id are the only ones the registration applies to. */
    public static final String RUN_LABEL = "routecert.dev/e2e-run";

    private final KubeCluster cluster;
    private final KubernetesClient admin;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final TestPki pki = new TestPki();
    private final SecretVolume volume;
    private final List<String> namespaces = new ArrayList<>();
    private final String webhookName;
    private final List<Routecert> replicas = new ArrayList<>();
    private RoundRobinProxy proxy;

    private WebhookUnderTest(KubeCluster cluster, Path dir) throws IOException {
        this.cluster = cluster;
        this.admin = cluster.newClient();
        this.volume = new SecretVolume(dir.resolve("serving-cert"));
        this.webhookName = "routecert-e2e-" + runId;
    }

    /** Starts routecert against {@code cluster}, registers it, and waits until the API server calls it. */
    public static WebhookUnderTest start(
            KubeCluster cluster, Path dir, PolicyConfig policy, UnaryOperator<ServeConfig> tweak) throws Exception {
        return start(cluster, dir, policy, tweak, 1);
    }

    /** The same with {@code replicas} routecerts, behind a round-robin proxy when more than one. */
    public static WebhookUnderTest start(
            KubeCluster cluster, Path dir, PolicyConfig policy, UnaryOperator<ServeConfig> tweak, int replicas)
            throws Exception {
        WebhookUnderTest webhook = new WebhookUnderTest(cluster, dir);
        try {
            webhook.volume.write(webhook.pki.issue(TestPki.KeyFormat.EC_PKCS8));
            ServeConfig config = tweak.apply(TestServer.defaults().toBuilder()
                    .certificateFiles(webhook.volume.certificateFile(), webhook.volume.keyFile())
                    .certReloadInterval(Duration.ofMillis(200))
                    .requestReadTimeout(Duration.ofSeconds(10))
                    .kubernetes(ServeConfig.KubernetesMode.AUTO)
                    .kubeconfig(cluster.kubeconfig())
                    .build());
            for (int i = 0; i < replicas; i++) {
                Routecert replica = Routecert.start(config, policy);
                webhook.replicas.add(replica);
                webhook.awaitReady(replica);
            }
            if (replicas > 1) {
                webhook.proxy = new RoundRobinProxy(
                        webhook.replicas.stream().map(Routecert::securePort).toList());
            }
            webhook.register();
            return webhook;
        } catch (Exception | AssertionError e) {
            webhook.close();
            throw e;
        }
    }

    /** The (first) replica. */
    public Routecert routecert() {
        return replicas.isEmpty() ? null : replicas.getFirst();
    }

    /** The first replica's {@code /metrics} in Prometheus text, or empty while it cannot be read. */
    public String metrics() {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + routecert().healthPort() + "/metrics"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * Whether the (first) replica treats {@code namespace} as exempt: its webhook guard and its
     * reconciler share one, which refuses a write there before anything is sent.
     */
    public boolean exempts(String namespace) {
        try {
            routecert()
                    .certificates()
                    .orElseThrow()
                    .admissionStore()
                    .delete(
                            namespace,
                            "no-such-certificate",
                            "no-uid",
                            Deadline.in(Duration.ofSeconds(5), Clock.system()));
            return false;
        } catch (StoreException e) {
            return e.kind() == StoreException.Kind.FORBIDDEN;
        }
    }

    /** Every replica, in the order the proxy deals connections to them. */
    public List<Routecert> replicas() {
        return List.copyOf(replicas);
    }

    /** The proxy in front of the replicas; absent with one replica. */
    public Optional<RoundRobinProxy> proxy() {
        return Optional.ofNullable(proxy);
    }

    public TestPki pki() {
        return pki;
    }

    public SecretVolume servingCertificateVolume() {
        return volume;
    }

    public KubernetesClient admin() {
        return admin;
    }

    public String webhookConfigurationName() {
        return webhookName;
    }

    /** A new namespace this registration applies to; deleted on close. */
    public String namespace(String prefix) {
        return namespace(prefix, Map.of());
    }

    /**
     * A namespace with {@code labels} from its creation on, so that the namespace cache never holds it
     * without them (a policy file's selectors read them there).
     */
    public String namespace(String prefix, Map<String, String> labels) {
        String name = admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withGenerateName(prefix + "-")
                        .addToLabels(labels)
                        .addToLabels(RUN_LABEL, runId)
                        .endMetadata()
                        .build())
                .create()
                .getMetadata()
                .getName();
        namespaces.add(name);
        return name;
    }

    public CommandResult kubectl(String stdin, String... args) throws IOException, InterruptedException {
        return Commands.kubectl(cluster, stdin, args);
    }

    /** Stops the servers while the registration stays: the API server then finds nobody at the URL. */
    public void stopServer() {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        replicas.forEach(Routecert::close);
        replicas.clear();
    }

    /** The webhook configurations {@code kubectl kustomize manifests/} renders. */
    public static List<JsonNode> renderedWebhookConfigurations() throws IOException, InterruptedException {
        CommandResult rendered = Commands.run(List.of(
                KubeBinaries.onPath("kubectl").toString(),
                "kustomize",
                Path.of("manifests").toAbsolutePath().toString()));
        assertEquals(0, rendered.exitCode(), rendered.output());
        List<JsonNode> documents = new YAMLMapper()
                .readerFor(JsonNode.class)
                .<JsonNode>readValues(rendered.stdout())
                .readAll();
        return documents.stream()
                .filter(d -> d.path("kind").asText().endsWith("WebhookConfiguration"))
                .toList();
    }

    private void register() throws Exception {
        String caBundle = Base64.getEncoder().encodeToString(pki.caPem().getBytes(StandardCharsets.US_ASCII));
        List<JsonNode> rendered = renderedWebhookConfigurations();
        assertEquals(2, rendered.size(), "manifests/ must render one mutating and one validating configuration");
        for (JsonNode document : rendered) {
            String yaml = document.toString();
            if (document.path("kind").asText().equals("MutatingWebhookConfiguration")) {
                MutatingWebhookConfiguration configuration =
                        Serialization.unmarshal(yaml, MutatingWebhookConfiguration.class);
                configuration.getMetadata().setName(webhookName);
                for (MutatingWebhook hook : configuration.getWebhooks()) {
                    hook.setClientConfig(pointHere(hook.getClientConfig(), caBundle));
                    hook.setNamespaceSelector(narrow(hook.getNamespaceSelector()));
                }
                admin.admissionRegistration()
                        .v1()
                        .mutatingWebhookConfigurations()
                        .resource(configuration)
                        .create();
            } else {
                ValidatingWebhookConfiguration configuration =
                        Serialization.unmarshal(yaml, ValidatingWebhookConfiguration.class);
                configuration.getMetadata().setName(webhookName);
                for (ValidatingWebhook hook : configuration.getWebhooks()) {
                    hook.setClientConfig(pointHere(hook.getClientConfig(), caBundle));
                    hook.setNamespaceSelector(narrow(hook.getNamespaceSelector()));
                }
                admin.admissionRegistration()
                        .v1()
                        .validatingWebhookConfigurations()
                        .resource(configuration)
                        .create();
            }
        }
        awaitCalled();
    }

    private WebhookClientConfig pointHere(WebhookClientConfig shipped, String caBundle) {
        String path = shipped.getService() == null
                ? shipped.getUrl()
                : shipped.getService().getPath();
        return new WebhookClientConfigBuilder()
                .withUrl("https://127.0.0.1:"
                        + (proxy != null ? proxy.port() : routecert().securePort()) + path)
                .withCaBundle(caBundle)
                .build();
    }

    private LabelSelector narrow(LabelSelector shipped) {
        LabelSelector selector = shipped == null ? new LabelSelector() : shipped;
        List<LabelSelectorRequirement> expressions =
                new ArrayList<>(selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions());
        expressions.add(new LabelSelectorRequirementBuilder()
                .withKey(RUN_LABEL)
                .withOperator("In")
                .withValues(runId)
                .build());
        selector.setMatchExpressions(expressions);
        return selector;
    }

    private static void awaitReady(Routecert routecert) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> readyz = null;
        while (System.nanoTime() < deadline) {
            readyz = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + routecert.healthPort() + "/readyz"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (readyz.statusCode() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("routecert did not become ready: " + (readyz == null ? "no answer" : readyz.body()));
    }

    /** The API server picks up a new webhook configuration asynchronously: wait until it calls routecert. */
    private void awaitCalled() throws Exception {
        String probe = namespace("probe");
        String route = """
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: probe}
                spec:
                  routes:
                    - match: HostSNI(`probe.example.com`)
                      kind: Rule
                      services: [{name: probe, port: 80}]
                """;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        CommandResult result = null;
        while (System.nanoTime() < deadline) {
            result = kubectl(route, "apply", "--dry-run=server", "-n", probe, "-f", "-");
            if (result.exitCode() != 0 && result.stderr().contains("denied the request")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the API server never called routecert: " + (result == null ? "" : result.output()));
    }

    @Override
    public void close() {
        try {
            admin.admissionRegistration()
                    .v1()
                    .mutatingWebhookConfigurations()
                    .withName(webhookName)
                    .delete();
            admin.admissionRegistration()
                    .v1()
                    .validatingWebhookConfigurations()
                    .withName(webhookName)
                    .delete();
            namespaces.forEach(namespace -> KubeCluster.deleteNamespace(admin, namespace));
        } finally {
            stopServer();
            admin.close();
        }
    }
}
