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
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
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
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart against the kustomize base (the same objects for the default values) and against the
 * suite's real API server (1.20): installed with helm-java, a route applied through it, no apply lost
 * while it is installed or upgraded, and a running kustomize install moved under a release and back
 * (install.md, "From kustomize to Helm").
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
    private String release = "routecert-h" + run;
    /** The domain of this test's hosts (host claims span namespaces: unique to the test). */
    private String domain = "helm-it.example.com";

    private final List<Routecert> pods = Collections.synchronizedList(new ArrayList<>());
    private final List<String> namespaces = new ArrayList<>();
    /** More clean-up, after helm uninstall. */
    private final List<Callable<?>> cleanUps = new ArrayList<>();

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
            for (Callable<?> cleanUp : cleanUps) {
                try {
                    cleanUp.call();
                } catch (Exception e) {
                    System.out.println("clean-up: " + e.getMessage());
                }
            }
            namespaces.forEach(cluster::deleteNamespace);
            if (namespaces.contains("routecert")) {
                // Gone before the next class that uses it (DnsRbacIT creates it only when absent).
                Await.until(
                        "namespace routecert deleted",
                        TIMEOUT,
                        () -> admin.namespaces().withName("routecert").get() == null);
            }
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
        rollPods(dir, old);
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
    // install.md, "From kustomize to Helm"

    /** The base's objects the chart renders too: they get Helm's ownership metadata before the install. */
    static final List<String> ADOPTED = List.of(
            "serviceaccount/routecert",
            "role/routecert-host-claims",
            "role/routecert-leader-election",
            "clusterrole/routecert",
            "rolebinding/routecert-host-claims",
            "rolebinding/routecert-leader-election",
            "clusterrolebinding/routecert",
            "configmap/routecert-policy",
            "service/routecert",
            "deployment/routecert",
            "poddisruptionbudget/routecert",
            "issuer.cert-manager.io/routecert-selfsigned",
            "issuer.cert-manager.io/routecert-ca",
            "certificate.cert-manager.io/routecert-ca",
            "certificate.cert-manager.io/routecert-serving",
            "networkpolicy/routecert");
    /** The copy of the registrations that judges routes while the chart's hook replaces the base's. */
    private static final String HANDOVER = "routecert-handover";
    /** The base's README overlay: the API server's range and the image, given to the chart as values too. */
    private static final String CIDR = "172.18.0.2/32";

    private static final String IMAGE = "registry.example.com/platform/routecert";

    private String apps;
    private String baseYaml;
    private String tenantHost;
    private Loop badLoop;

    /**
     * A running kustomize install moves under a Helm release named routecert as install.md says: the
     * base's objects get Helm's ownership metadata; a copy of the registrations judges routes while the
     * chart's post-install hook, and then the post-upgrade hook, delete and re-create the base's (given
     * the serving Secret's CA, so trusted at once); the pods roll once for the chart's ConfigMap; then the
     * copy and the base's hashed ConfigMap are deleted. No valid apply fails and no bad route is admitted
     * meanwhile; a watch shows that some registration of each kind was there at every moment; what
     * routecert made for a route and its serving certificate are the same objects afterwards.
     */
    @Test
    void aKustomizeInstallMovesUnderAReleaseWithNoApplyLostAndNothingRecreated(@TempDir Path dir) throws Exception {
        long started = System.nanoTime();
        List<Routecert> old = kustomizeInstall(dir);
        Map<String, String> before = tenantObjects(apps, tenantHost);
        before.putAll(servingCertificate());
        startLoops();
        handOver();

        // 3. helm install --wait with the overlay's values and, this once, the serving Secret's CA: the hook's
        // registrations replace the base's trusted at once (on install the chart looks up no Secret).
        CommandResult ca = servingCa();
        assertEquals(0, ca.exitCode(), ca.output());
        List<String> registrationEvents = Collections.synchronizedList(new ArrayList<>());
        List<Watch> watches = watchRegistrations(registrationEvents);
        CompletableFuture<Release> installed = install(movedValues(ca.stdout()));
        awaitDeployment(3);
        rollPods(dir, old);
        markRolledOut(3);
        Release installedRelease = installed.get();
        assertEquals("deployed", installedRelease.getStatus(), installedRelease.getOutput());
        assertEquals("post-install,post-upgrade " + caBundle() + " ", registrations(), "the hook's, trusted at once");

        // 4. helm upgrade --wait with the values alone: the registrations get cainjector's annotation again,
        // re-created with the CA the chart looks up on upgrade. Nothing else changes, the pods do not roll.
        Release upgraded = Helm.upgrade(HelmChart.DIRECTORY.toString())
                .withName(release)
                .withNamespace("routecert")
                .withKubeConfig(cluster.kubeconfig())
                .withValuesFile(HelmChart.valuesFile(movedValues(null)))
                .waitReady()
                .withTimeout((int) TIMEOUT.toSeconds())
                .call();
        assertEquals("deployed", upgraded.getStatus(), upgraded.getOutput());
        assertEquals(3L, deployment().getMetadata().getGeneration(), "the upgrade rolls no pod");
        assertEquals(
                "post-install,post-upgrade " + caBundle() + " routecert/routecert-serving",
                registrations(),
                "the hook's, trusted at once, and kept so by cainjector");

        Await.until(
                "the watch sees both hooks replace both registrations",
                TIMEOUT,
                () -> registrationEvents.stream()
                                .filter(e -> e.contains(" DELETED ") || e.contains(" ADDED "))
                                .count()
                        >= 8,
                registrationEvents::toString);
        watches.forEach(Watch::close);
        List<String> events = List.copyOf(registrationEvents);
        assertEquals(List.of(), events.stream().filter(e -> e.startsWith("no ")).toList(), String.join("\n", events));
        for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
            assertEquals(
                    List.of(kind + " DELETED routecert", kind + " ADDED routecert"),
                    events.stream()
                            .filter(e -> e.startsWith(kind + " "))
                            .filter(e -> !e.contains("MODIFIED"))
                            .distinct()
                            .toList(),
                    "the hook replaced the base's registration, twice:\n" + String.join("\n", events));
            assertEquals(
                    4,
                    events.stream()
                            .filter(e -> e.startsWith(kind + " ") && !e.contains("MODIFIED"))
                            .count(),
                    String.join("\n", events));
        }

        // 5. The copy and the base's hashed options ConfigMap go.
        CommandResult copyDeleted = Commands.kubectl(
                cluster, null, "delete", "mutatingwebhookconfiguration,validatingwebhookconfiguration", HANDOVER);
        assertEquals(0, copyDeleted.exitCode(), copyDeleted.output());
        CommandResult configDeleted = Commands.kubectl(
                cluster,
                null,
                "-n",
                "routecert",
                "delete",
                "configmap",
                "-l",
                "app.kubernetes.io/name=routecert,!app.kubernetes.io/managed-by");
        assertEquals(0, configDeleted.exitCode(), configDeleted.output());
        System.out.println("after the install:\n" + copyDeleted.stdout() + configDeleted.stdout());
        assertTrue(
                configDeleted.stdout().matches("configmap \"routecert-config-[a-z0-9]{10}\" deleted\\n"),
                configDeleted.output());

        awaitJudgedBy(apps);
        loop.awaitJudged(JUDGED_APPLIES);
        loop.stop();
        stopLoops("the move");

        // The objects are the release's. Helm's update gave the built-in kinds the chart's own labels; it
        // patches custom resources (the Issuers and Certificates) only where the chart differs between
        // releases, so these keep what kustomize applied, with the ownership metadata of step 1.
        List<String> command = new ArrayList<>(List.of("-n", "routecert", "get"));
        command.addAll(ADOPTED);
        command.addAll(List.of(
                "-o",
                "jsonpath={range .items[*]}{.kind}/{.metadata.name} {.metadata.labels.helm\\.sh/chart}"
                        + " {.metadata.labels.app\\.kubernetes\\.io/managed-by}"
                        + " {.metadata.annotations.meta\\.helm\\.sh/release-name}"
                        + " {.metadata.annotations.meta\\.helm\\.sh/release-namespace}{\"\\n\"}{end}"));
        CommandResult ownership = Commands.kubectl(cluster, null, command.toArray(String[]::new));
        assertEquals(0, ownership.exitCode(), ownership.output());
        List<String> expected = new ArrayList<>();
        for (String object : ADOPTED) {
            String kind =
                    kindNames().get(object.substring(0, object.indexOf('/')).replace(".cert-manager.io", ""));
            String name = object.substring(object.indexOf('/') + 1);
            String chartLabel = object.contains(".cert-manager.io/") ? "" : "routecert-0.1.0";
            expected.add(kind + "/" + name + " " + chartLabel + " Helm routecert routecert");
        }
        assertEquals(expected, ownership.stdout().lines().toList());
        assertEquals(
                "routecert-config",
                deployment()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getEnvFrom()
                        .getFirst()
                        .getConfigMapRef()
                        .getName());

        // Nothing routecert made for the tenant, and not its serving certificate, was deleted or changed.
        Map<String, String> after = tenantObjects(apps, tenantHost);
        after.putAll(servingCertificate());
        assertEquals(before, after, "what must stay: the same objects, unchanged");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.println("kustomize to Helm: " + took.toMillis() + " ms");
    }

    /**
     * {@code kubectl apply -k} of the README's overlay, its pods ready, the serving Secret as cert-manager
     * writes it, and a tenant's route with what routecert made for it: a Certificate and a host claim.
     * Returns the pods.
     */
    private List<Routecert> kustomizeInstall(Path dir) throws Exception {
        startCluster(dir);
        release = "routecert";
        domain = "mig-it.example";
        awaitNotTerminating("routecert"); // RbacIT, DnsRbacIT and InstallManifestsIT use it too
        String yaml = RenderedManifests.yaml(
                kustomizeInstallForTheSuite(RenderedManifests.render().all()));
        baseYaml = yaml;
        CommandResult applied = Commands.kubectl(cluster, yaml, "apply", "-f", "-"); // as kubectl apply -k
        namespaces.add("routecert");
        cleanUps.add(() -> Commands.kubectl(cluster, yaml, "delete", "-f", "-", "--ignore-not-found", "--wait=false"));
        assertEquals(0, applied.exitCode(), applied.output());
        apps = namespace("apps", Map.of(RUN_LABEL, run));
        namespaces.add(apps);
        List<Routecert> old = List.of(startPod(dir), startPod(dir));
        service.route(old.stream().map(Routecert::securePort).toList());
        markRolledOut(1);
        admin.secrets()
                .inNamespace("routecert")
                .resource(
                        new SecretBuilder() // as cert-manager writes it for routecert-serving
                                .withNewMetadata()
                                .withName("routecert-serving-tls")
                                .endMetadata()
                                .addToData("ca.crt", caBundle())
                                .build())
                .create();

        // What routecert made for a tenant's route before the move: its Certificate and host claim.
        CommandResult issuer = Commands.kubectl(cluster, """
                apiVersion: cert-manager.io/v1
                kind: ClusterIssuer
                metadata: {name: mig-it-ca}
                spec: {ca: {secretName: mig-it-ca}}
                """, "apply", "-f", "-");
        assertEquals(0, issuer.exitCode(), issuer.output());
        cleanUps.add(
                () -> Commands.kubectl(cluster, null, "delete", "clusterissuer", "mig-it-ca", "--ignore-not-found"));
        Ingress tenant = Loop.ingress("keep", run, null, domain);
        tenant.getMetadata().setAnnotations(Map.of("cert-manager.io/cluster-issuer", "mig-it-ca"));
        admin.network().v1().ingresses().inNamespace(apps).resource(tenant).create();
        String host = tenant.getSpec().getRules().getFirst().getHost();
        tenantHost = host;
        Await.until(
                "the tenant's Certificate, owned by its route, and host claim",
                TIMEOUT,
                () -> tenantObjects(apps, host).size() == 2
                        && !admin.genericKubernetesResources("cert-manager.io/v1", "Certificate")
                                .inNamespace(apps)
                                .withName("keep-tls")
                                .get()
                                .getMetadata()
                                .getOwnerReferences()
                                .isEmpty());
        return old;
    }

    /** Valid routes that must all be admitted, and bad ones (dry runs) that must all be denied. */
    private void startLoops() {
        loop = Loop.start(admin, apps, run, "app", domain);
        badLoop = Loop.startBad(admin, apps, run, domain);
        loop.awaitMore(5);
        badLoop.awaitMore(5);
    }

    /** Steps 1 and 2 of install.md: Helm's ownership metadata, and the copy of the registrations. */
    /** install.md's step 3: the serving Secret's CA, as kubectl prints it for {@code --set webhook.caBundle}. */
    private CommandResult servingCa() throws Exception {
        return Commands.kubectl(
                cluster,
                null,
                "-n",
                "routecert",
                "get",
                "secret",
                "routecert-serving-tls",
                "-o",
                "jsonpath={.data.ca\\.crt}");
    }

    private void handOver() throws Exception {
        // 1. The base's objects the chart renders too get Helm's ownership metadata.
        List<String> label = new ArrayList<>(List.of("-n", "routecert", "label"));
        label.addAll(ADOPTED);
        label.add("app.kubernetes.io/managed-by=Helm");
        CommandResult labelled = Commands.kubectl(cluster, null, label.toArray(String[]::new));
        assertEquals(0, labelled.exitCode(), labelled.output());
        System.out.println("kubectl label:\n" + labelled.stdout());
        List<String> annotate = new ArrayList<>(List.of("-n", "routecert", "annotate"));
        annotate.addAll(ADOPTED);
        annotate.addAll(List.of("meta.helm.sh/release-name=routecert", "meta.helm.sh/release-namespace=routecert"));
        CommandResult annotated = Commands.kubectl(cluster, null, annotate.toArray(String[]::new));
        assertEquals(0, annotated.exitCode(), annotated.output());
        assertEquals(
                ADOPTED.size(),
                annotated.stdout().lines().filter(l -> l.endsWith(" annotated")).count());
        // The API server counts a Deployment's annotations as a change (they go to its ReplicaSets); no pod rolls.
        assertEquals(2L, deployment().getMetadata().getGeneration());

        // 2. A copy of the registrations keeps judging routes while the hook replaces the base's.
        for (String kind : List.of("mutatingwebhookconfiguration", "validatingwebhookconfiguration")) {
            String kubectl = "kubectl --kubeconfig " + cluster.kubeconfig();
            CommandResult copied = Commands.run(List.of(
                    "sh",
                    "-c",
                    kubectl + " get " + kind + " routecert -o json | jq '{apiVersion, kind, metadata: {name: \""
                            + HANDOVER + "\"}, webhooks}' | " + kubectl + " create -f -"));
            assertEquals(0, copied.exitCode(), copied.output());
            System.out.println("copy: " + copied.stdout());
        }
        cleanUps.add(() -> Commands.kubectl(
                cluster,
                null,
                "delete",
                "mutatingwebhookconfiguration,validatingwebhookconfiguration",
                HANDOVER,
                "--ignore-not-found"));
    }

    private void stopLoops(String during) {
        loop.stop();
        badLoop.stop();
        assertEquals(List.of(), loop.failures(), "applies that failed during " + during);
        assertEquals(List.of(), badLoop.failures(), "bad routes not denied during " + during);
        System.out.println(during + ": " + loop.summary() + "; bad routes: " + badLoop.summary());
    }

    /**
     * Follows the registrations named routecert and routecert-handover, in the API server's order of
     * events: {@code events} gets each change, and a line starting "no " whenever neither is left of a
     * kind, a moment at which route writes pass unjudged.
     */
    private List<Watch> watchRegistrations(List<String> events) {
        List<Watch> watches = new ArrayList<>();
        for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
            var registrations = admin.genericKubernetesResources("admissionregistration.k8s.io/v1", kind);
            GenericKubernetesResourceList listed = registrations.list();
            Set<String> judging = ConcurrentHashMap.newKeySet();
            listed.getItems().stream()
                    .map(r -> r.getMetadata().getName())
                    .filter(n -> n.equals(release) || n.equals(HANDOVER))
                    .forEach(judging::add);
            assertEquals(Set.of(release, HANDOVER), judging, kind);
            ListOptions from = new ListOptionsBuilder()
                    .withResourceVersion(listed.getMetadata().getResourceVersion())
                    .build();
            watches.add(registrations.watch(from, new Watcher<>() {
                @Override
                public void eventReceived(Action action, GenericKubernetesResource registration) {
                    String name = registration.getMetadata().getName();
                    if (!name.equals(release) && !name.equals(HANDOVER)) {
                        return;
                    }
                    if (action == Action.DELETED) {
                        judging.remove(name);
                    } else {
                        judging.add(name);
                    }
                    events.add(kind + " " + action + " " + name);
                    if (judging.isEmpty()) {
                        events.add("no " + kind + " after " + action + " " + name);
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                    if (cause != null) {
                        events.add("no " + kind + " watch: " + cause.getMessage());
                    }
                }
            }));
        }
        return watches;
    }

    /** The overlay's values as chart values, with the Service's stand-in as for the base above. */
    private Map<String, Object> movedValues(String caBundle) {
        Map<String, Object> values = HelmChart.defaults();
        values.put("apiServerCIDR", CIDR);
        values.put("image", Map.of("repository", IMAGE));
        Map<String, Object> webhook = new HashMap<>();
        webhook.put("url", "https://127.0.0.1:" + service.port());
        webhook.put(
                "extraMatchExpressions", List.of(Map.of("key", RUN_LABEL, "operator", "In", "values", List.of(run))));
        if (caBundle != null) {
            webhook.put("caBundle", caBundle);
        }
        values.put("webhook", webhook);
        return values;
    }

    /** Of both registrations, if they agree: their hook annotation, CA and cainjector's source. */
    private String registrations() throws Exception {
        Set<String> seen = new TreeSet<>();
        for (String kind : List.of("mutatingwebhookconfiguration", "validatingwebhookconfiguration")) {
            CommandResult got = Commands.kubectl(
                    cluster,
                    null,
                    "get",
                    kind,
                    "routecert",
                    "-o",
                    "jsonpath={.metadata.annotations.helm\\.sh/hook} {.webhooks[0].clientConfig.caBundle}"
                            + " {.metadata.annotations.cert-manager\\.io/inject-ca-from}");
            assertEquals(0, got.exitCode(), got.output());
            seen.add(got.stdout());
        }
        return String.join(" | ", seen);
    }

    /**
     * install.md's way back when helm install fails (here its --wait times out: the pods of the chart's
     * template never get ready): the release forgotten without deleting anything it adopted, the base
     * applied again, the copy deleted. No apply fails, no bad route passes, nothing is re-created, and
     * the base's registrations judge routes as before.
     */
    @Test
    void aFailedMoveGoesBackToKustomizeWithNothingDeleted(@TempDir Path dir) throws Exception {
        long started = System.nanoTime();
        kustomizeInstall(dir);
        Map<String, String> before = tenantObjects(apps, tenantHost);
        before.putAll(servingCertificate());
        String deploymentUid = deployment().getMetadata().getUid();
        startLoops();
        handOver();
        CommandResult ca = servingCa();
        RuntimeException failed = org.junit.jupiter.api.Assertions.assertThrows(
                RuntimeException.class,
                () -> Helm.install(HelmChart.DIRECTORY.toString())
                        .withName(release)
                        .withNamespace("routecert")
                        .withKubeConfig(cluster.kubeconfig())
                        .withValuesFile(HelmChart.valuesFile(movedValues(ca.stdout())))
                        .waitReady()
                        .withTimeout(4)
                        .call());
        System.out.println("helm install: " + failed.getMessage());
        assertEquals(
                " " + caBundle() + " routecert/routecert-serving",
                registrations(),
                "the base's registrations: the hooks run only after --wait succeeded");

        // The way back.
        CommandResult forgotten = Commands.kubectl(
                cluster, null, "-n", "routecert", "delete", "secret", "-l", "owner=helm,name=routecert");
        CommandResult reapplied = Commands.kubectl(cluster, baseYaml, "apply", "-f", "-"); // as kubectl apply -k
        CommandResult copyDeleted = Commands.kubectl(
                cluster, null, "delete", "mutatingwebhookconfiguration,validatingwebhookconfiguration", HANDOVER);
        System.out.println("the way back:\n" + forgotten.stdout() + copyDeleted.stdout());
        assertEquals(
                0,
                forgotten.exitCode() + reapplied.exitCode() + copyDeleted.exitCode(),
                forgotten.output() + reapplied.output() + copyDeleted.output());
        assertEquals("secret \"sh.helm.release.v1.routecert.v1\" deleted\n", forgotten.stdout());
        assertTrue(
                deployment()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getEnvFrom()
                        .getFirst()
                        .getConfigMapRef()
                        .getName()
                        .matches("routecert-config-[a-z0-9]{10}"),
                "the Deployment reads the base's options again");

        awaitJudgedBy(apps);
        loop.awaitJudged(JUDGED_APPLIES);
        stopLoops("the way back");
        assertEquals(deploymentUid, deployment().getMetadata().getUid());
        Map<String, String> after = tenantObjects(apps, tenantHost);
        after.putAll(servingCertificate());
        assertEquals(before, after, "what must stay: the same objects, unchanged");
        System.out.println("the way back took "
                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
    }

    /** The list in install.md is exactly what both the base and the chart (without its hooks) hold. */
    @Test
    void theAdoptedObjectsAreWhatTheBaseAndTheChartBothHold() throws Exception {
        Map<String, Object> values = HelmChart.defaults();
        values.put("webhook", Map.of("registerAfterReady", true)); // helm-java's template leaves hooks out
        Set<String> chart = new TreeSet<>();
        HelmChart.render(values, "1.31.0").forEach(o -> chart.add(describe(o)));
        Set<String> both = new TreeSet<>();
        RenderedManifests.render().all().stream()
                .map(RenderedManifests::describe)
                .filter(chart::contains)
                .forEach(both::add);
        Set<String> documented = new TreeSet<>();
        for (String object : ADOPTED) {
            String kind = object.substring(0, object.indexOf('/')).replace(".cert-manager.io", "");
            String name = object.substring(object.indexOf('/') + 1);
            String namespace = Set.of("clusterrole", "clusterrolebinding").contains(kind) ? "" : "routecert/";
            documented.add(kindNames().get(kind) + " " + namespace + name);
        }
        assertEquals(both, documented);
        String installMd = Files.readString(Path.of("src", "site", "markdown", "install.md"));
        Matcher objects = Pattern.compile("OBJECTS=\"([^\"]+)\"").matcher(installMd);
        assertTrue(objects.find(), "install.md lists the objects of step 1");
        assertEquals(ADOPTED, List.of(objects.group(1).trim().split("\\s+")), "install.md's list");
    }

    private static Map<String, String> kindNames() {
        Map<String, String> kinds = new HashMap<>();
        for (String kind : List.of(
                "ServiceAccount",
                "Role",
                "ClusterRole",
                "RoleBinding",
                "ClusterRoleBinding",
                "ConfigMap",
                "Service",
                "Deployment",
                "PodDisruptionBudget",
                "Issuer",
                "Certificate",
                "NetworkPolicy")) {
            kinds.put(kind.toLowerCase(java.util.Locale.ROOT), kind);
        }
        return kinds;
    }

    /**
     * The base's objects as {@code kubectl apply -k} of the README's overlay creates them (the API
     * server's range and the image set), for the suite's 1.20 server (the PodDisruptionBudget as
     * policy/v1beta1, no matchLabelKeys: the chart renders the same there), with the registrations
     * pointed at the Service's stand-in with the CA cainjector would have injected, and only at this
     * run's namespaces.
     */
    private List<ObjectNode> kustomizeInstallForTheSuite(List<ObjectNode> base) {
        for (ObjectNode object : base) {
            switch (object.path("kind").asText()) {
                case "NetworkPolicy" -> ((ObjectNode) object.at("/spec/ingress/0/from/0/ipBlock")).put("cidr", CIDR);
                case "PodDisruptionBudget" -> {
                    object.put("apiVersion", "policy/v1beta1");
                    ((ObjectNode) object.path("spec")).remove("unhealthyPodEvictionPolicy");
                }
                case "Deployment" -> {
                    object.at("/spec/template/spec/topologySpreadConstraints")
                            .forEach(c -> ((ObjectNode) c).remove("matchLabelKeys"));
                    ObjectNode container = (ObjectNode) object.at("/spec/template/spec/containers/0");
                    container.put(
                            "image",
                            IMAGE + ":" + container.path("image").asText().split(":")[1]);
                }
                case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration" ->
                    object.path("webhooks").forEach(webhook -> {
                        ObjectNode clientConfig = (ObjectNode) webhook.path("clientConfig");
                        String path = clientConfig.at("/service/path").asText();
                        clientConfig.removeAll();
                        clientConfig.put("url", "https://127.0.0.1:" + service.port() + path);
                        clientConfig.put("caBundle", caBundle());
                        ((com.fasterxml.jackson.databind.node.ArrayNode)
                                        webhook.at("/namespaceSelector/matchExpressions"))
                                .addObject()
                                .put("key", RUN_LABEL)
                                .put("operator", "In")
                                .putArray("values")
                                .add(run);
                    });
                default -> {}
            }
        }
        return base;
    }

    /** uid and resourceVersion of the tenant's Certificate and of the Lease that claims its host. */
    private Map<String, String> tenantObjects(String namespace, String host) {
        Map<String, String> objects = new TreeMap<>();
        var certificate = admin.genericKubernetesResources("cert-manager.io/v1", "Certificate")
                .inNamespace(namespace)
                .withName("keep-tls")
                .get();
        if (certificate != null) {
            objects.put("Certificate keep-tls", identity(certificate.getMetadata()));
        }
        admin.leases().inNamespace("routecert").list().getItems().stream()
                .filter(l -> host.equals(
                        l.getMetadata().getAnnotations() == null
                                ? null
                                : l.getMetadata().getAnnotations().get("routecert.dev/host")))
                .forEach(l -> objects.put("Lease " + l.getMetadata().getName(), identity(l.getMetadata())));
        return objects;
    }

    /**
     * The serving Certificate by uid and generation (its metadata changes in step 1, its spec must not),
     * its Secret by uid and resourceVersion.
     */
    private Map<String, String> servingCertificate() throws Exception {
        Map<String, String> identities = new TreeMap<>();
        for (String object : List.of("certificate.cert-manager.io/routecert-serving", "secret/routecert-serving-tls")) {
            String version = object.startsWith("secret/") ? "resourceVersion" : "generation";
            CommandResult got = Commands.kubectl(
                    cluster,
                    null,
                    "-n",
                    "routecert",
                    "get",
                    object,
                    "-o",
                    "jsonpath={.metadata.uid} " + version + " {.metadata." + version + "}");
            assertEquals(0, got.exitCode(), got.output());
            identities.put(object, got.stdout());
        }
        return identities;
    }

    private static String identity(io.fabric8.kubernetes.api.model.ObjectMeta metadata) {
        return metadata.getUid() + " " + metadata.getResourceVersion();
    }

    private void awaitNotTerminating(String name) {
        Await.until("namespace " + name + " not terminating", TIMEOUT, () -> {
            var namespace = admin.namespaces().withName(name).get();
            return namespace == null
                    || !"Terminating".equals(namespace.getStatus().getPhase());
        });
    }

    // ---------------------------------------------------------------------------------------------

    private TestPki pki;
    private SecretVolume volume;

    private void setUp(Path dir) throws Exception {
        startCluster(dir);
        namespaces.add(namespace("helm", Map.of("routecert.dev/exempt", "true")));
        namespaces.add(namespace("apps", Map.of(RUN_LABEL, run)));
    }

    /** The API server, the serving certificate of the pods, and the Service in front of them. */
    private void startCluster(Path dir) throws Exception {
        cluster = KubeCluster.shared();
        admin = cluster.newClient();
        pki = new TestPki();
        volume = new SecretVolume(dir.resolve("serving-cert"));
        volume.write(pki.issue(TestPki.KeyFormat.EC_PKCS8));
        service = new RoundRobinProxy(List.of()); // a Service with no ready endpoints yet
    }

    /**
     * The Deployment's rolling update (maxSurge 1, maxUnavailable 0) under the loop of applies: a new pod
     * is ready and receives connections before an old one leaves the Service and shuts down gracefully.
     */
    private void rollPods(Path dir, List<Routecert> old) throws Exception {
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
        return install(values(registerAfterReady, "info"));
    }

    private CompletableFuture<Release> install(Map<String, Object> valueMap) {
        Path values = HelmChart.valuesFile(valueMap);
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
                                .resource(Loop.ingress("bad-" + attempt.incrementAndGet(), run, "other", domain))
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
        private final String domain;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger applies = new AtomicInteger();
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private volatile int judgedFrom = Integer.MAX_VALUE;
        /** Dry runs of routes whose TLS does not cover their host: each must be denied. */
        private boolean bad;

        private Thread thread;

        private Loop(KubernetesClient client, String namespace, String run, String prefix, String domain) {
            this.prefix = prefix;
            this.domain = domain;
            this.client = client;
            this.namespace = namespace;
            this.run = run;
        }

        static Loop start(KubernetesClient client, String namespace, String run, String prefix) {
            return start(client, namespace, run, prefix, "helm-it.example.com");
        }

        static Loop startBad(KubernetesClient client, String namespace, String run, String domain) {
            Loop loop = new Loop(client, namespace, run, "bad", domain);
            loop.bad = true;
            loop.thread = Thread.ofPlatform().daemon().name("bad-apply-loop").start(loop::run);
            return loop;
        }

        static Loop start(KubernetesClient client, String namespace, String run, String prefix, String domain) {
            Loop loop = new Loop(client, namespace, run, prefix, domain);
            loop.thread = Thread.ofPlatform().daemon().name("apply-loop").start(loop::run);
            return loop;
        }

        /** A route for {@code name.run.domain}, its TLS for that host or, given one, for {@code tlsHost.domain}. */
        static Ingress ingress(String name, String run, String tlsHost, String domain) {
            String host = name + "." + run + "." + domain;
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
                    """.formatted(name, tlsHost == null ? host : tlsHost + "." + domain, name, host), Ingress.class);
        }

        private void run() {
            while (running.get()) {
                int n = applies.incrementAndGet();
                if (bad) {
                    try {
                        client.network()
                                .v1()
                                .ingresses()
                                .inNamespace(namespace)
                                .resource(ingress(prefix + "-" + n, run, "other", domain))
                                .dryRun()
                                .create();
                        failures.add("bad apply " + n + ": admitted");
                    } catch (KubernetesClientException e) {
                        if (!e.getMessage().contains("denied the request")) {
                            failures.add("bad apply " + n + ": " + e.getMessage());
                        }
                    }
                    continue;
                }
                try {
                    client.network()
                            .v1()
                            .ingresses()
                            .inNamespace(namespace)
                            .resource(ingress(prefix + "-" + n, run, null, domain))
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
