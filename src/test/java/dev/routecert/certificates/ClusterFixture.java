package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.kube.KubeBinaries;
import dev.routecert.kube.KubeCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the Certificate ITs share on the real API server: namespaces labelled so that only this test's
 * webhooks see them, issuers, kubectl, and waiting for a condition with a bounded deadline.
 */
public final class ClusterFixture implements AutoCloseable {

    public static final ResourceDefinitionContext CERTIFICATES = CachedKind.CERTIFICATE.context();
    public static final String TEST_LABEL = "routecert.dev/test";

    public final KubeCluster cluster;
    public final KubernetesClient client;
    /** The value of {@link #TEST_LABEL} on this fixture's namespaces; webhooks select on it. */
    public final String label;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Runnable> cleanups = new ArrayList<>();

    public ClusterFixture(KubeCluster cluster) {
        this.cluster = cluster;
        this.client = cluster.newClient();
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        this.label = HexFormat.of().formatHex(random);
    }

    /** A fresh namespace carrying this fixture's label (and {@code extraLabels}, key then value). */
    public String namespace(String prefix, String... extraLabels) {
        String name = cluster.createNamespace(prefix);
        client.namespaces().withName(name).edit(ns -> {
            ns.getMetadata().getLabels().put(TEST_LABEL, label);
            ns.getMetadata().getLabels().putAll(map(extraLabels));
            return ns;
        });
        namespaces.add(name);
        return name;
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

    public Resource<GenericKubernetesResource> certificate(String namespace, String name) {
        return client.genericKubernetesResources(CERTIFICATES).inNamespace(namespace).withName(name);
    }

    /** ClusterIssuers every Certificate IT may name: a CA issuer, and ACME issuers with and without DNS-01. */
    public void clusterIssuers() {
        for (String yaml : List.of("""
                apiVersion: cert-manager.io/v1
                kind: ClusterIssuer
                metadata: {name: test-ca}
                spec: {ca: {secretName: test-ca}}
                """, """
                apiVersion: cert-manager.io/v1
                kind: ClusterIssuer
                metadata: {name: acme-http}
                spec:
                  acme:
                    server: https://acme.invalid/directory
                    privateKeySecretRef: {name: acme-http}
                    solvers: [{http01: {ingress: {class: traefik}}}]
                """, """
                apiVersion: cert-manager.io/v1
                kind: ClusterIssuer
                metadata: {name: acme-dns}
                spec:
                  acme:
                    server: https://acme.invalid/directory
                    privateKeySecretRef: {name: acme-dns}
                    solvers: [{dns01: {webhook: {groupName: acme.example.com, solverName: test}}}]
                """)) {
            GenericKubernetesResource issuer = parse(yaml);
            client.resource(issuer).createOr(existing -> existing.update());
            onClose(() -> client.resource(issuer).delete()); // cluster-scoped: leave the cluster as found
        }
    }

    /** kubectl's exit code, stdout and stderr. */
    public record Kubectl(int exitCode, String out, String err, long millis) {
    }

    public Kubectl kubectl(String stdin, String... args) {
        Path kubectl = KubeBinaries.onPath("kubectl");
        if (kubectl == null) {
            throw new IllegalStateException("kubectl not on PATH (kube-binaries.sh installs Debian's kubernetes-client when missing)");
        }
        List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", cluster.kubeconfig().toString()));
        command.addAll(List.of(args));
        try {
            long started = System.nanoTime();
            Process process = new ProcessBuilder(command).start();
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            var out = process.getInputStream().readAllBytes();
            var err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish within 60 s");
            }
            return new Kubectl(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err, StandardCharsets.UTF_8), (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kubectl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Polls until {@code condition} holds; fails with {@code what} and the last value seen. */
    public static <T> T await(String what, Duration timeout, Supplier<T> probe, java.util.function.Predicate<T> condition) {
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

    public static Map<String, String> map(String... keyValues) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
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
