package dev.routecert.install;

import static dev.routecert.install.HelmChart.one;
import static dev.routecert.install.InstallManifestsIT.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.LintResult;
import dev.routecert.cli.Main;
import dev.routecert.config.ServeConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The chart rendered by Helm's own library: lint, the required API server CIDR, the variants per
 * Kubernetes version, and what each value changes. {@code HelmChartIT} compares it with the kustomize
 * base and installs it.
 */
class HelmChartTest {

    private static final Pattern ENV_DEFAULT = Pattern.compile("^\\$\\{env:(ROUTECERT_[A-Z_]+)");
    private static final String CURRENT = "1.31.0";

    @Test
    void lintFindsNothingToFix() {
        LintResult lint = HelmChart.helm().lint().strict().call();
        assertFalse(lint.isFailed(), lint.getMessages().toString());
        List<String> findings = lint.getMessages().stream()
                .filter(m -> !m.equals("[INFO] Chart.yaml: icon is recommended"))
                // lint renders without values: the one required value is reported, as intended
                .filter(m -> !(m.startsWith("[INFO] Missing required value: apiServerCIDR is required")))
                .toList();
        assertEquals(List.of(), findings);
    }

    @Test
    void refusesToRenderWithoutTheApiServerCidr() {
        Exception refused = assertThrows(Exception.class, () -> HelmChart.template(Map.of(), CURRENT));
        assertTrue(refused.getMessage().contains("apiServerCIDR is required"), refused.getMessage());
        List<ObjectNode> rendered = HelmChart.render(Map.of("apiServerCIDR", "10.0.0.1/32"), CURRENT);
        assertEquals(
                "10.0.0.1/32",
                one(rendered, "NetworkPolicy", "routecert")
                        .at("/spec/ingress/0/from/0/ipBlock/cidr")
                        .asText());
    }

    @Test
    void rendersWhatEachKubernetesVersionServes() {
        ObjectNode pdb120 = one(HelmChart.render(HelmChart.defaults(), "1.20.15"), "PodDisruptionBudget", null);
        assertEquals("policy/v1beta1", pdb120.path("apiVersion").asText());
        assertFalse(pdb120.path("spec").has("unhealthyPodEvictionPolicy"));
        JsonNode spread120 = one(HelmChart.render(HelmChart.defaults(), "1.20.15"), "Deployment", "routecert")
                .at("/spec/template/spec/topologySpreadConstraints/0");
        assertFalse(spread120.has("matchLabelKeys"), spread120.toString());

        assertEquals(
                "policy/v1",
                one(HelmChart.render(HelmChart.defaults(), "1.21.0"), "PodDisruptionBudget", null)
                        .path("apiVersion")
                        .asText());
        List<ObjectNode> current = HelmChart.render(HelmChart.defaults(), CURRENT);
        assertEquals(
                "AlwaysAllow",
                one(current, "PodDisruptionBudget", null)
                        .at("/spec/unhealthyPodEvictionPolicy")
                        .asText());
        assertEquals(
                List.of("pod-template-hash"),
                strings(one(current, "Deployment", "routecert")
                        .at("/spec/template/spec/topologySpreadConstraints/0/matchLabelKeys")));
    }

    @Test
    void theDefaultsRunAValidServeConfiguration() {
        List<ObjectNode> rendered = HelmChart.render(HelmChart.defaults(), CURRENT);
        JsonNode container = one(rendered, "Deployment", "routecert").at("/spec/template/spec/containers/0");
        ServeConfig config = InstallManifestsIT.serveConfig(container);
        assertEquals(9443, config.securePort());
        assertEquals("routecert:0.1.0-SNAPSHOT", container.path("image").asText(), "the tag defaults to appVersion");
        assertEquals(
                2, one(rendered, "Deployment", "routecert").at("/spec/replicas").asInt());
        assertEquals(
                "kube-system,cert-manager,routecert",
                one(rendered, "ConfigMap", "routecert-config")
                        .at("/data/ROUTECERT_EXCLUDED_NAMESPACES")
                        .asText(),
                "the release's namespace is always excluded");
        Set<String> noDns = one(rendered, "ConfigMap", "routecert-config").path("data").properties().stream()
                .map(Map.Entry::getKey)
                .filter(k -> k.startsWith("ROUTECERT_DNS_"))
                .collect(Collectors.toSet());
        assertEquals(Set.of(), noDns, "DNSEndpoints are off by default");
        assertTrue(
                rendered.stream()
                        .noneMatch(o -> o.path("metadata").path("name").asText().startsWith("routecert-dns")),
                "and so are their permissions");
        assertTrue(rendered.stream().noneMatch(o -> o.path("kind").asText().equals("ServiceMonitor")));
        assertTrue(rendered.stream().noneMatch(o -> o.path("kind").asText().equals("PrometheusRule")));
    }

