package dev.routecert.cli;

import dev.routecert.config.CertificateTemplateFile;
import dev.routecert.policy.CertificateTemplate;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.scope.ScopeSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The policy's options, shared by {@code serve} and {@code check} so both judge objects alike. */
public final class PolicyOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(
            names = "--default-issuer",
            paramLabel = "NAME",
            defaultValue = "${env:ROUTECERT_DEFAULT_ISSUER:-}",
            description = "Issuer for objects without a cert-manager.io/issuer or cluster-issuer annotation; "
                    + "empty means none (env ROUTECERT_DEFAULT_ISSUER, default: '${DEFAULT-VALUE}').")
    String defaultIssuer;

    @Option(
            names = "--default-issuer-kind",
            paramLabel = "KIND",
            defaultValue = "${env:ROUTECERT_DEFAULT_ISSUER_KIND:-ClusterIssuer}",
            description = "Kind of the default issuer: Issuer or ClusterIssuer "
                    + "(env ROUTECERT_DEFAULT_ISSUER_KIND, default: ${DEFAULT-VALUE}).")
    String defaultIssuerKind;

    @Option(
            names = "--default-issuer-group",
            paramLabel = "GROUP",
            defaultValue = "${env:ROUTECERT_DEFAULT_ISSUER_GROUP:-cert-manager.io}",
            description =
                    "API group of the default issuer (env ROUTECERT_DEFAULT_ISSUER_GROUP, default: ${DEFAULT-VALUE}).")
    String defaultIssuerGroup;

    @Option(
            names = "--default-syntax",
            paramLabel = "v3|v2",
            defaultValue = "${env:ROUTECERT_DEFAULT_SYNTAX:-v3}",
            description = "Rule syntax of routes without a syntax field, as Traefik's core.defaultRuleSyntax "
                    + "(env ROUTECERT_DEFAULT_SYNTAX, default: ${DEFAULT-VALUE}).")
    String defaultSyntax;

    @Option(
            names = "--require-tls",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "true|false",
            defaultValue = "${env:ROUTECERT_REQUIRE_TLS:-false}",
            description =
                    "Deny objects that serve host names without TLS (env ROUTECERT_REQUIRE_TLS, default: ${DEFAULT-VALUE}).")
    boolean requireTls;

    @Option(
            names = "--traefik-allow-cross-namespace",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "true|false",
            defaultValue = "${env:ROUTECERT_TRAEFIK_ALLOW_CROSS_NAMESPACE:-false}",
            description =
                    "State Traefik's providers.kubernetesCRD.allowCrossNamespace: whether an IngressRoute may name "
                            + "a TLSOption of another namespace; routecert denies such references when false, as Traefik "
                            + "refuses them (env ROUTECERT_TRAEFIK_ALLOW_CROSS_NAMESPACE, default: ${DEFAULT-VALUE}).")
    boolean traefikAllowCrossNamespace;

    @Option(
            names = "--traefik-tls-entrypoints",
            paramLabel = "NAME[,NAME]",
            defaultValue = "${env:ROUTECERT_TRAEFIK_TLS_ENTRYPOINTS:-websecure}",
            description =
                    "The Traefik entry points whose static configuration sets http.tls (Traefik's Helm chart sets "
                            + "it on websecure): an Ingress with spec.tls on one of them is served over TLS without a "
                            + "router.tls annotation. Empty means none is known "
                            + "(env ROUTECERT_TRAEFIK_TLS_ENTRYPOINTS, default: '${DEFAULT-VALUE}').")
    String traefikTlsEntryPoints;

    @Option(
            names = "--extra-certificate-annotations",
            paramLabel = "KEY[,KEY]",
            defaultValue = "${env:ROUTECERT_EXTRA_CERTIFICATE_ANNOTATIONS:-}",
            description = "Annotation keys copied from a route to its Certificates when the route has them, as "
                    + "cert-manager's --extra-certificate-annotations makes its ingress-shim do: give both the same "
                    + "list (env ROUTECERT_EXTRA_CERTIFICATE_ANNOTATIONS, default: '${DEFAULT-VALUE}').")
    String extraCertificateAnnotations;

    /** The keys of {@code --extra-certificate-annotations}, split at commas as cert-manager's flag is. */
    static List<String> extraAnnotationKeys(String value) {
        List<String> keys = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return keys;
        }
        for (String key : value.split(",", -1)) {
            keys.add(key.trim());
        }
        return keys;
    }

    @Option(
            names = "--policy-file",
            paramLabel = "FILE",
            defaultValue = "${env:ROUTECERT_POLICY_FILE}",
            description =
                    "Policy file (YAML, kind: Policy): enforcement per check, opting out, tenancy and overrides per "
                            + "namespace selector. serve re-reads it when it changes and keeps the last good one. "
                            + "Unset: the built-in defaults (env ROUTECERT_POLICY_FILE).")
    Path policyFile;

    /** The {@code --policy-file}, or null. */
    public Path policyFile() {
        return policyFile;
    }

    @Option(
            names = "--certificate-template",
            paramLabel = "FILE",
            defaultValue = "${env:ROUTECERT_CERTIFICATE_TEMPLATE}",
            description = "A cert-manager Certificate (YAML) whose issuerRef, duration, renewBefore, "
                    + "renewBeforePercentage, usages, privateKey, subject, secretTemplate, revisionHistoryLimit, "
                    + "labels and annotations fill every Certificate routecert plans; a route's cert-manager.io "
                    + "annotations win field by field. Read once at start and validated with cert-manager's rules. "
                    + "Unset: none (env ROUTECERT_CERTIFICATE_TEMPLATE).")
    Path certificateTemplate;

    @Option(
            names = "--ingress-classes",
            paramLabel = "NAME[,NAME]",
            defaultValue = "${env:ROUTECERT_INGRESS_CLASSES:-}",
            description = "Act only on objects of these ingress classes (an Ingress's spec.ingressClassName, else its "
                    + "kubernetes.io/ingress.class annotation, else the default IngressClass; a Traefik "
                    + "route's spec.ingressClassName, else its annotation); others are admitted untouched. Empty means every object "
                    + "(env ROUTECERT_INGRESS_CLASSES, default: '${DEFAULT-VALUE}').")
    String ingressClasses;

    @Option(
            names = "--scope-unclassed",
            paramLabel = "include|exclude",
            defaultValue = "${env:ROUTECERT_SCOPE_UNCLASSED:-include}",
            description = "With --ingress-classes: whether objects that name no class (and Ingresses without a default "
                    + "IngressClass) are acted on (env ROUTECERT_SCOPE_UNCLASSED, default: ${DEFAULT-VALUE}).")
    String scopeUnclassed;

    /** The scope settings, or a usage error naming the bad option; names are checked by {@link ScopeSettings#problems()}. */
    public ScopeSettings scope() {
        boolean include = switch (scopeUnclassed == null ? "" : scopeUnclassed.trim()) {
            case "include" -> true;
            case "exclude" -> false;
            default ->
                throw new ParameterException(
                        spec.commandLine(),
                        "Invalid value for option '--scope-unclassed': '" + scopeUnclassed
                                + "' (use include or exclude)");
        };
        return new ScopeSettings(ScopeSettings.parseClasses(ingressClasses), include);
    }

    /** The policy configuration, or a usage error naming the bad option. */
    public PolicyConfig config() {
        RuleSyntax syntax;
        try {
            syntax = RuleSyntax.parseFlag(defaultSyntax);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--default-syntax': '" + defaultSyntax + "' (use v3 or v2)");
        }
        String kind = defaultIssuerKind == null ? "" : defaultIssuerKind.trim();
        if (!kind.isEmpty()
                && PolicyConfig.CERT_MANAGER_GROUP.equals(defaultIssuerGroup.trim())
                && !kind.equals(PolicyConfig.ISSUER)
                && !kind.equals(PolicyConfig.CLUSTER_ISSUER)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--default-issuer-kind': '" + defaultIssuerKind
                            + "' (use Issuer or ClusterIssuer, or set --default-issuer-group for an external issuer)");
        }
        List<String> extra = extraAnnotationKeys(extraCertificateAnnotations);
        List<String> extraProblems = PolicyConfig.extraAnnotationProblems(extra);
        if (!extraProblems.isEmpty()) {
            throw new ParameterException(spec.commandLine(), String.join("; ", extraProblems));
        }
        Set<String> entryPoints = new LinkedHashSet<>();
        for (String e : (traefikTlsEntryPoints == null ? "" : traefikTlsEntryPoints).split(",", -1)) {
            String name = e.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!ENTRY_POINT_NAME.matcher(name).matches()) {
                throw new ParameterException(
                        spec.commandLine(),
                        "Invalid value for option '--traefik-tls-entrypoints': '" + name
                                + "' is not an entry point name (letters, digits, '-' and '_')");
            }
            entryPoints.add(name);
        }
        PolicyConfig config = new PolicyConfig(
                        defaultIssuer == null ? null : defaultIssuer.trim(),
                        kind,
                        defaultIssuerGroup.trim(),
                        syntax,
                        requireTls)
                .withTraefik(traefikAllowCrossNamespace, entryPoints)
                .withExtraCertificateAnnotations(extra);
        // an empty ROUTECERT_CERTIFICATE_TEMPLATE, as manifests/config.env ships it, means none
        boolean none =
                certificateTemplate == null || certificateTemplate.toString().isEmpty();
        return none ? config : config.withCertificateTemplate(template(config));
    }

    /** The {@code --certificate-template}, or a usage error listing every problem with its field. */
    private CertificateTemplate template(PolicyConfig config) {
        CertificateTemplate.Parsed parsed = CertificateTemplateFile.load(certificateTemplate);
        List<String> problems = new ArrayList<>(parsed.problems());
        if (parsed.template().issuer() != null && config.defaultIssuerName() != null) {
            problems.add("spec.issuerRef: --default-issuer is set too; name the default issuer in one place");
        }
        if (!problems.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--certificate-template': " + certificateTemplate + ":\n  "
                            + String.join("\n  ", problems));
        }
        return parsed.template();
    }

    /** What Traefik's static configuration accepts as an entry point's name. */
    private static final Pattern ENTRY_POINT_NAME = Pattern.compile("[A-Za-z0-9_-]+");
}
