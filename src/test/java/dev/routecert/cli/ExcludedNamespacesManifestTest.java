package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.config.GuardOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What routecert itself excludes is what its shipped registration excludes: a review the API server
 * would never send for a namespace is one routecert must not act on either.
 */
class ExcludedNamespacesManifestTest {

    @Test
    void theDefaultsEqualTheShippedNamespaceSelector() throws IOException {
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs("serve");
        GuardOptions defaults = ((ServeCommand)
                        parsed.subcommand().commandSpec().userObject())
                .config()
                .guard();
        assertEquals(GuardOptions.defaults(), defaults);

        int webhooks = 0;
        for (JsonNode configuration : documents("manifests/webhook.yaml")) {
            for (JsonNode webhook : configuration.path("webhooks")) {
                webhooks++;
                Set<String> byName = new TreeSet<>();
                List<String> absentLabels = new ArrayList<>();
                for (JsonNode expression : webhook.path("namespaceSelector").path("matchExpressions")) {
                    String key = expression.path("key").asText();
                    String operator = expression.path("operator").asText();
                    if (key.equals("kubernetes.io/metadata.name") && operator.equals("NotIn")) {
                        expression.path("values").forEach(v -> byName.add(v.asText()));
                    } else if (operator.equals("DoesNotExist")) {
                        absentLabels.add(key);
                    }
                }
                String name = webhook.path("name").asText();
                assertEquals(new TreeSet<>(defaults.excludedNamespaces()), byName, name);
                assertEquals(List.of(defaults.exemptNamespaceLabel()), absentLabels, name);
            }
        }
        assertEquals(2, webhooks);
    }

    @Test
    void theShippedConfigAndNamespaceAgree() throws IOException {
        List<String> env = Files.readAllLines(Path.of("manifests/config.env"));
        assertTrue(
                env.contains(
                        "ROUTECERT_EXCLUDED_NAMESPACES=" + String.join(",", GuardOptions.DEFAULT_EXCLUDED_NAMESPACES)),
                "manifests/config.env");
        assertTrue(
                env.contains("ROUTECERT_EXEMPT_NAMESPACE_LABEL=" + GuardOptions.DEFAULT_EXEMPT_NAMESPACE_LABEL),
                "manifests/config.env");
        JsonNode namespace = documents("manifests/namespace.yaml").getFirst();
        assertTrue(
                GuardOptions.DEFAULT_EXCLUDED_NAMESPACES.contains(
                        namespace.path("metadata").path("name").asText()),
                "routecert's own namespace is excluded by name");
    }

    private static List<JsonNode> documents(String file) throws IOException {
        try (MappingIterator<JsonNode> it = new YAMLMapper()
                .readerFor(JsonNode.class)
                .readValues(Path.of(file).toFile())) {
            return it.readAll();
        }
    }
}
