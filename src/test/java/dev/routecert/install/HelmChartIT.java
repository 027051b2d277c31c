package dev.routecert.install;

import static dev.routecert.install.RenderedManifests.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import dev.routecert.Routecert;
import dev.routecert.config.CertificateOptions;
import dev.routecert.config.ServeConfig;
import dev.routecert.http.TestServer;
import dev.routecert.kube.Commands;
import dev.routecert.kube.Commands.CommandResult;
import dev.routecert.kube.KubeCluster;
import dev.routecert.kube.RoundRobinProxy;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.time.Await;
import dev.routecert.tls.SecretVolume;
import dev.routecert.tls.TestPki;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart against the kustomize base (the same objects for the default values) and against the
 * suite's real API server (1.20): installed with helm-java, a route applied through it, and no apply
 * lost while it is installed or upgraded.
 *
 * <p>The API server here runs no kubelet and no deployment controller, so the test plays both: it
 * runs the "pods" as in-process routecerts behind a {@link RoundRobinProxy} (the Service; the chart's
 * {@code webhook.url} and {@code webhook.caBundle} point the registration at it), and, once they
 * answer {@code /readyz}, writes the ReplicaSet and the Deployment status a controller would, which
 * is what {@code helm --wait} waits for.
 */
class HelmChartIT {

    private static final String RUN_LABEL = "routecert.dev/e2e-run";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int JUDGED_APPLIES = 20;

    private final String run = UUID.randomUUID().toString().substring(0, 6);
    private final String release = "routecert-h" + run;
    private final List<Routecert> pods = Collections.synchronizedList(new ArrayList<>());
    private final List<String> namespaces = new ArrayList<>();
    private KubeCluster cluster;
    private KubernetesClient admin;
    private RoundRobinProxy service;
    private Loop loop;

    @AfterEach
    void cleanUp() {
        if (loop != null) {
            loop.stop();
        }
        if (admin != null) {
            // Hooks are not part of the release: helm uninstall leaves them (install.md, "Uninstall").
            admin.admissionRegistration()
                    .v1()
                    .mutatingWebhookConfigurations()
                    .withName(release)
                    .delete();
            admin.admissionRegistration()
                    .v1()
                    .validatingWebhookConfigurations()
                    .withName(release)
                    .delete();
        }
        pods.forEach(Routecert::close);
        if (service != null) {
            service.close();
        }
        if (cluster != null && !namespaces.isEmpty()) {
            try {
                Helm.uninstall(release)
                        .withNamespace(namespaces.getFirst())
                        .withKubeConfig(cluster.kubeconfig())
                        .ignoreNotFound()
                        .call();
            } catch (RuntimeException e) {
                System.out.println("helm uninstall " + release + ": " + e.getMessage());
            }
            namespaces.forEach(cluster::deleteNamespace);
        }
    }

