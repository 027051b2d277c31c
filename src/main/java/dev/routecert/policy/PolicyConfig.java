package dev.routecert.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the policy needs to know about the cluster: which issuer signs Certificates when an object
 * names none, which rule syntax Traefik uses by default, and whether TLS is mandatory.
 *
 * @param defaultIssuerName  issuer used when an object has no {@code cert-manager.io/issuer} or
 *                           {@code cert-manager.io/cluster-issuer} annotation; null for none
 * @param defaultIssuerKind  {@code Issuer} or {@code ClusterIssuer} (or an external issuer kind)
 * @param defaultIssuerGroup API group of the default issuer, {@code cert-manager.io} for built-in ones
 * @param defaultSyntax      rule syntax of routes without a {@code syntax} field (Traefik's
 *                           {@code core.defaultRuleSyntax})
 * @param requireTls         when true, an object that serves host names without TLS is denied
 * @param traefikAllowCrossNamespace Traefik's {@code providers.kubernetesCRD.allowCrossNamespace}: whether
 *                           a route may name a TLSOption of another namespace
 * @param traefikTlsEntryPoints the entry points Traefik's static configuration gives {@code http.tls},
 *                           so that every router on them is TLS; empty when none is known
 * @param extraCertificateAnnotations annotation keys copied from a route to its Certificates, as
 *                           cert-manager's {@code --extra-certificate-annotations} makes the ingress-shim do
 */
public record PolicyConfig(
        String defaultIssuerName,
        String defaultIssuerKind,
        String defaultIssuerGroup,
        RuleSyntax defaultSyntax,
        boolean requireTls,
        boolean traefikAllowCrossNamespace,
        Set<String> traefikTlsEntryPoints,
        List<String> extraCertificateAnnotations,
        CertificateTemplate certificateTemplate) {

    public static final String CERT_MANAGER_GROUP = "cert-manager.io";
    public static final String CLUSTER_ISSUER = "ClusterIssuer";
    public static final String ISSUER = "Issuer";

    /** The entry point Traefik's Helm chart gives {@code http.tls} unless told otherwise. */
    public static final String TRAEFIK_TLS_ENTRY_POINT = "websecure";

    public PolicyConfig {
        if (defaultIssuerName != null && defaultIssuerName.isBlank()) {
            defaultIssuerName = null;
        }
        if (defaultIssuerKind == null || defaultIssuerKind.isBlank()) {
            defaultIssuerKind = CLUSTER_ISSUER;
        }
        if (defaultIssuerGroup == null || defaultIssuerGroup.isBlank()) {
            defaultIssuerGroup = CERT_MANAGER_GROUP;
        }
        Objects.requireNonNull(defaultSyntax, "defaultSyntax");
        traefikTlsEntryPoints = traefikTlsEntryPoints == null ? Set.of() : Set.copyOf(traefikTlsEntryPoints);
        extraCertificateAnnotations =
                extraCertificateAnnotations == null ? List.of() : List.copyOf(extraCertificateAnnotations);
        certificateTemplate = certificateTemplate == null ? CertificateTemplate.NONE : certificateTemplate;
    }

    /** Traefik's defaults for its own settings: no cross-namespace references, {@link #TRAEFIK_TLS_ENTRY_POINT}. */
    public PolicyConfig(
            String defaultIssuerName,
            String defaultIssuerKind,
            String defaultIssuerGroup,
            RuleSyntax defaultSyntax,
            boolean requireTls) {
        this(
                defaultIssuerName,
                defaultIssuerKind,
                defaultIssuerGroup,
                defaultSyntax,
                requireTls,
                false,
                Set.of(TRAEFIK_TLS_ENTRY_POINT),
                List.of(),
                CertificateTemplate.NONE);
    }

    /** No default issuer, ClusterIssuer kind, cert-manager.io group, v3 syntax, TLS optional. */
    public static PolicyConfig defaults() {
        return new PolicyConfig(null, CLUSTER_ISSUER, CERT_MANAGER_GROUP, RuleSyntax.V3, false);
    }

    public PolicyConfig withDefaultIssuer(String name, String kind) {
        return new PolicyConfig(
                name,
                kind,
                defaultIssuerGroup,
                defaultSyntax,
                requireTls,
                traefikAllowCrossNamespace,
                traefikTlsEntryPoints,
                extraCertificateAnnotations,
                certificateTemplate);
    }

    public PolicyConfig withDefaultSyntax(RuleSyntax syntax) {
        return new PolicyConfig(
                defaultIssuerName,
                defaultIssuerKind,
                defaultIssuerGroup,
                syntax,
                requireTls,
                traefikAllowCrossNamespace,
                traefikTlsEntryPoints,
                extraCertificateAnnotations,
                certificateTemplate);
    }

    public PolicyConfig withRequireTls(boolean require) {
        return new PolicyConfig(
                defaultIssuerName,
                defaultIssuerKind,
                defaultIssuerGroup,
                defaultSyntax,
                require,
                traefikAllowCrossNamespace,
                traefikTlsEntryPoints,
                extraCertificateAnnotations,
                certificateTemplate);
    }

    /** With Traefik's {@code allowCrossNamespace} and the entry points its static configuration makes TLS. */
    public PolicyConfig withTraefik(boolean allowCrossNamespace, Set<String> tlsEntryPoints) {
        return new PolicyConfig(
                defaultIssuerName,
                defaultIssuerKind,
                defaultIssuerGroup,
                defaultSyntax,
                requireTls,
                allowCrossNamespace,
                tlsEntryPoints,
                extraCertificateAnnotations,
                certificateTemplate);
    }

    public PolicyConfig withExtraCertificateAnnotations(List<String> keys) {
        return new PolicyConfig(
                defaultIssuerName,
                defaultIssuerKind,
                defaultIssuerGroup,
                defaultSyntax,
                requireTls,
                traefikAllowCrossNamespace,
                traefikTlsEntryPoints,
                keys,
                certificateTemplate);
    }

    /**
     * With a Certificate template; its issuerRef, when it has one, is the default issuer (the caller
     * refuses a template issuer together with {@code --default-issuer}).
     */
    public PolicyConfig withCertificateTemplate(CertificateTemplate template) {
        PlannedCertificate.IssuerRef issuer = template.issuer();
        return new PolicyConfig(
                issuer == null ? defaultIssuerName : issuer.name(),
                issuer == null ? defaultIssuerKind : issuer.kind(),
                issuer == null ? defaultIssuerGroup : issuer.group(),
                defaultSyntax,
                requireTls,
                traefikAllowCrossNamespace,
                traefikTlsEntryPoints,
                extraCertificateAnnotations,
                template);
    }

    /**
     * What is wrong with {@code --extra-certificate-annotations}, each naming the key: every key must
     * be a valid annotation key, and routecert's own keys are its to write.
     */
    public static List<String> extraAnnotationProblems(List<String> keys) {
        List<String> problems = new ArrayList<>();
        for (String key : keys) {
            String error = KubeNames.qualifiedNameError(key);
            if (error != null) {
                problems.add("--extra-certificate-annotations: '" + key + "' is not an annotation key: " + error);
            } else if (key.startsWith("routecert.dev/")) {
                problems.add("--extra-certificate-annotations: '" + key
                        + "' is routecert's own annotation, which it writes itself");
            }
        }
        return problems;
    }

    public boolean hasDefaultIssuer() {
        return defaultIssuerName != null;
    }
}