    @Test
    void eachValueReachesTheObjectThatUsesIt() {
        Map<String, Object> values = HelmChart.defaults();
        values.put(
                "image",
                Map.of("repository", "registry.example.com/routecert", "tag", "1.2.3", "pullPolicy", "Always"));
        values.put("replicas", 3);
        values.put("ingressClasses", List.of("traefik", "traefik-internal"));
        values.put("defaultIssuer", Map.of("name", "letsencrypt-prod", "kind", "Issuer", "group", "example.io"));
        values.put("policy", "apiVersion: routecert.dev/v1alpha1\nkind: Policy\n");
        values.put("certificateTemplate", "spec:\n  duration: 2160h\n");
        values.put(
                "dns", Map.of("endpoints", true, "targetService", "traefik/traefik", "targets", List.of(), "ttl", 300));
        values.put("resources", Map.of("limits", Map.of("memory", "1Gi")));
        values.put("extraArgs", List.of("--log-level=debug"));
        values.put("extraEnv", List.of(Map.of("name", "TZ", "value", "UTC")));
        values.put("serviceMonitor", Map.of("enabled", true));
        values.put("prometheusRule", Map.of("enabled", true));
        values.put("grafanaDashboard", Map.of("enabled", true));
        List<ObjectNode> rendered = HelmChart.render(values, CURRENT);

        ObjectNode deployment = one(rendered, "Deployment", "routecert");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertEquals(
                "registry.example.com/routecert:1.2.3", container.path("image").asText());
        assertEquals("Always", container.path("imagePullPolicy").asText());
        assertEquals(3, deployment.at("/spec/replicas").asInt());
        assertEquals("1Gi", container.at("/resources/limits/memory").asText());
        List<String> args = strings(container.path("args"));
        assertTrue(args.contains("--log-level=debug"), args.toString());

        assertTrue(
                container.path("env").toString().contains("\"TZ\""),
                container.path("env").toString());
        assertTrue(deployment.at("/spec/template/spec/volumes").toString().contains("routecert-certificate-template"));
        assertEquals(
                "spec:\n  duration: 2160h\n",
                one(rendered, "ConfigMap", "routecert-certificate-template")
                        .at("/data/certificate-template.yaml")
                        .asText());
        assertEquals(
                "apiVersion: routecert.dev/v1alpha1\nkind: Policy\n",
                one(rendered, "ConfigMap", "routecert-policy")
                        .at("/data/policy.yaml")
                        .asText());

        JsonNode options = one(rendered, "ConfigMap", "routecert-config").path("data");
        assertEquals(
                "traefik,traefik-internal",
                options.path("ROUTECERT_INGRESS_CLASSES").asText());
        assertEquals(
                "letsencrypt-prod", options.path("ROUTECERT_DEFAULT_ISSUER").asText());
        assertEquals("Issuer", options.path("ROUTECERT_DEFAULT_ISSUER_KIND").asText());
        assertEquals(
                "example.io", options.path("ROUTECERT_DEFAULT_ISSUER_GROUP").asText());
        assertEquals(
                "/etc/routecert/certificate-template/certificate-template.yaml",
                options.path("ROUTECERT_CERTIFICATE_TEMPLATE").asText(),
                "--certificate-template, at the mounted ConfigMap");
        assertTrue(
                container.path("volumeMounts").toString().contains("/etc/routecert/certificate-template"),
                container.path("volumeMounts").toString());
        assertEquals("true", options.path("ROUTECERT_DNS_ENDPOINTS").asText());
        assertEquals(
                "traefik/traefik", options.path("ROUTECERT_DNS_TARGET_SERVICE").asText());
        assertEquals("300", options.path("ROUTECERT_DNS_TTL").asText());
        assertFalse(options.has("ROUTECERT_DNS_TARGETS"), "no targets given");
        // the permissions of manifests/dns/, the target Service's Role in its own namespace
        assertTrue(
                one(rendered, "ClusterRole", "routecert-dns")
                        .path("rules")
                        .toString()
                        .contains("dnsendpoints"),
                "the DNS component's ClusterRole");
        assertEquals(
                "routecert",
                one(rendered, "ClusterRoleBinding", "routecert-dns")
                        .at("/subjects/0/name")
                        .asText());
        ObjectNode target = one(rendered, "Role", "routecert-dns-target");
        assertEquals("traefik", target.at("/metadata/namespace").asText());
        assertTrue(target.path("rules").toString().contains("services"), target.toString());
        assertEquals(
                "traefik",
                one(rendered, "RoleBinding", "routecert-dns-target")
                        .at("/metadata/namespace")
                        .asText());

        assertEquals(
                "routecert",
                one(rendered, "ServiceMonitor", "routecert")
                        .at("/metadata/namespace")
                        .asText());
        JsonNode rule = one(rendered, "PrometheusRule", "routecert");
        assertTrue(rule.toString().contains("RoutecertWebhookErrors"), "the rules of manifests/monitoring/");
        assertTrue(
                rule.toString().contains("{{ $labels.webhook }}"), "Prometheus templates pass through Helm untouched");
        assertEquals(
                "1",
                one(rendered, "ConfigMap", "routecert-dashboard")
                        .at("/metadata/labels/grafana_dashboard")
                        .asText());
    }

