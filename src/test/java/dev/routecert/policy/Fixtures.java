package dev.routecert.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.policy.scope.DocumentFacts;
import dev.routecert.policy.scope.ScopeFacts;
import dev.routecert.policy.scope.ScopeSettings;
import dev.routecert.policy.settings.NamespacePolicy;
import dev.routecert.policy.settings.PolicySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The scenario fixtures under {@code src/test/resources/routes/<kind>/with_<feature>.yaml}, each with
 * its expected verdict in {@code with_<feature>.expected.yaml} beside it.
 */
public final class Fixtures {

    public static final ObjectMapper YAML = new YAMLMapper();

    /** One scenario: the object file, its expectation, and a display name like {@code ingress/with_x}. */
    public record Fixture(String name, Path objectFile, JsonNode object, JsonNode expected) {
        public String folder() {
            return name.substring(0, name.indexOf('/'));
        }
    }

    private Fixtures() {}

    public static Path root() {
        try {
            var url = Fixtures.class.getClassLoader().getResource("routes");
            if (url == null) {
                throw new IllegalStateException("routes/ fixtures are not on the test classpath");
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every fixture, sorted by name; a fixture without its expected file is an error. */
    public static List<Fixture> all() {
        Path root = root();
        List<Fixture> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted().toList()) {
                String file = p.getFileName().toString();
                if (!Files.isRegularFile(p) || !file.endsWith(".yaml") || file.endsWith(".expected.yaml")) {
                    continue;
                }
                Path expected = p.resolveSibling(file.replace(".yaml", ".expected.yaml"));
                if (!Files.exists(expected)) {
                    throw new IllegalStateException("fixture " + p + " has no " + expected.getFileName());
                }
                String name = root.relativize(p).toString().replace('\\', '/').replace(".yaml", "");
                out.add(new Fixture(name, p, YAML.readTree(p.toFile()), YAML.readTree(expected.toFile())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * The object before an UPDATE, as the API server sends it beside the object: the expectation's
     * {@code oldObject}, else the object itself (an update that changed nothing); null for other operations.
     */
    public static JsonNode oldObject(JsonNode expected, JsonNode object) {
        if (!expected.path("operation").asText("CREATE").equals("UPDATE")) {
            return null;
        }
        JsonNode old = expected.get("oldObject");
        return old != null ? old : object;
    }

    /**
     * The policy a fixture is judged by: its {@link #config} with each namespace's allow-lists from the
     * expectation's {@code policyFile:} (a policy file's content, inline), resolved with the labels in
     * its {@code namespaceLabels:}; without {@code policyFile:}, the built-in defaults.
     */
    public static RoutePolicy policy(JsonNode expected) {
        return new RoutePolicy(
                        config(expected), ScopeSettings.everything(), facts(expected), NamespaceRules.Source.DEFAULT)
                .withTenancy(tenancy(expected));
    }

    /**
     * The cluster a fixture is judged in: the objects of its expectation's {@code clusterObjects:} list
     * (TLSOptions, TLSStores, Certificates, Middlewares, IngressClasses), as {@code check} reads them from
     * its input; without the key, no cluster facts.
     */
    public static ScopeFacts facts(JsonNode expected) {
        List<JsonNode> objects = clusterObjects(expected);
        return objects.isEmpty() ? ScopeFacts.NONE : DocumentFacts.of(objects, "default");
    }

    /** The expectation's {@code clusterObjects:}, each an object as it would be applied. */
    public static List<JsonNode> clusterObjects(JsonNode expected) {
        List<JsonNode> objects = new ArrayList<>();
        expected.path("clusterObjects").forEach(objects::add);
        return objects;
    }

    /** The allow-lists of {@link #policy}, by namespace. */
    public static Function<String, NamespacePolicy> tenancy(JsonNode expected) {
        JsonNode file = expected.get("policyFile");
        if (file == null) {
            return NamespacePolicy::defaults;
        }
        PolicySettings.Parsed parsed = PolicySettings.parse(file);
        if (!parsed.ok()) {
            throw new IllegalStateException("policyFile of a fixture: " + parsed.problems());
        }
        Map<String, String> labels = new HashMap<>();
        expected.path("namespaceLabels")
                .properties()
                .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return ns -> parsed.settings().resolve(ns, labels);
    }

    /** The policy configuration a fixture asks for: {@link PolicyConfig#defaults()} plus its {@code policy:} overrides. */
    public static PolicyConfig config(JsonNode expected) {
        return withTemplate(options(expected), expected);
    }

    /** The expectation's {@code certificateTemplate:}, a Certificate as {@code --certificate-template} names it. */
    private static PolicyConfig withTemplate(PolicyConfig config, JsonNode expected) {
        JsonNode template = expected.get("certificateTemplate");
        if (template == null) {
            return config;
        }
        CertificateTemplate.Parsed parsed = CertificateTemplate.parse(template);
        if (!parsed.problems().isEmpty()) {
            throw new IllegalStateException("certificateTemplate of a fixture: " + parsed.problems());
        }
        return config.withCertificateTemplate(parsed.template());
    }

    private static PolicyConfig options(JsonNode expected) {
        PolicyConfig c = PolicyConfig.defaults();
        JsonNode p = expected.path("policy");
        if (p.isMissingNode() || p.isNull()) {
            return c;
        }
        String issuer = p.path("defaultIssuer").asText(null);
        String kind = p.path("defaultIssuerKind").asText(c.defaultIssuerKind());
        String group = p.path("defaultIssuerGroup").asText(c.defaultIssuerGroup());
        RuleSyntax syntax = p.has("defaultSyntax")
                ? RuleSyntax.parseFlag(p.get("defaultSyntax").asText())
                : c.defaultSyntax();
        boolean requireTls = p.path("requireTls").asBoolean(false);
        PolicyConfig config = new PolicyConfig(issuer, kind, group, syntax, requireTls);
        if (p.has("traefikAllowCrossNamespace") || p.has("traefikTlsEntryPoints")) {
            Set<String> entryPoints = new LinkedHashSet<>();
            p.path("traefikTlsEntryPoints").forEach(e -> entryPoints.add(e.asText()));
            config = config.withTraefik(
                    p.path("traefikAllowCrossNamespace").asBoolean(false),
                    p.has("traefikTlsEntryPoints") ? entryPoints : config.traefikTlsEntryPoints());
        }
        List<String> extra = new ArrayList<>();
        p.path("extraCertificateAnnotations").forEach(k -> extra.add(k.asText()));
        return config.withExtraCertificateAnnotations(extra);
    }
}
