package dev.routecert.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Helm chart under {@code manifests/helm/routecert}, rendered by Helm's own library (helm-java). */
public final class HelmChart {

    public static final Path DIRECTORY =
            Path.of("manifests", "helm", "routecert").toAbsolutePath();
    /** The kustomize base's placeholder (TEST-NET-1), so that both render the same NetworkPolicy. */
    public static final String PLACEHOLDER_CIDR = "192.0.2.0/24";

    private static final YAMLMapper YAML = new YAMLMapper();

    private HelmChart() {}

    public static Helm helm() {
        return new Helm(DIRECTORY);
    }

    /** The required value and nothing else. */
    public static Map<String, Object> defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("apiServerCIDR", PLACEHOLDER_CIDR);
        return values;
    }

    /** Writes {@code values} as a values file (a file, not --set, so that lists and YAML text keep their types). */
    public static Path valuesFile(Map<String, Object> values) {
        try {
            Path file = Files.createTempFile("routecert-values-", ".yaml");
            file.toFile().deleteOnExit();
            YAML.writeValue(file.toFile(), values);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code helm template routecert manifests/helm/routecert -n routecert -f values} for that Kubernetes version. */
    public static String template(Map<String, Object> values, String kubeVersion) {
        return template(values, kubeVersion, "routecert");
    }

    /** The same into another namespace. */
    public static String template(Map<String, Object> values, String kubeVersion, String namespace) {
        TemplateCommand template = helm().template()
                .withName("routecert")
                .withNamespace(namespace)
                .withKubeVersion(kubeVersion)
                .withValuesFile(valuesFile(values));
        return template.call();
    }

    public static List<ObjectNode> render(Map<String, Object> values, String kubeVersion) {
        return objects(template(values, kubeVersion));
    }

    public static List<ObjectNode> objects(String yaml) {
        try {
            List<ObjectNode> objects = new ArrayList<>();
            for (JsonNode document :
                    YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
                if (document instanceof ObjectNode object && object.has("kind")) {
                    objects.add(object);
                }
            }
            return objects;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode one(List<ObjectNode> objects, String kind, String name) {
        List<ObjectNode> found = objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind))
                .filter(o -> name == null || RenderedManifests.name(o).equals(name))
                .toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " " + kind + " named " + name + " rendered");
        }
        return found.getFirst();
    }
}
