package dev.routecert.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.config.CertificateOptions;
import dev.routecert.config.ServeConfig;
import dev.routecert.files.MountedVolume;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.routes.RouteKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * What the ITs share on the real API server: routecert registered through {@link WebhookUnderTest},
 * extra namespaces, issuers, kubectl, and waiting for a condition with a bounded deadline.
 * Everything it made is removed on close. {@link KubeClusterExtension} gives one to each test class.
 */
public final class ClusterFixture implements AutoCloseable {

    public static final ResourceDefinitionContext CERTIFICATES = new ResourceDefinitionContext.Builder()
            .withGroup("cert-manager.io")
            .withVersion("v1")
            .withKind("Certificate")
            .withPlural("certificates")
            .withNamespaced(true)
            .build();
    public static final ResourceDefinitionContext DNS_ENDPOINTS = new ResourceDefinitionContext.Builder()
            .withGroup("externaldns.k8s.io")
            .withVersion("v1alpha1")
            .withKind("DNSEndpoint")
            .withPlural("dnsendpoints")
            .withNamespaced(true)
            .build();
    public final KubeCluster cluster;
    public final KubernetesClient client;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Runnable> cleanups = new ArrayList<>();

    public ClusterFixture(KubeCluster cluster) {
        this.cluster = cluster;
        this.client = cluster.newClient();
    }

    /** A fresh namespace outside routecert's registration; deleted on close. */
    public String namespace(String prefix) {
        String name = cluster.createNamespace(prefix);
        namespaces.add(name);
        return name;
    }

    /** Adds a label to a namespace, for the selector of another webhook. */
    public void label(String namespace, String key, String value) {
        client.namespaces()
                .withName(namespace)
                .edit(ns -> new NamespaceBuilder(ns)
                        .editMetadata()
                        .addToLabels(key, value)
                        .endMetadata()
                        .build());
    }

    public void onClose(Runnable cleanup) {
        cleanups.add(cleanup);
    }

    public GenericKubernetesResource create(String yaml) {
        GenericKubernetesResource object = parse(yaml);
        return client.resource(object).create();
    }

    public GenericKubernetesResource parse(String yaml) {
        return client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    }

    public JsonNode json(Object object) {
        return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
    }

    /** The route {@code namespace/name} of {@code kind} as the API server stores it now. */
    public Resource<GenericKubernetesResource> route(RouteKind kind, String namespace, String name) {
        return client.genericKubernetesResources(kind.apiVersion(), kind.kind())
                .inNamespace(namespace)
                .withName(name);
    }

    public Resource<GenericKubernetesResource> certificate(String namespace, String name) {
        return client.genericKubernetesResources(CERTIFICATES)
                .inNamespace(namespace)
                .withName(name);
    }

