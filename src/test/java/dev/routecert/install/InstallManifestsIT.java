package dev.routecert.install;

import static dev.routecert.install.RenderedManifests.array;
import static dev.routecert.install.RenderedManifests.describe;
import static dev.routecert.install.RenderedManifests.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.cli.Main;
import dev.routecert.cli.ServeCommand;
import dev.routecert.config.PolicyFileSource;
import dev.routecert.config.ServeConfig;
import dev.routecert.kube.Commands;
import dev.routecert.kube.Commands.CommandResult;
import dev.routecert.kube.KubeCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code manifests/} as {@code kubectl apply -k} installs it: every rendered object is accepted and
 * stored unchanged by the test suite's real API server, and the objects agree with each other and
 * with routecert's own options (names, ports, paths, certificates, shutdown timing, sizes).
 */
class InstallManifestsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A namespace label no namespace carries: webhooks applied by this test intercept nothing. */
    private static final String NO_NAMESPACE_LABEL = "routecert.dev/install-it";

    private static final Pattern MAX_RAM_PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)");
    /** The heap the resources were measured with (operations.md, "Sizing"), and the peak RSS it reached. */
    private static final long MEASURED_HEAP_MIB = 192;

    private static final long MEASURED_PEAK_RSS_MIB = 367;
    private static final Pattern ENV_DEFAULT = Pattern.compile("^\\$\\{env:(ROUTECERT_[A-Z_]+)");

    private static RenderedManifests manifests;

    @BeforeAll
    static void render() throws Exception {
        manifests = RenderedManifests.render();
    }

    @Test
    void rendersOneOfEachObjectAnInstallNeeds() {
        Map<String, Integer> kinds = new TreeMap<>();
        manifests.all().forEach(o -> kinds.merge(o.path("kind").asText(), 1, Integer::sum));
        for (String kind : List.of(
                "Namespace",
                "ServiceAccount",
                "Deployment",
                "Service",
                "PodDisruptionBudget",
                "NetworkPolicy",
                "MutatingWebhookConfiguration",
                "ValidatingWebhookConfiguration")) {
            assertEquals(1, kinds.getOrDefault(kind, 0), kind + " in " + kinds);
        }
        assertEquals(2, kinds.getOrDefault("Issuer", 0), "self-signed and CA Issuers: " + kinds);
        assertEquals(2, kinds.getOrDefault("ConfigMap", 0), "the options and the policy file: " + kinds);
        assertEquals(2, kinds.getOrDefault("Certificate", 0), "CA and serving Certificates: " + kinds);
        for (String kind : List.of("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")) {
            assertTrue(kinds.getOrDefault(kind, 0) >= 1, "rbac.yaml's " + kind + " in " + kinds);
        }
        for (ObjectNode object : manifests.all()) {
            String namespace = object.path("metadata").path("namespace").asText();
            boolean clusterScoped = Set.of(
                            "Namespace",
                            "ClusterRole",
                            "ClusterRoleBinding",
                            "MutatingWebhookConfiguration",
                            "ValidatingWebhookConfiguration")
                    .contains(object.path("kind").asText());
            assertEquals(clusterScoped ? "" : "routecert", namespace, describe(object));
        }
    }

    /**
     * The real apply. Kubernetes 1.20 (the test server) lacks some of what the manifests use, so the
     * test applies a variant and checks that it differs exactly there: the PodDisruptionBudget as
     * policy/v1beta1 without unhealthyPodEvictionPolicy (policy/v1 is GA since 1.21, the field on by
     * default since 1.27), the spread constraint without matchLabelKeys (on by default since 1.27), and
     * each webhook's namespaceSelector
     * narrowed by a label no namespace has, because a registration with failurePolicy: Fail and no pods
     * behind its Service would otherwise break every other test's Ingress writes. The webhook
     * configurations are deleted again at once, then the rest.
     */
    @Test
    void everyRenderedObjectIsAcceptedAndStoredUnchangedByTheApiServer() throws Exception {
        KubeCluster cluster = KubeCluster.shared();
        List<ObjectNode> shipped = manifests.all();
        List<ObjectNode> variant = forKubernetes120(shipped);
        assertEquals(
                Set.of(
                        "PodDisruptionBudget routecert/routecert .apiVersion",
                        "PodDisruptionBudget routecert/routecert .spec.unhealthyPodEvictionPolicy",
                        "Deployment routecert/routecert .spec.template.spec.topologySpreadConstraints[0].matchLabelKeys",
                        "MutatingWebhookConfiguration routecert .webhooks[0].namespaceSelector.matchExpressions",
                        "ValidatingWebhookConfiguration routecert .webhooks[0].namespaceSelector.matchExpressions"),
                differences(shipped, variant),
                "the 1.20 variant differs from the shipped manifests only where documented");

        String yaml = RenderedManifests.yaml(variant);
        awaitNoTerminatingNamespace(cluster, "routecert"); // another test's clean-up may still be running
        try {
            CommandResult applied = Commands.kubectl(
                    cluster, yaml, "apply", "--server-side", "--field-manager=routecert-install-it", "-f", "-");
            System.out.println(
                    "kubectl apply --server-side of the rendered manifests (1.20 variant):\n" + applied.stdout());
            assertEquals(0, applied.exitCode(), applied.output());
            assertEquals(
                    variant.size(),
                    applied.stdout()
                            .lines()
                            .filter(l -> l.endsWith(" serverside-applied"))
                            .count(),
                    applied.stdout());

            CommandResult fetched = Commands.kubectl(cluster, yaml, "get", "-f", "-", "-o", "json");
            assertEquals(0, fetched.exitCode(), fetched.output());
            JsonNode stored = JSON.readTree(fetched.stdout()).path("items");
            assertEquals(variant.size(), stored.size(), fetched.stdout());
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < variant.size(); i++) {
                assertEquals(describe(variant.get(i)), describe(stored.get(i)));
                for (String field : List.of("metadata", "spec", "data", "webhooks", "rules", "roleRef", "subjects")) {
                    if (variant.get(i).has(field)) {
                        problems.addAll(RenderedManifests.missingFrom(
                                variant.get(i).get(field),
                                stored.get(i).path(field),
                                describe(variant.get(i)) + " ." + field));
                    }
                }
            }
            assertEquals(List.of(), problems, "what the API server stored lacks or changes what was applied");
        } finally {
            cleanUp(cluster, variant);
        }
    }

    @Test
    void theApiServerOf120RefusesWhatTheVariantRemoves() throws Exception {
        KubeCluster cluster = KubeCluster.shared();
        CommandResult pdb = Commands.kubectl(
                cluster,
                RenderedManifests.yaml(List.of(manifests.one("PodDisruptionBudget"))),
                "apply",
                "--dry-run=server",
                "-f",
                "-");
        assertNotEquals(0, pdb.exitCode(), pdb.output());
        assertTrue(
                pdb.stderr().contains("no matches for kind \"PodDisruptionBudget\" in version \"policy/v1\""),
                pdb.stderr());
        CommandResult deployment = Commands.kubectl(
                cluster,
                RenderedManifests.yaml(List.of(manifests.one("Deployment"))),
                "apply",
                "--dry-run=server",
                "-f",
                "-");
        assertNotEquals(0, deployment.exitCode(), deployment.output());
        assertTrue(deployment.stderr().contains("matchLabelKeys"), deployment.stderr());
    }

    @Test
    void theWebhookReachesTheDeploymentThroughTheService() throws Exception {
        ObjectNode deployment = manifests.one("Deployment", "routecert");
        ObjectNode service = manifests.one("Service", "routecert");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        ServeConfig serve = serveConfig(container);
        for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
            for (JsonNode webhook : manifests.one(kind, "routecert").path("webhooks")) {
                JsonNode target = webhook.path("clientConfig").path("service");
                assertEquals("routecert", target.path("namespace").asText());
                assertEquals(name(service), target.path("name").asText());
                JsonNode port = servicePort(service, target.path("port").asInt());
                assertEquals(
                        serve.securePort(),
                        containerPort(container, port.path("targetPort").asText()),
                        kind + ": Service port " + target.path("port") + " reaches routecert's --secure-port");
            }
        }
        assertEquals(
                serve.healthPort(),
                containerPort(
                        container,
                        servicePortNamed(service, "metrics").path("targetPort").asText()));
        assertEquals(
                deployment.at("/spec/template/metadata/labels"),
                service.path("spec").path("selector"));
        assertEquals(
                deployment.at("/spec/selector/matchLabels"),
                manifests.one("PodDisruptionBudget").at("/spec/selector/matchLabels"));
        assertEquals(
                deployment.at("/spec/selector/matchLabels"),
                manifests.one("NetworkPolicy").at("/spec/podSelector/matchLabels"));
        assertEquals(
                "routecert",
                deployment.at("/spec/template/spec/serviceAccountName").asText());
        manifests.one("ServiceAccount", "routecert");
        assertEquals(2, deployment.at("/spec/replicas").asInt());
        assertEquals(
                1,
                manifests.one("PodDisruptionBudget").at("/spec/minAvailable").asInt(),
                "one replica may be drained at a time");
        assertEquals(
                "kubernetes.io/hostname",
                deployment
                        .at("/spec/template/spec/topologySpreadConstraints/0/topologyKey")
                        .asText());
        assertEquals(
                deployment.at("/spec/selector"),
                deployment.at("/spec/template/spec/topologySpreadConstraints/0/labelSelector"));
    }

    @Test
    void theServingCertificateIsBootstrappedByCertManagerAndMountedWhole() throws Exception {
        JsonNode webhook = manifests.one("MutatingWebhookConfiguration", "routecert");
        String injectFrom = webhook.at("/metadata/annotations")
                .path("cert-manager.io/inject-ca-from")
                .asText();
        assertEquals(
                injectFrom,
                manifests
                        .one("ValidatingWebhookConfiguration", "routecert")
                        .at("/metadata/annotations")
                        .path("cert-manager.io/inject-ca-from")
                        .asText());
        String[] reference = injectFrom.split("/");
        assertEquals("routecert", reference[0], injectFrom);
        ObjectNode serving = manifests.one("Certificate", reference[1]);
        JsonNode target = webhook.at("/webhooks/0/clientConfig/service");
        String host =
                target.path("name").asText() + "." + target.path("namespace").asText() + ".svc";
        assertEquals(
                List.of(host, host + ".cluster.local"),
                strings(serving.at("/spec/dnsNames")),
                "the names the API server verifies when it calls the Service");
        assertEquals("ECDSA", serving.at("/spec/privateKey/algorithm").asText());
        assertEquals(256, serving.at("/spec/privateKey/size").asInt());
        assertEquals("Always", serving.at("/spec/privateKey/rotationPolicy").asText(), "each renewal has a new key");
        assertTrue(strings(serving.at("/spec/usages")).contains("server auth"));
        assertFalse(serving.at("/spec/isCA").asBoolean());

        // serving <- CA Issuer <- CA Certificate <- self-signed Issuer; cainjector injects the serving
        // Secret's ca.crt, which a CA Issuer fills with that CA.
        JsonNode caIssuer =
                manifests.one("Issuer", serving.at("/spec/issuerRef/name").asText());
        assertEquals("Issuer", serving.at("/spec/issuerRef/kind").asText());
        String caSecret = caIssuer.at("/spec/ca/secretName").asText();
        assertFalse(caSecret.isEmpty(), "the serving Certificate's issuer is a CA Issuer: " + caIssuer);
        ObjectNode ca = manifests.ofKind("Certificate").stream()
                .filter(c -> c.at("/spec/secretName").asText().equals(caSecret))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Certificate writes the CA Issuer's Secret " + caSecret));
        assertTrue(ca.at("/spec/isCA").asBoolean(), describe(ca));
        assertEquals(
                "Never",
                ca.at("/spec/privateKey/rotationPolicy").asText(),
                "a renewed CA keeps its key, so leaves signed before still verify against the injected bundle");
        assertTrue(manifests
                .one("Issuer", ca.at("/spec/issuerRef/name").asText())
                .path("spec")
                .has("selfSigned"));
        Duration caLife = goDuration(ca.at("/spec/duration").asText());
        Duration leafLife = goDuration(serving.at("/spec/duration").asText());
        assertTrue(leafLife.multipliedBy(100).compareTo(caLife) < 0, "a short-lived leaf under a long-lived CA");
        assertTrue(
                goDuration(serving.at("/spec/renewBefore").asText()).compareTo(Duration.ofHours(24)) > 0,
                "more than a day to notice a stalled renewal");

        ObjectNode deployment = manifests.one("Deployment", "routecert");
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode volume = StreamSupport.stream(pod.path("volumes").spliterator(), false)
                .filter(v -> v.at("/secret/secretName")
                        .asText()
                        .equals(serving.at("/spec/secretName").asText()))
                .findFirst()
                .orElseThrow(() ->
                        new AssertionError("no volume mounts the serving Secret " + serving.at("/spec/secretName")));
        JsonNode mount = StreamSupport.stream(
                        pod.at("/containers/0/volumeMounts").spliterator(), false)
                .filter(m -> m.path("name").asText().equals(volume.path("name").asText()))
                .findFirst()
                .orElseThrow();
        assertFalse(mount.has("subPath") || mount.has("subPathExpr"), "a subPath mount never sees a renewal: " + mount);
        assertTrue(mount.path("readOnly").asBoolean());
        ServeConfig serve = serveConfig(pod.at("/containers/0"));
        Path mountPath = Path.of(mount.path("mountPath").asText());
        assertEquals(mountPath.resolve("tls.crt"), serve.tlsCertFile());
        assertEquals(mountPath.resolve("tls.key"), serve.tlsPrivateKeyFile());
    }

    /** The policy ConfigMap keeps its name and is mounted whole, so an edit reaches the running pods. */
    @Test
    void thePolicyFileIsAMountedConfigMapThatTheDeploymentReads() {
        ObjectNode policy = manifests.one("ConfigMap", "routecert-policy");
        JsonNode pod = manifests.one("Deployment", "routecert").at("/spec/template/spec");
        JsonNode volume = StreamSupport.stream(pod.path("volumes").spliterator(), false)
                .filter(v -> v.at("/configMap/name").asText().equals("routecert-policy"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume mounts the unhashed ConfigMap routecert-policy"));
        JsonNode mount = StreamSupport.stream(
                        pod.at("/containers/0/volumeMounts").spliterator(), false)
                .filter(m -> m.path("name").asText().equals(volume.path("name").asText()))
                .findFirst()
                .orElseThrow();
        assertFalse(mount.has("subPath") || mount.has("subPathExpr"), "a subPath mount never sees an edit: " + mount);
        ServeConfig serve = serveConfig(pod.at("/containers/0"));
        Path file = Path.of(mount.path("mountPath").asText()).resolve("policy.yaml");
        assertEquals(file, serve.policyFile());
        assertEquals(
                List.of(),
                PolicyFileSource.parse(policy.at("/data/policy.yaml").asText().getBytes(StandardCharsets.UTF_8))
                        .problems(),
                "the shipped policy is valid");
    }

    @Test
    void thePodRunsUnderTheRestrictedProfileAndStopsWithinItsGracePeriod() throws Exception {
        JsonNode pod = manifests.one("Deployment", "routecert").at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
        assertTrue(pod.at("/securityContext/runAsUser").asInt() > 0);
        assertEquals(
                "RuntimeDefault", pod.at("/securityContext/seccompProfile/type").asText());
        assertFalse(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true));
        assertTrue(container.at("/securityContext/readOnlyRootFilesystem").asBoolean());
        assertEquals(List.of("ALL"), strings(container.at("/securityContext/capabilities/drop")));
        assertFalse(container.at("/securityContext").has("privileged")
                && container.at("/securityContext/privileged").asBoolean());
        assertEquals(
                "restricted",
                manifests
                        .one("Namespace", "routecert")
                        .at("/metadata/labels")
                        .path("pod-security.kubernetes.io/enforce")
                        .asText());
        assertEquals(List.of("65532"), dockerfileUser(), "the image's USER is the pod's runAsUser");
        assertEquals(65532, pod.at("/securityContext/runAsUser").asInt());

        JsonNode tmp = StreamSupport.stream(container.path("volumeMounts").spliterator(), false)
                .filter(m -> m.path("mountPath").asText().equals("/tmp"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the JVM needs a writable /tmp on a read-only root filesystem"));
        assertTrue(StreamSupport.stream(pod.path("volumes").spliterator(), false)
                .anyMatch(v -> v.path("name").equals(tmp.path("name")) && v.has("emptyDir")));

        ServeConfig serve = serveConfig(container);
        assertEquals("/livez", container.at("/livenessProbe/httpGet/path").asText());
        assertEquals("/readyz", container.at("/readinessProbe/httpGet/path").asText());
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertEquals(
                    serve.healthPort(),
                    containerPort(
                            container, container.path(probe).at("/httpGet/port").asText()),
                    probe);
        }

        List<String> preStop = strings(container.at("/lifecycle/preStop/exec/command"));
        assertEquals("sleep", preStop.getFirst(), preStop.toString());
        Duration preStopSleep = Duration.ofSeconds(Long.parseLong(preStop.get(1)));
        Duration grace =
                Duration.ofSeconds(pod.path("terminationGracePeriodSeconds").asLong());
        assertTrue(
                serve.shutdownDelay().compareTo(Duration.ofSeconds(1)) >= 0,
                "readiness goes false before the listeners close");
        int webhookTimeout = 0;
        for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
            for (JsonNode webhook : manifests.one(kind, "routecert").path("webhooks")) {
                webhookTimeout =
                        Math.max(webhookTimeout, webhook.path("timeoutSeconds").asInt());
            }
        }
        assertTrue(
                serve.shutdownTimeout().compareTo(Duration.ofSeconds(webhookTimeout)) > 0,
                "an in-flight review may take the webhook's whole timeoutSeconds (" + webhookTimeout + " s)");
        Duration needed = preStopSleep.plus(serve.shutdownDelay()).plus(serve.shutdownTimeout());
        assertTrue(
                needed.plusSeconds(5).compareTo(grace) <= 0,
                "preStop + --shutdown-delay + --shutdown-timeout (" + needed
                        + ") leaves 5 s for the JVM to exit within " + grace);
    }

    @Test
    void theHeapLimitFollowsTheMeasuredSizing() {
        JsonNode container = manifests.one("Deployment", "routecert").at("/spec/template/spec/containers/0");
        String memoryLimit = container.at("/resources/limits/memory").asText();
        assertEquals(
                memoryLimit,
                container.at("/resources/requests/memory").asText(),
                "memory request = limit: never overcommitted");
        assertFalse(container.at("/resources/requests/cpu").asText().isEmpty());
        assertFalse(container.at("/resources/limits/cpu").asText().isEmpty());
        String javaOptions = env(container, "JDK_JAVA_OPTIONS");
        assertTrue(javaOptions.contains("-XX:+ExitOnOutOfMemoryError"), javaOptions);
        Matcher percentage = MAX_RAM_PERCENTAGE.matcher(javaOptions);
        assertTrue(percentage.find(), javaOptions);
        long limitMiB = mebibytes(memoryLimit);
        double heapMiB = limitMiB * Double.parseDouble(percentage.group(1)) / 100;
        assertTrue(
                Math.abs(heapMiB - MEASURED_HEAP_MIB) <= 4,
                "heap " + heapMiB + " MiB of " + memoryLimit + " is the " + MEASURED_HEAP_MIB
                        + " MiB the resources were measured with");
        assertTrue(
                limitMiB >= 1.3 * MEASURED_PEAK_RSS_MIB,
                "the limit leaves 30% above the " + MEASURED_PEAK_RSS_MIB + " MiB peak RSS measured under load: "
                        + memoryLimit);
    }

    @Test
    void theConfigMapHoldsServeOptionsAndTheDeploymentReadsIt() {
        ObjectNode configMap = manifests.ofKind("ConfigMap").stream()
                .filter(c -> name(c).startsWith("routecert-config"))
                .findFirst()
                .orElseThrow();
        JsonNode container = manifests.one("Deployment", "routecert").at("/spec/template/spec/containers/0");
        assertEquals(
                name(configMap),
                container.at("/envFrom/0/configMapRef/name").asText(),
                "kustomize rewrites the reference to the hashed name, so a change rolls the pods");
        Set<String> serveVariables = new TreeSet<>();
        CommandLine.Model.CommandSpec serve =
                Main.commandLine().getSubcommands().get("serve").getCommandSpec();
        serve.interpolateVariables(false); // defaults as written: ${env:ROUTECERT_...:-default}
        for (CommandLine.Model.OptionSpec option : serve.options()) {
            Matcher variable = ENV_DEFAULT.matcher(String.valueOf(option.defaultValue()));
            if (variable.find()) {
                serveVariables.add(variable.group(1));
            }
        }
        List<String> unknown = new ArrayList<>();
        configMap.path("data").fieldNames().forEachRemaining(key -> {
            if (!serveVariables.contains(key)) {
                unknown.add(key);
            }
        });
        assertEquals(
                List.of(),
                unknown,
                "ConfigMap keys that are no option of routecert serve, which reads " + serveVariables);
        for (String key : List.of(
                "ROUTECERT_DEFAULT_ISSUER",
                "ROUTECERT_DEFAULT_ISSUER_KIND",
                "ROUTECERT_DEFAULT_ISSUER_GROUP",
                "ROUTECERT_DEFAULT_SYNTAX",
                "ROUTECERT_EXTRA_CERTIFICATE_ANNOTATIONS",
                "ROUTECERT_REQUIRE_TLS")) {
            assertTrue(configMap.path("data").has(key), "every policy option is in the ConfigMap: " + key);
        }
    }

    @Test
    void onlyTheApiServerCidrReachesTheWebhookPortAndMetricsAreSeparate() {
        ObjectNode policy = manifests.one("NetworkPolicy");
        JsonNode container = manifests.one("Deployment", "routecert").at("/spec/template/spec/containers/0");
        assertEquals(List.of("Ingress"), strings(policy.at("/spec/policyTypes")));
        ArrayNode rules = array(policy, "/spec/ingress");
        assertEquals(2, rules.size(), rules.toString());
        JsonNode webhookRule = rules.get(0);
        assertEquals(List.of("https"), ports(webhookRule), "rule 0 is the admission port alone");
        assertEquals(1, webhookRule.path("from").size());
        assertTrue(webhookRule.at("/from/0/ipBlock/cidr").asText().matches("[0-9a-f.:]+/\\d+"), webhookRule.toString());
        assertEquals(9443, containerPort(container, "https"));
        JsonNode metricsRule = rules.get(1);
        assertEquals(List.of("health"), ports(metricsRule), "rule 1 is the metrics port alone");
        assertFalse(metricsRule.at("/from/0").has("ipBlock"));
        assertTrue(metricsRule.at("/from/0").has("namespaceSelector"));
    }

    @Test
    void routecertsOwnNamespaceIsExemptOnEveryKubernetesVersion() {
        ObjectNode namespace = manifests.one("Namespace", "routecert");
        for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
            JsonNode expressions =
                    manifests.one(kind, "routecert").at("/webhooks/0/namespaceSelector/matchExpressions");
            JsonNode exempt = StreamSupport.stream(expressions.spliterator(), false)
                    .filter(e -> e.path("key").asText().equals("routecert.dev/exempt"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("DoesNotExist", exempt.path("operator").asText());
            assertTrue(
                    namespace.at("/metadata/labels").has("routecert.dev/exempt"),
                    "the label works where kubernetes.io/metadata.name does not exist (before 1.21)");
            JsonNode byName = StreamSupport.stream(expressions.spliterator(), false)
                    .filter(e -> e.path("key").asText().equals("kubernetes.io/metadata.name"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    Set.of("kube-system", "cert-manager", "routecert"), new TreeSet<>(strings(byName.path("values"))));
        }
    }

    @Test
    void theOverlayManifestsReadmeDocumentsSetsTheCidrAndTheImage(@TempDir Path dir) throws Exception {
        String readme = Files.readString(RenderedManifests.DIRECTORY.resolve("README.md"));
        Matcher block = Pattern.compile("```yaml\n# my-cluster/kustomization.yaml\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(block.find(), "manifests/README.md shows the overlay");
        Path overlay = Files.createDirectories(dir.resolve("my-cluster"));
        Files.writeString(overlay.resolve("kustomization.yaml"), block.group(1));
        Files.createSymbolicLink(dir.resolve("manifests"), RenderedManifests.DIRECTORY);
        CommandResult rendered = Commands.run(
                List.of(dev.routecert.kube.KubeBinaries.onPath("kubectl").toString(), "kustomize", overlay.toString()));
        assertEquals(0, rendered.exitCode(), rendered.output());
        Matcher cidr = Pattern.compile("value: (\\S+/\\d+)").matcher(block.group(1));
        assertTrue(cidr.find(), block.group(1));
        assertTrue(rendered.stdout().contains("cidr: " + cidr.group(1)), rendered.stdout());
        assertFalse(
                rendered.stdout()
                        .contains(manifests
                                .one("NetworkPolicy")
                                .at("/spec/ingress/0/from/0/ipBlock/cidr")
                                .asText()),
                "the shipped placeholder is gone");
        assertTrue(rendered.stdout().contains("image: registry.example.com/platform/routecert:"), rendered.stdout());
    }

    // ---------------------------------------------------------------------------------------------

    private static List<ObjectNode> forKubernetes120(List<ObjectNode> shipped) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<ObjectNode> variant = new ArrayList<>();
        for (ObjectNode original : shipped) {
            ObjectNode object = original.deepCopy();
            switch (object.path("kind").asText()) {
                case "PodDisruptionBudget" -> {
                    object.put("apiVersion", "policy/v1beta1");
                    ((ObjectNode) object.path("spec")).remove("unhealthyPodEvictionPolicy");
                }
                case "Deployment" ->
                    object.at("/spec/template/spec/topologySpreadConstraints")
                            .forEach(c -> ((ObjectNode) c).remove("matchLabelKeys"));
                case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration" ->
                    object.path("webhooks")
                            .forEach(w -> ((ArrayNode) w.at("/namespaceSelector/matchExpressions"))
                                    .addObject()
                                    .put("key", NO_NAMESPACE_LABEL)
                                    .put("operator", "In")
                                    .putArray("values")
                                    .add(run));
                default -> {}
            }
            variant.add(object);
        }
        return variant;
    }

    private static Set<String> differences(List<ObjectNode> shipped, List<ObjectNode> variant) {
        Set<String> differences = new TreeSet<>();
        for (int i = 0; i < shipped.size(); i++) {
            for (String path : RenderedManifests.differences(shipped.get(i), variant.get(i), "")) {
                differences.add(describe(shipped.get(i)) + " " + path);
            }
        }
        return differences;
    }

    private static void cleanUp(KubeCluster cluster, List<ObjectNode> applied) throws Exception {
        List<String> failures = new ArrayList<>();
        // First the registrations: nothing may stay registered with failurePolicy: Fail and no pods behind it.
        for (String kind : List.of("mutatingwebhookconfiguration", "validatingwebhookconfiguration")) {
            CommandResult deleted = Commands.kubectl(cluster, null, "delete", kind, "routecert", "--ignore-not-found");
            if (deleted.exitCode() != 0) {
                failures.add(deleted.output());
            }
        }
        // Then the rest, waiting until the namespace is gone, so that no later test finds it terminating.
        CommandResult rest = Commands.kubectl(
                cluster,
                RenderedManifests.yaml(applied),
                "delete",
                "-f",
                "-",
                "--ignore-not-found",
                "--wait=true",
                "--timeout=50s");
        if (rest.exitCode() != 0) {
            failures.add(rest.output());
        }
        assertEquals(List.of(), failures, "clean-up failed");
    }

    private static void awaitNoTerminatingNamespace(KubeCluster cluster, String namespace) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            CommandResult phase = Commands.kubectl(
                    cluster,
                    null,
                    "get",
                    "namespace",
                    namespace,
                    "--ignore-not-found",
                    "-o",
                    "jsonpath={.status.phase}");
            assertEquals(0, phase.exitCode(), phase.output());
            if (!phase.stdout().trim().equals("Terminating")) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "namespace " + namespace + " is still terminating after 60 s");
            Thread.sleep(500);
        }
    }

    static ServeConfig serveConfig(JsonNode container) {
        List<String> args = strings(container.path("args"));
        assertEquals("serve", args.getFirst(), "the container runs routecert serve: " + args);
        CommandLine routecert = Main.commandLine();
        routecert.parseArgs(args.toArray(String[]::new));
        ServeConfig config =
                ((ServeCommand) routecert.getSubcommands().get("serve").getCommand()).config();
        // Files and directories under the container's volume mounts exist only in the pod.
        List<String> outsideThePod = new ArrayList<>();
        container
                .path("volumeMounts")
                .forEach(m -> outsideThePod.add(m.path("mountPath").asText()));
        List<String> problems = config.problems().stream()
                .filter(p -> outsideThePod.stream()
                        .noneMatch(mount -> p.endsWith("directory " + mount + " does not exist")
                                || (p.contains("file " + mount + "/") && p.endsWith(" does not exist"))))
                .toList();
        assertEquals(List.of(), problems, "the Deployment's args are a valid serve configuration");
        return config;
    }

    static String env(JsonNode container, String name) {
        for (JsonNode variable : container.path("env")) {
            if (variable.path("name").asText().equals(name)) {
                return variable.path("value").asText();
            }
        }
        throw new AssertionError("the container sets no " + name);
    }

    static int containerPort(JsonNode container, String nameOrNumber) {
        for (JsonNode port : container.path("ports")) {
            if (port.path("name").asText().equals(nameOrNumber)
                    || port.path("containerPort").asText().equals(nameOrNumber)) {
                return port.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port " + nameOrNumber + " in " + container.path("ports"));
    }

    private static JsonNode servicePort(JsonNode service, int port) {
        for (JsonNode candidate : service.at("/spec/ports")) {
            if (candidate.path("port").asInt() == port) {
                return candidate;
            }
        }
        throw new AssertionError("Service has no port " + port);
    }

    private static JsonNode servicePortNamed(JsonNode service, String name) {
        for (JsonNode candidate : service.at("/spec/ports")) {
            if (candidate.path("name").asText().equals(name)) {
                return candidate;
            }
        }
        throw new AssertionError("Service has no port named " + name);
    }

    private static List<String> ports(JsonNode rule) {
        List<String> ports = new ArrayList<>();
        rule.path("ports").forEach(p -> ports.add(p.path("port").asText()));
        return ports;
    }

    static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(item -> strings.add(item.asText()));
        return strings;
    }

    private static long mebibytes(String quantity) {
        if (quantity.endsWith("Mi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2));
        }
        if (quantity.endsWith("Gi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024;
        }
        throw new AssertionError("write memory in Mi or Gi: " + quantity);
    }

    /** cert-manager durations as the manifests write them: whole hours. */
    private static Duration goDuration(String value) {
        assertTrue(value.matches("\\d+h"), "duration in hours: " + value);
        return Duration.ofHours(Long.parseLong(value.substring(0, value.length() - 1)));
    }

    static List<String> dockerfileUser() throws Exception {
        return Files.readAllLines(ShippedContainerIT.DOCKERFILE).stream()
                .filter(l -> l.startsWith("USER "))
                .map(l -> l.substring(5).split(":")[0].trim())
                .toList();
    }
}