    /**
     * One source of truth: for the default values, helm template renders what kubectl kustomize
     * renders, object by object, but for what Helm adds (its labels, the options' checksum), the
     * Namespace (created before the release: install.md) and the options ConfigMap's hash suffix.
     */
    @Test
    void rendersTheKustomizeBaseObjectByObject() throws Exception {
        Map<String, Object> values = HelmChart.defaults();
        values.put("webhook", Map.of("registerAfterReady", false)); // helm-java's template leaves hooks out
        Map<String, ObjectNode> chart = byIdentity(HelmChart.render(values, "1.31.0"));
        Map<String, ObjectNode> kustomize =
                byIdentity(RenderedManifests.render().all());
        assertEquals(Set.of("Namespace routecert"), difference(kustomize.keySet(), chart.keySet()));
        assertEquals(Set.of(), difference(chart.keySet(), kustomize.keySet()));
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, ObjectNode> object : chart.entrySet()) {
            ObjectNode fromKustomize = kustomize.get(object.getKey());
            RenderedManifests.differences(object.getValue(), fromKustomize, "")
                    .forEach(p -> differences.add(object.getKey() + " " + p + ": chart "
                            + object.getValue().at(pointer(p)) + ", kustomize " + fromKustomize.at(pointer(p))));
        }
        assertEquals(List.of(), differences);
    }

    /**
     * helm install --wait registers the webhooks in a post-install hook, after the pods are ready:
     * route applies that start with the install and run through it all succeed, and once the
     * webhooks are registered routecert judges them (a bad route is denied).
     */
    @Test
    void aFreshInstallUnderALoopOfAppliesLosesNone(@TempDir Path dir) throws Exception {
        setUp(dir);
        loop = Loop.start(admin, namespaces.get(1), run, "app");
        CompletableFuture<Release> installed = install(true);
        awaitDeployment(1);
        loop.awaitMore(10); // applies while no pod is ready yet
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ports.add(startPod(dir).securePort());
        }
        service.route(ports);
        markRolledOut(1);
        Release release = installed.get();
        assertEquals("deployed", release.getStatus(), release.getOutput());
        awaitJudgedBy(routecertAfterRegistration());
        loop.awaitJudged(JUDGED_APPLIES);
        loop.stop();
        assertEquals(List.of(), loop.failures(), "applies that failed during the install");
        System.out.println("install under load: " + loop.summary());

        // What the chart stored in the 1.20 server: the 1.20 variants, and the webhooks as hooks.
        assertEquals(
                "policy/v1beta1",
                admin.genericKubernetesResources("policy/v1beta1", "PodDisruptionBudget")
                        .inNamespace(namespaces.getFirst())
                        .withName(this.release)
                        .get()
                        .getApiVersion());
        assertEquals(
                "post-install,post-upgrade",
                admin.admissionRegistration()
                        .v1()
                        .mutatingWebhookConfigurations()
                        .withName(this.release)
                        .get()
                        .getMetadata()
                        .getAnnotations()
                        .get("helm.sh/hook"));

        // Uninstall as install.md says: the registrations by label first (helm uninstall leaves hooks).
        CommandResult deleted = Commands.kubectl(
                cluster,
                null,
                "delete",
                "mutatingwebhookconfiguration,validatingwebhookconfiguration",
                "-l",
                "app.kubernetes.io/instance=" + this.release);
        assertEquals(0, deleted.exitCode(), deleted.output());
        assertEquals(
                2, deleted.stdout().lines().filter(l -> l.endsWith(" deleted")).count(), deleted.output());
        Helm.uninstall(this.release)
                .withNamespace(namespaces.getFirst())
                .withKubeConfig(cluster.kubeconfig())
                .call();
        assertEquals(null, deployment(), "helm uninstall removes the release's objects");
        loop = Loop.start(admin, namespaces.get(1), run, "after");
        loop.awaitMore(5);
        loop.stop();
        assertEquals(List.of(), loop.failures(), "route writes after the uninstall");
    }

    /** The same install with the webhooks registered with the release instead: applies fail until a pod answers. */
    @Test
    void registeredWithTheReleaseInsteadTheSameInstallLosesApplies(@TempDir Path dir) throws Exception {
        setUp(dir);
        loop = Loop.start(admin, namespaces.get(1), run, "app");
        CompletableFuture<Release> installed = install(false);
        awaitDeployment(1);
        Await.until(
                "an apply fails while no pod is ready",
                TIMEOUT,
                () -> !loop.failures().isEmpty(),
                loop::summary);
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ports.add(startPod(dir).securePort());
        }
        service.route(ports);
        markRolledOut(1);
        installed.get();
        loop.stop();
        assertTrue(
                loop.failures().stream().allMatch(f -> f.contains("failed calling webhook")),
                String.join("\n", loop.failures()));
        System.out.println("install with the webhooks in the release: " + loop.summary());
    }

    /**
     * helm upgrade --wait under a loop of applies: the pods are replaced one by one as the Deployment's
     * strategy says (maxSurge 1, maxUnavailable 0: a new pod is ready and receives connections before
     * an old one leaves the Service and shuts down gracefully), then the post-upgrade hook registers
     * the webhooks anew, trusted at once with the CA of the serving Secret. No apply fails.
     */
    @Test
    void aRollingUpgradeUnderALoopOfAppliesFailsNone(@TempDir Path dir) throws Exception {
        setUp(dir);
        CompletableFuture<Release> installed = install(true);
        awaitDeployment(1);
        List<Routecert> old = List.of(startPod(dir), startPod(dir));
        service.route(old.stream().map(Routecert::securePort).toList());
        markRolledOut(1);
        assertEquals("deployed", installed.get().getStatus());
        awaitJudgedBy(routecertAfterRegistration());

        // The serving Secret as cert-manager writes it; the upgrade's values give no caBundle, so the
        // re-created registration must take the CA from this Secret to be trusted at once.
        admin.secrets()
                .inNamespace(namespaces.getFirst())
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(release + "-serving-tls")
                        .endMetadata()
                        .addToData("ca.crt", caBundle())
                        .build())
                .create();
        Map<String, Object> upgradeValues = values(true, "debug");
        @SuppressWarnings("unchecked")
        Map<String, Object> webhook = new HashMap<>((Map<String, Object>) upgradeValues.get("webhook"));
        webhook.remove("caBundle");
        upgradeValues.put("webhook", webhook);

        loop = Loop.start(admin, namespaces.get(1), run, "app");
        loop.awaitMore(5);
        CompletableFuture<Release> upgraded =
                CompletableFuture.supplyAsync(() -> Helm.upgrade(HelmChart.DIRECTORY.toString())
                        .withName(release)
                        .withNamespace(namespaces.getFirst())
                        .withKubeConfig(cluster.kubeconfig())
                        .withValuesFile(HelmChart.valuesFile(upgradeValues))
                        .waitReady()
                        .withTimeout((int) TIMEOUT.toSeconds())
                        .call());
        awaitDeployment(2);
        List<Routecert> serving = new ArrayList<>(old);
        for (Routecert leaving : old) {
            Routecert surge = startPod(dir);
            serving.add(surge);
            service.route(serving.stream().map(Routecert::securePort).toList());
            loop.awaitMore(3);
            serving.remove(leaving);
            service.route(serving.stream().map(Routecert::securePort).toList());
            leaving.close(); // SIGTERM after the pod left the endpoints: drains in-flight reviews
            pods.remove(leaving);
            loop.awaitMore(3);
        }
        markRolledOut(2);
        Release release = upgraded.get();
        assertEquals("deployed", release.getStatus(), release.getOutput());
        assertEquals("2", release.getRevision());
        assertEquals(
                caBundle(),
                admin.admissionRegistration()
                        .v1()
                        .validatingWebhookConfigurations()
                        .withName(this.release)
                        .get()
                        .getWebhooks()
                        .getFirst()
                        .getClientConfig()
                        .getCaBundle(),
                "the re-created registration carries the serving Secret's CA");
        awaitJudgedBy(routecertAfterRegistration());
        loop.awaitJudged(JUDGED_APPLIES);
        loop.stop();
        assertEquals(List.of(), loop.failures(), "applies that failed during the upgrade");
        System.out.println("upgrade under load: " + loop.summary());
    }

    // ---------------------------------------------------------------------------------------------

    private TestPki pki;
    private SecretVolume volume;

    private void setUp(Path dir) throws Exception {
        cluster = KubeCluster.shared();
        admin = cluster.newClient();
        pki = new TestPki();
        volume = new SecretVolume(dir.resolve("serving-cert"));
        volume.write(pki.issue(TestPki.KeyFormat.EC_PKCS8));
        service = new RoundRobinProxy(List.of()); // a Service with no ready endpoints yet
        namespaces.add(namespace("helm", Map.of("routecert.dev/exempt", "true")));
        namespaces.add(namespace("apps", Map.of(RUN_LABEL, run)));
    }

    private String namespace(String prefix, Map<String, String> labels) {
        return admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withGenerateName(prefix + "-" + run + "-")
                        .addToLabels(labels)
                        .endMetadata()
                        .build())
                .create()
                .getMetadata()
                .getName();
    }

    private Map<String, Object> values(boolean registerAfterReady, String logLevel) {
        Map<String, Object> values = HelmChart.defaults();
        values.put("config", Map.of("logLevel", logLevel));
        values.put(
                "webhook",
                Map.of(
                        "registerAfterReady",
                        registerAfterReady,
                        "url",
                        "https://127.0.0.1:" + service.port(),
                        "caBundle",
                        caBundle(),
                        // Only this run's namespaces: the API server is shared with the other tests.
                        "extraMatchExpressions",
                        List.of(Map.of("key", RUN_LABEL, "operator", "In", "values", List.of(run)))));
        return values;
    }

    private String caBundle() {
        return Base64.getEncoder().encodeToString(pki.caPem().getBytes(StandardCharsets.US_ASCII));
    }

    private CompletableFuture<Release> install(boolean registerAfterReady) {
        Path values = HelmChart.valuesFile(values(registerAfterReady, "info"));
        return CompletableFuture.supplyAsync(() -> Helm.install(HelmChart.DIRECTORY.toString())
                .withName(release)
                .withNamespace(namespaces.getFirst())
                .withKubeConfig(cluster.kubeconfig())
                .withValuesFile(values)
                .waitReady()
                .withTimeout((int) TIMEOUT.toSeconds())
                .call());
    }

    private Routecert startPod(Path dir) throws Exception {
        ServeConfig config = TestServer.defaults().toBuilder()
                .certificateFiles(volume.certificateFile(), volume.keyFile())
                .requestReadTimeout(Duration.ofSeconds(10))
                // as the chart's --shutdown-delay: keep answering callers that have not noticed yet
                .shutdown(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .kubernetes(ServeConfig.KubernetesMode.AUTO)
                .kubeconfig(cluster.kubeconfig())
                .build()
                // the pod's namespace, as POD_NAMESPACE gives it: the release's
                .withCertificates(CertificateOptions.defaults()
                        .withLeaderElection(true, namespaces.getFirst(), "routecert-reconciler", Duration.ofSeconds(15))
                        .withHostClaims(namespaces.getFirst(), Duration.ofMinutes(10)));
        Routecert pod = Routecert.start(config, PolicyConfig.defaults());
        pods.add(pod);
        HttpClient http = HttpClient.newHttpClient();
        Await.until("routecert ready", TIMEOUT, () -> {
            try {
                return http.send(
                                        HttpRequest.newBuilder(
                                                        URI.create("http://127.0.0.1:" + pod.healthPort() + "/readyz"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200;
            } catch (Exception e) {
                return false;
            }
        });
        return pod;
    }

    private Deployment deployment() {
        return admin.apps()
                .deployments()
                .inNamespace(namespaces.getFirst())
                .withName(release)
                .get();
    }

    private void awaitDeployment(long generation) {
        Await.until(
                "helm writes the Deployment at generation " + generation,
                TIMEOUT,
                () -> deployment() != null && deployment().getMetadata().getGeneration() >= generation);
    }

    /** What the deployment controller and the kubelets write once the pods of this generation are ready. */
    private void markRolledOut(long generation) {
        Deployment deployment = deployment();
        assertEquals(generation, deployment.getMetadata().getGeneration());
        int replicas = deployment.getSpec().getReplicas();
        String hash = "g" + generation;
        ReplicaSet replicaSet = new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(release + "-" + hash)
                .withNamespace(namespaces.getFirst())
                .addToLabels(deployment.getSpec().getSelector().getMatchLabels())
                .addToLabels("pod-template-hash", hash)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("apps/v1")
                        .withKind("Deployment")
                        .withName(release)
                        .withUid(deployment.getMetadata().getUid())
                        .withController(true)
                        .build())
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .addToMatchLabels(deployment.getSpec().getSelector().getMatchLabels())
                .addToMatchLabels("pod-template-hash", hash)
                .endSelector()
                .withTemplate(deployment.getSpec().getTemplate())
                .endSpec()
                .build();
        replicaSet.getSpec().getTemplate().getMetadata().getLabels().put("pod-template-hash", hash);
        ReplicaSet created = admin.apps()
                .replicaSets()
                .inNamespace(namespaces.getFirst())
                .resource(replicaSet)
                .create();
        created.setStatus(new ReplicaSetStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withFullyLabeledReplicas(replicas)
                .withObservedGeneration(created.getMetadata().getGeneration())
                .build());
        admin.apps()
                .replicaSets()
                .inNamespace(namespaces.getFirst())
                .resource(created)
                .updateStatus();
        DeploymentStatus status = new DeploymentStatus();
        status.setObservedGeneration(generation);
        status.setReplicas(replicas);
        status.setUpdatedReplicas(replicas);
        status.setReadyReplicas(replicas);
        status.setAvailableReplicas(replicas);
        deployment.setStatus(status);
        admin.apps()
                .deployments()
                .inNamespace(namespaces.getFirst())
                .resource(deployment)
                .updateStatus();
    }

    /** routecert judges this run's routes: a route whose TLS does not cover its host is denied. */
    private String routecertAfterRegistration() {
        return namespaces.get(1);
    }

    private void awaitJudgedBy(String namespace) {
        AtomicInteger attempt = new AtomicInteger();
        String[] last = {""};
        Await.until(
                "routecert denies a bad route through the chart's registration",
                TIMEOUT,
                () -> {
                    try {
                        admin.network()
                                .v1()
                                .ingresses()
                                .inNamespace(namespace)
                                .resource(Loop.ingress("bad-" + attempt.incrementAndGet(), run, "other"))
                                .dryRun()
                                .create();
                        last[0] = "accepted";
                        return false;
                    } catch (KubernetesClientException e) {
                        last[0] = e.getMessage();
                        return e.getMessage().contains("denied the request");
                    }
                },
                () -> last[0]);
    }

    private static Map<String, ObjectNode> byIdentity(List<ObjectNode> objects) {
        Map<String, ObjectNode> byIdentity = new TreeMap<>();
        for (ObjectNode original : objects) {
            ObjectNode object = original.deepCopy();
            ObjectNode metadata = (ObjectNode) object.path("metadata");
            ObjectNode labels = (ObjectNode) metadata.path("labels");
            for (String helmLabel :
                    List.of("helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/instance")) {
                labels.remove(helmLabel);
            }
            String name = metadata.path("name").asText();
            if (object.path("kind").asText().equals("ConfigMap") && name.startsWith("routecert-config-")) {
                metadata.put("name", "routecert-config");
            }
            if (object.path("kind").asText().equals("Deployment")) {
                JsonNode podMetadata = object.at("/spec/template/metadata");
                ((ObjectNode) podMetadata).remove("annotations");
                object.at("/spec/template/spec/containers")
                        .forEach(c -> c.path("envFrom")
                                .forEach(e -> ((ObjectNode) e.path("configMapRef")).put("name", "routecert-config")));
            }
            byIdentity.put(describe(object), object);
        }
        return byIdentity;
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> difference = new TreeSet<>(a);
        difference.removeAll(b);
        return difference;
    }

    private static String pointer(String path) {
        return path.replace('.', '/').replaceAll("\\[(\\d+)]", "/$1");
    }

    /** Creates a new, valid Ingress in a loop and records every apply that fails. */
    private static final class Loop {
        private final KubernetesClient client;
        private final String namespace;
        private final String run;
        private final String prefix;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger applies = new AtomicInteger();
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private volatile int judgedFrom = Integer.MAX_VALUE;
        private Thread thread;

        private Loop(KubernetesClient client, String namespace, String run, String prefix) {
            this.prefix = prefix;
            this.client = client;
            this.namespace = namespace;
            this.run = run;
        }

        static Loop start(KubernetesClient client, String namespace, String run, String prefix) {
            Loop loop = new Loop(client, namespace, run, prefix);
            loop.thread = Thread.ofPlatform().daemon().name("apply-loop").start(loop::run);
            return loop;
        }

        static Ingress ingress(String name, String run, String tlsHost) {
            String host = name + "." + run + ".helm-it.example.com";
            return Serialization.unmarshal(
                    """
                    apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata: {name: %s}
                    spec:
                      tls: [{hosts: [%s], secretName: %s-tls}]
                      rules:
                        - host: %s
                          http:
                            paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
                    """.formatted(name, tlsHost == null ? host : tlsHost + ".example.com", name, host), Ingress.class);
        }

        private void run() {
            while (running.get()) {
                int n = applies.incrementAndGet();
                try {
                    client.network()
                            .v1()
                            .ingresses()
                            .inNamespace(namespace)
                            .resource(ingress(prefix + "-" + n, run, null))
                            .create();
                } catch (KubernetesClientException e) {
                    failures.add("apply " + n + ": " + e.getMessage());
                }
            }
        }

        void awaitMore(int count) {
            int target = applies.get() + count;
            Await.until(count + " more applies", TIMEOUT, () -> applies.get() >= target, this::summary);
        }

        void awaitJudged(int count) {
            judgedFrom = Math.min(judgedFrom, applies.get());
            Await.until(
                    count + " applies judged by routecert",
                    TIMEOUT,
                    () -> applies.get() - judgedFrom >= count,
                    this::summary);
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        String summary() {
            return applies.get() + " applies, " + failures.size() + " failed"
                    + (failures.isEmpty() ? "" : ", first: " + failures.getFirst());
        }

        void stop() {
            running.set(false);
            if (thread != null) {
                try {
                    thread.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
