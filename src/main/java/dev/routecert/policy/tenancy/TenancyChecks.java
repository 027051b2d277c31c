package dev.routecert.policy.tenancy;

import dev.routecert.policy.Check;
import dev.routecert.policy.HostName;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.Violation;
import dev.routecert.policy.settings.DomainPattern;
import dev.routecert.policy.settings.NamespacePolicy;
import dev.routecert.policy.settings.NamespacePolicy.IssuerAllowance;
import dev.routecert.policy.settings.TenancySettings.CertificateAllowance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tenant-isolation checks that the policy file's {@code tenancy} section drives: which domains a
 * namespace may serve ({@code domain-not-allowed}), which issuers it may have sign
 * ({@code issuer-not-allowed}), and what its Certificates may carry beyond DNS names with server-auth
 * usages ({@code cert-*}). Pure: they read the resolved {@link NamespacePolicy}, the names a route
 * serves or asks a certificate for, and the Certificates the policy planned for it.
 */
public final class TenancyChecks {

    /** A name a route serves or lists for TLS, with the first field that names it. */
    public record Name(HostName name, String field) {}

    /** What a Certificate carries by default: cert-manager's default usages and server auth. */
    public static final Set<String> SERVER_USAGES = Set.of("digital signature", "key encipherment", "server auth");

    /** A fix lists at most this many allowed patterns or issuers, then says how many more there are. */
    static final int MAX_LISTED = 8;

    private static final String CM = "cert-manager.io/";
    private static final String ISSUER = CM + "issuer";
    private static final String CLUSTER_ISSUER = CM + "cluster-issuer";
    private static final String ISSUER_KIND = CM + "issuer-kind";
    private static final String ISSUER_GROUP = CM + "issuer-group";
    private static final String IP_SANS = CM + "ip-sans";
    private static final String URI_SANS = CM + "uri-sans";
    private static final String EMAIL_SANS = CM + "email-sans";
    private static final String USAGES = CM + "usages";
    private static final String COMMON_NAME = CM + "common-name";
    private static final List<String> SUBJECT_ANNOTATIONS = List.of(
            CM + "subject-organizations",
            CM + "subject-organizationalunits",
            CM + "subject-countries",
            CM + "subject-provinces",
            CM + "subject-localities",
            CM + "subject-postalcodes",
            CM + "subject-streetaddresses",
            CM + "subject-serialnumber");

    private static final String ASK = "or ask the platform team to allow it for this namespace in the policy file's ";

    private TenancyChecks() {}

    /** Every tenancy check of this class, domains first, then issuers, then contents. */
    public static List<Violation> check(
            NamespacePolicy policy,
            PolicyConfig config,
            Map<String, String> annotations,
            List<Name> names,
            List<PlannedCertificate> certificates) {
        List<Violation> out = new ArrayList<>(domains(policy, names, certificates));
        out.addAll(issuers(policy, config, annotations, certificates));
        out.addAll(contents(policy, annotations, names, certificates));
        return out;
    }