    @Test
    void inAnotherNamespaceTheHostClaimsFollowTheRelease() {
        assertFalse(
                one(HelmChart.render(HelmChart.defaults(), CURRENT), "ConfigMap", "routecert-config")
                        .path("data")
                        .has("ROUTECERT_CLAIMS_NAMESPACE"),
                "in routecert, routecert's default");
        List<ObjectNode> rendered =
                HelmChart.objects(HelmChart.template(HelmChart.defaults(), CURRENT, "platform-routecert"));
        JsonNode options = one(rendered, "ConfigMap", "routecert-config").path("data");
        assertEquals(
                "platform-routecert", options.path("ROUTECERT_CLAIMS_NAMESPACE").asText());
        assertEquals(
                "platform-routecert",
                one(rendered, "Role", "routecert-host-claims")
                        .at("/metadata/namespace")
                        .asText(),
                "where the Role lets routecert write the Leases");
        assertEquals(
                "kube-system,cert-manager,platform-routecert",
                options.path("ROUTECERT_EXCLUDED_NAMESPACES").asText());
    }

    /** Every key of the options ConfigMap is a variable routecert serve reads (the DNS ones come with their part). */
    @Test
    void theOptionsAreVariablesServeReads() {
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
        List<ObjectNode> rendered =
                HelmChart.objects(HelmChart.template(HelmChart.defaults(), CURRENT, "platform-routecert"));
        List<String> unknown = one(rendered, "ConfigMap", "routecert-config").path("data").properties().stream()
                .map(Map.Entry::getKey)
                .filter(key -> !serveVariables.contains(key))
                .toList();
        assertEquals(List.of(), unknown, "no option of routecert serve; it reads " + serveVariables);
    }

    @Test
    void aChangedOptionRollsThePodsAndAnUnchangedOneDoesNot() {
        String before = checksum(HelmChart.defaults());
        assertEquals(before, checksum(HelmChart.defaults()));
        Map<String, Object> changed = HelmChart.defaults();
        changed.put("config", Map.of("requireTls", true));
        assertFalse(before.equals(checksum(changed)), "checksum/config follows the options");
    }

    @Test
    void theWebhooksAreRegisteredAfterReadinessUnlessToldOtherwise() {
        // helm-java's template returns the release's manifest, without hooks: the default registration is one.
        Set<String> kinds = new TreeSet<>();
        HelmChart.render(HelmChart.defaults(), CURRENT)
                .forEach(o -> kinds.add(o.path("kind").asText()));
        assertFalse(kinds.contains("MutatingWebhookConfiguration"), kinds.toString());
        assertFalse(kinds.contains("ValidatingWebhookConfiguration"), kinds.toString());

        Map<String, Object> plain = HelmChart.defaults();
        plain.put("webhook", Map.of("registerAfterReady", false));
        List<ObjectNode> rendered = HelmChart.render(plain, CURRENT);
        for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
            ObjectNode webhook = one(rendered, kind, "routecert");
            assertFalse(webhook.at("/metadata/annotations").has("helm.sh/hook"), webhook.toString());
            assertEquals(
                    "routecert/routecert-serving",
                    webhook.at("/metadata/annotations/cert-manager.io~1inject-ca-from")
                            .asText());
            assertEquals(
                    "routecert",
                    webhook.at("/webhooks/0/clientConfig/service/namespace").asText());
        }
    }

    private static String checksum(Map<String, Object> values) {
        return one(HelmChart.render(values, CURRENT), "Deployment", "routecert")
                .at("/spec/template/metadata/annotations/checksum~1config")
                .asText();
    }
}