    /** The external-dns DNSEndpoint, or null when there is none. */
    public GenericKubernetesResource dnsEndpoint(String namespace, String name) {
        return client.genericKubernetesResources(DNS_ENDPOINTS)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** ClusterIssuers every Certificate IT may name: a CA issuer, and ACME issuers with and without DNS-01. */
    public void clusterIssuers() {
        clusterScoped("""
                apiVersion: cert-manager.io/v1
                kind: ClusterIssuer
                metadata: {name: test-ca}
                spec: {ca: {secretName: test-ca}}
                """);
        acmeClusterIssuer("acme-http", "{http01: {ingress: {class: traefik}}}");
        acmeClusterIssuer("acme-dns", "{dns01: {webhook: {groupName: acme.example.com, solverName: test}}}");
    }

    /** An ACME ClusterIssuer with one {@code solver}; its server is never called. */
    public void acmeClusterIssuer(String name, String solver) {
        clusterScoped("""
                apiVersion: cert-manager.io/v1
                kind: ClusterIssuer
                metadata: {name: %s}
                spec:
                  acme:
                    server: https://acme.invalid/directory
                    privateKeySecretRef: {name: %s}
                    solvers: [%s]
                """.formatted(name, name, solver));
    }

    /** Creates (or updates) a cluster-scoped object, deleted on close to leave the cluster as found. */
    public GenericKubernetesResource clusterScoped(String yaml) {
        GenericKubernetesResource object = parse(yaml);
        GenericKubernetesResource stored = client.resource(object).createOr(existing -> existing.update());
        onClose(() -> client.resource(object).delete());
        return stored;
    }

    /** kubectl's exit code, stdout and stderr. */
    public record Kubectl(int exitCode, String out, String err, long millis) {}

    public Kubectl kubectl(String stdin, String... args) {
        try {
            long started = System.nanoTime();
            Commands.CommandResult result = Commands.kubectl(cluster, stdin, args);
            return new Kubectl(
                    result.exitCode(), result.stdout(), result.stderr(), (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kubectl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * routecert started in-process with {@code options} and registered as manifests/ registers it
     * ({@link WebhookUnderTest}), for the namespaces made with {@link WebhookUnderTest#namespace}.
     */
    public WebhookUnderTest routecert(CertificateOptions options) {
        return routecert(cluster.kubeconfig(), ownClaimsNamespace(options));
    }

    /**
     * {@code options} with host claims in a namespace of this class's own, unless they name one:
     * test classes share the cluster and its host names.
     */
    public CertificateOptions ownClaimsNamespace(CertificateOptions options) {
        return options.claimsNamespace().equals(CertificateOptions.defaults().claimsNamespace())
                ? options.withHostClaims(namespace("claims"), options.hostClaimGrace())
                : options;
    }

    /**
     * The same, authenticated with {@code kubeconfig}: claims stay where {@code options} put them,
     * by default in the namespace the manifests' Role grants.
     */
    public WebhookUnderTest routecert(Path kubeconfig, CertificateOptions options) {
        return routecert(kubeconfig, options, UnaryOperator.identity());
    }

    /** The same, with {@code tweak} applied to the serve options too. */
    public WebhookUnderTest routecert(Path kubeconfig, CertificateOptions options, UnaryOperator<ServeConfig> tweak) {
        return start(
                PolicyConfig.defaults(),
                config -> tweak.apply(config.withCertificates(options).withKubeconfig(kubeconfig)));
    }

    /**
     * routecert with its policy options set, and {@code tweak} applied to the serve options (scope,
     * Certificate options, the policy file); it reads the cluster as admin.
     */
    public WebhookUnderTest routecert(PolicyConfig policy, UnaryOperator<ServeConfig> tweak) {
        return start(policy, 1, config -> {
            ServeConfig tweaked = tweak.apply(config.withKubeconfig(cluster.kubeconfig()));
            return tweaked.withCertificates(ownClaimsNamespace(tweaked.certificates()));
        });
    }

    /**
     * A policy file in a directory laid out as a mounted ConfigMap (its {@code ..data} link swapped on
     * each {@link MountedVolume#write}), holding {@code yaml} as {@code policy.yaml}.
     */
    public MountedVolume policyVolume(String yaml) {
        try {
            Path dir = Files.createTempDirectory("routecert-policy-");
            onClose(() -> deleteTree(dir));
            MountedVolume volume = new MountedVolume(dir);
            volume.write("policy.yaml", yaml);
            return volume;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * routecert started with {@code --policy-file policyFile}, polled every 100ms, and host claims in a
     * namespace of this class's own. The file must hold a valid policy before the start; change it with
     * {@link #writePolicy}.
     */
    public WebhookUnderTest routecert(CertificateOptions options, Path policyFile) {
        return routecert(
                PolicyConfig.defaults(),
                config -> config.withCertificates(options).withPolicyFile(policyFile, Duration.ofMillis(100)));
    }

    /**
     * Replaces the policy file as a ConfigMap update does (a new file moved over the old one) and
     * waits until {@code webhook} has it in force.
     */
    public static void writePolicy(WebhookUnderTest webhook, Path policyFile, String yaml) {
        try {
            byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
            Path next = policyFile.resolveSibling(policyFile.getFileName() + ".next");
            Files.write(next, bytes);
            Files.move(next, policyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String sha = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            await(
                    "policy file in force",
                    Duration.ofSeconds(20),
                    () -> webhook.routecert().policy().sha256(),
                    sha::equals);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code replicas} routecerts with the same {@code options} behind one registration, a
     * {@link RoundRobinProxy} dealing the API server's connections to them.
     */
    public WebhookUnderTest routecert(CertificateOptions options, int replicas) {
        CertificateOptions own = ownClaimsNamespace(options);
        return start(
                PolicyConfig.defaults(),
                replicas,
                config -> config.withCertificates(own).withKubeconfig(cluster.kubeconfig()));
    }

    private WebhookUnderTest start(PolicyConfig policy, UnaryOperator<ServeConfig> tweak) {
        return start(policy, 1, tweak);
    }

    private WebhookUnderTest start(PolicyConfig policy, int replicas, UnaryOperator<ServeConfig> tweak) {
        try {
            Path dir = Files.createTempDirectory("routecert-it-");
            onClose(() -> deleteTree(dir));
            WebhookUnderTest webhook = WebhookUnderTest.start(cluster, dir, policy, tweak, replicas);
            onClose(webhook::close);
            return webhook;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start routecert", e);
        }
    }

    /** The label value that puts a namespace under {@code webhook}'s registration (read from one of its namespaces). */
    public String runLabel(String webhookNamespace) {
        return client.namespaces()
                .withName(webhookNamespace)
                .get()
                .getMetadata()
                .getLabels()
                .get(WebhookUnderTest.RUN_LABEL);
    }

    /** Posts an AdmissionReview to routecert's /mutate as the API server would; returns its response. */
    public static JsonNode mutate(WebhookUnderTest webhook, JsonNode review) throws Exception {
        HttpClient https = HttpClient.newBuilder()
                .sslContext(webhook.pki().clientContext("TLS"))
                .build();
        HttpResponse<String> response = https.send(
                HttpRequest.newBuilder(URI.create(
                                "https://127.0.0.1:" + webhook.routecert().securePort() + "/mutate"))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(15))
                        .POST(HttpRequest.BodyPublishers.ofString(review.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("/mutate answered " + response.statusCode() + ": " + response.body());
        }
        return new ObjectMapper().readTree(response.body()).path("response");
    }

    /**
     * A kubeconfig of the suite's API server that authenticates as ServiceAccount {@code namespace/name}
     * (a token valid for an hour), for routecert run with only the permissions bound to it.
     */
    public Path serviceAccountKubeconfig(String namespace, String name) throws IOException {
        String token = client.serviceAccounts()
                .inNamespace(namespace)
                .withName(name)
                .tokenRequest(new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(3600L)
                        .endSpec()
                        .build())
                .getStatus()
                .getToken();
        Path kubeconfig = Files.createTempFile("routecert-sa-", ".kubeconfig");
        Files.writeString(
                kubeconfig, Files.readString(cluster.kubeconfig()).replaceAll("(?m)^(\\s*token: ).*$", "$1" + token));
        return kubeconfig;
    }

    /** Polls until {@code condition} holds; fails with {@code what} and the last value seen. */
    public static <T> T await(String what, Duration timeout, Supplier<T> probe, Predicate<T> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = probe.get();
        while (!condition.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not within " + timeout.toSeconds() + " s; last seen: " + last);
            }
            sleep(100);
            last = probe.get();
        }
        return last;
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, String> map(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Override
    public void close() {
        for (int i = cleanups.size() - 1; i >= 0; i--) {
            try {
                cleanups.get(i).run();
            } catch (RuntimeException e) {
                System.err.println("cleanup failed: " + e);
            }
        }
        namespaces.forEach(cluster::deleteNamespace);
        client.close();
    }
}