    /**
     * {@code domain-not-allowed}: with a {@code tenancy.domains} section, every DNS name served, listed
     * for TLS or planned in a Certificate must match one of the namespace's patterns. IP addresses are
     * not domains: a Certificate's IPs are {@code cert-ip-sans}'s to judge.
     */
    public static List<Violation> domains(NamespacePolicy policy, List<Name> names, List<PlannedCertificate> certs) {
        if (policy.domains().isEmpty()) {
            return List.of();
        }
        List<Violation> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Name n : names) {
            if (!n.name().isIp() && seen.add(n.name().ascii()) && !policy.allowsDomain(n.name())) {
                out.add(domainDenied(policy, n.field(), n.name().ascii()));
            }
        }
        for (PlannedCertificate c : certs) {
            for (String dns : c.dnsNames()) {
                HostName.Check parsed = HostName.check(dns);
                if (parsed.name() != null && seen.add(parsed.name().ascii()) && !policy.allowsDomain(parsed.name())) {
                    out.add(domainDenied(policy, "spec.tls", dns));
                }
            }
        }
        return out;
    }

    private static Violation domainDenied(NamespacePolicy policy, String field, String name) {
        List<DomainPattern> allowed = policy.domains().orElse(List.of());
        String ns = describe(policy.namespace());
        if (allowed.isEmpty()) {
            return Violation.forbidden(
                    Check.DOMAIN_NOT_ALLOWED,
                    field,
                    name + " is not a domain " + ns + " may use: the policy file lets it use none",
                    "ask the platform team to list a domain for this namespace in tenancy.domains");
        }
        return Violation.forbidden(
                Check.DOMAIN_NOT_ALLOWED,
                field,
                name + " is not a domain " + ns + " may use",
                "use a name under "
                        + listed(allowed.stream().map(DomainPattern::toString).toList()) + ", " + ASK
                        + "tenancy.domains");
    }

    /**
     * {@code issuer-not-allowed}: a Certificate may be signed by an Issuer of its own namespace, by the
     * default issuer, or by a cluster-scoped or external issuer the namespace's {@code tenancy.issuers}
     * entries list. Without that section every issuer is allowed.
     */
    public static List<Violation> issuers(
            NamespacePolicy policy,
            PolicyConfig config,
            Map<String, String> annotations,
            List<PlannedCertificate> certs) {
        if (policy.issuers().isEmpty()) {
            return List.of();
        }
        Map<String, Violation> out = new LinkedHashMap<>();
        for (PlannedCertificate c : certs) {
            PlannedCertificate.IssuerRef ref = c.issuerRef();
            if (ref == null || isDefault(ref, config)) {
                continue;
            }
            String group = ref.group() == null || ref.group().isEmpty() ? PolicyConfig.CERT_MANAGER_GROUP : ref.group();
            String kind = ref.kind() == null || ref.kind().isEmpty() ? PolicyConfig.ISSUER : ref.kind();
            boolean allowed;
            String what;
            if (group.equals(PolicyConfig.CERT_MANAGER_GROUP) && kind.equals(PolicyConfig.ISSUER)) {
                continue; // an Issuer lives in the route's own namespace, which the route may already use
            } else if (group.equals(PolicyConfig.CERT_MANAGER_GROUP)) {
                allowed = policy.allowsClusterIssuer(ref.name());
                what = kind + " " + ref.name();
            } else {
                allowed = policy.allowsExternalIssuer(group, kind, ref.name());
                what = "issuer " + group + "/" + kind + "/" + ref.name();
            }
            if (!allowed) {
                String field = issuerField(annotations);
                out.putIfAbsent(
                        field + what,
                        Violation.forbidden(
                                Check.ISSUER_NOT_ALLOWED,
                                field,
                                what + " is not an issuer " + describe(policy.namespace()) + " may use",
                                issuerFix(policy.issuers().get(), config)));
            }
        }
        return List.copyOf(out.values());
    }

    private static boolean isDefault(PlannedCertificate.IssuerRef ref, PolicyConfig config) {
        return config.hasDefaultIssuer()
                && Objects.equals(ref.name(), config.defaultIssuerName())
                && Objects.equals(ref.kind(), config.defaultIssuerKind())
                && Objects.equals(ref.group(), config.defaultIssuerGroup());
    }

    private static String issuerField(Map<String, String> annotations) {
        for (String key : List.of(CLUSTER_ISSUER, ISSUER_KIND, ISSUER_GROUP, ISSUER)) {
            if (annotations.containsKey(key)) {
                return annotation(key);
            }
        }
        return annotation(CLUSTER_ISSUER);
    }

    private static String issuerFix(IssuerAllowance allowance, PolicyConfig config) {
        List<String> usable = new ArrayList<>();
        if (config.hasDefaultIssuer()) {
            usable.add(config.defaultIssuerKind() + " " + config.defaultIssuerName() + " (the default issuer)");
        }
        new TreeSet<>(allowance.clusterIssuers()).forEach(n -> usable.add("ClusterIssuer " + n));
        allowance.externalIssuers().stream()
                .map(r -> r.group() + "/" + r.kind() + "/" + r.name())
                .sorted()
                .forEach(usable::add);
        usable.add("an Issuer of this namespace");
        return "use " + listed(usable) + ", " + ASK + "tenancy.issuers";
    }

    /**
     * The {@code cert-*} checks: a Certificate carries DNS names with server-auth usages unless the
     * namespace's {@code tenancy.certificates} allowance lets it carry more. Each finding names the
     * annotation that asked for it, or for an IP the host that put it there.
     */
    public static List<Violation> contents(
            NamespacePolicy policy, Map<String, String> annotations, List<Name> names, List<PlannedCertificate> certs) {
        CertificateAllowance allow = policy.certificates();
        Map<String, Violation> out = new LinkedHashMap<>();
        String ns = describe(policy.namespace());
        for (PlannedCertificate c : certs) {
            if (!allow.ipSANs() && !c.ipAddresses().isEmpty()) {
                Set<String> ips = new LinkedHashSet<>(c.ipAddresses());
                for (Name n : names) {
                    if (n.name().isIp() && ips.remove(n.name().ascii())) {
                        add(
                                out,
                                contentDenied(
                                        Check.CERT_IP_SANS,
                                        n.field(),
                                        "the IP address " + n.name().ascii(),
                                        ns,
                                        "serve a DNS name instead",
                                        "ipSANs"));
                    }
                }
                if (!ips.isEmpty()) {
                    add(
                            out,
                            contentDenied(
                                    Check.CERT_IP_SANS,
                                    annotation(IP_SANS),
                                    "IP address SANs (" + String.join(", ", ips) + ")",
                                    ns,
                                    "remove " + IP_SANS,
                                    "ipSANs"));
                }
            }
            if (!allow.uriSANs() && !c.uris().isEmpty()) {
                add(
                        out,
                        contentDenied(
                                Check.CERT_URI_SANS,
                                annotation(URI_SANS),
                                "URI SANs",
                                ns,
                                "remove " + URI_SANS,
                                "uriSANs"));
            }
            if (!allow.emailSANs() && !c.emailAddresses().isEmpty()) {
                add(
                        out,
                        contentDenied(
                                Check.CERT_EMAIL_SANS,
                                annotation(EMAIL_SANS),
                                "e-mail SANs",
                                ns,
                                "remove " + EMAIL_SANS,
                                "emailSANs"));
            }
            List<String> extra = new ArrayList<>();
            for (String usage : c.usages()) {
                if (!SERVER_USAGES.contains(usage) && !allow.usages().contains(usage) && !extra.contains(usage)) {
                    extra.add(usage);
                }
            }
            if (!extra.isEmpty()) {
                add(
                        out,
                        contentDenied(
                                Check.CERT_USAGES,
                                annotation(USAGES),
                                "the key " + (extra.size() == 1 ? "usage " : "usages ") + String.join(", ", extra),
                                ns,
                                "keep to " + String.join(", ", new TreeSet<>(SERVER_USAGES)),
                                "usages"));
            }
            if (!allow.subject()) {
                for (String key : SUBJECT_ANNOTATIONS) {
                    if (annotations.containsKey(key) && hasSubject(c)) {
                        add(
                                out,
                                contentDenied(
                                        Check.CERT_SUBJECT,
                                        annotation(key),
                                        "a subject override",
                                        ns,
                                        "remove " + key,
                                        "subject"));
                    }
                }
                if (c.commonName() != null && !c.commonName().isEmpty() && !isDnsName(c.commonName(), c)) {
                    add(
                            out,
                            contentDenied(
                                    Check.CERT_SUBJECT,
                                    annotation(COMMON_NAME),
                                    "the common name " + c.commonName() + ", which is not one of its DNS names",
                                    ns,
                                    "use one of the names the route serves, or remove " + COMMON_NAME,
                                    "subject"));
                }
            }
        }
        return List.copyOf(out.values());
    }

    private static boolean hasSubject(PlannedCertificate c) {
        return c.subject() != null && c.toCertificate().path("spec").has("subject");
    }

    private static boolean isDnsName(String commonName, PlannedCertificate c) {
        HostName.Check parsed = HostName.check(commonName);
        String ascii = parsed.name() != null ? parsed.name().ascii() : commonName.toLowerCase(Locale.ROOT);
        return c.dnsNames().contains(ascii);
    }

    private static void add(Map<String, Violation> out, Violation v) {
        out.putIfAbsent(v.check().id() + " " + v.field(), v);
    }

    private static Violation contentDenied(
            Check check, String field, String what, String ns, String fix, String allowance) {
        return Violation.forbidden(
                check,
                field,
                "a Certificate " + ns + " may not carry " + what
                        + ": by default a route gets DNS names with server-auth usages only",
                fix + ", " + ASK + "tenancy.certificates (allow." + allowance + ")");
    }

    private static String annotation(String key) {
        return "metadata.annotations[" + key + "]";
    }

    private static String describe(String namespace) {
        return namespace == null || namespace.isEmpty() ? "this namespace" : "namespace " + namespace;
    }

    /** {@code a, b or c}, at most {@link #MAX_LISTED} items, then how many more. */
    static String listed(List<String> items) {
        int shown = Math.min(items.size(), MAX_LISTED);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                b.append(i == shown - 1 && shown == items.size() ? " or " : ", ");
            }
            b.append(items.get(i));
        }
        if (shown < items.size()) {
            b.append(" (and ").append(items.size() - shown).append(" more)");
        }
        return b.toString();
    }
}
