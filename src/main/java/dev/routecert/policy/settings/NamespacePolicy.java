package dev.routecert.policy.settings;

import dev.routecert.policy.Action;
import dev.routecert.policy.Check;
import dev.routecert.policy.Enforcement;
import dev.routecert.policy.HostName;
import dev.routecert.policy.settings.PolicySettings.EnforcementSettings;
import dev.routecert.policy.settings.TenancySettings.CertificateAllowance;
import dev.routecert.policy.settings.TenancySettings.IssuerRef;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The policy file as it applies to one namespace: resolved once per review from the namespace's
 * labels, so every check of that review sees the same settings.
 *
 * @param override the index of the override that applied, or -1 when none matched
 * @param defaultMode the default mode the override or the top level set; empty when neither did
 * @param checks the mode per check: the override's, else the top level's
 * @param domains the allowed domain patterns; empty when {@code tenancy.domains} is absent (any domain)
 * @param issuers the allowed issuers; empty when {@code tenancy.issuers} is absent (any issuer)
 * @param certificates what Certificates may ask for beyond DNS names with server usages
 * @param sharedHosts by index of the {@code tenancy.sharedHosts} entries that match this namespace, their hosts
 */
public record NamespacePolicy(
        String namespace,
        int override,
        Optional<Action> defaultMode,
        Map<Check, Action> checks,
        boolean optOutAllowed,
        Optional<List<DomainPattern>> domains,
        Optional<IssuerAllowance> issuers,
        CertificateAllowance certificates,
        Map<Integer, List<DomainPattern>> sharedHosts) {

    /** Kubernetes 1.21 and later label every namespace with its name; older servers do not. */
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    public NamespacePolicy {
        checks = Map.copyOf(checks);
        domains = domains.map(List::copyOf);
        sharedHosts = Map.copyOf(sharedHosts);
    }

    /** The issuers a namespace may use besides an Issuer of its own and the default issuer. */
    public record IssuerAllowance(Set<String> clusterIssuers, Set<IssuerRef> externalIssuers) {
        public IssuerAllowance {
            clusterIssuers = Set.copyOf(clusterIssuers);
            externalIssuers = Set.copyOf(externalIssuers);
        }
    }

    /** What a namespace gets without a policy file. */
    public static NamespacePolicy defaults(String namespace) {
        return resolve(PolicySettings.DEFAULT, namespace, Map.of());
    }

    /**
     * Resolves the settings for a namespace. Selectors also see {@code kubernetes.io/metadata.name}
     * set to the namespace's name, as on Kubernetes 1.21 and later, so a policy can name namespaces.
     */
    public static NamespacePolicy resolve(PolicySettings settings, String namespace, Map<String, String> labels) {
        Map<String, String> seen = labels;
        if (!labels.containsKey(NAME_LABEL)) {
            seen = new HashMap<>(labels);
            seen.put(NAME_LABEL, namespace);
        }
        int applied = -1;
        for (int i = 0; i < settings.overrides().size(); i++) {
            if (settings.overrides().get(i).namespaceSelector().matches(seen)) {
                applied = i;
                break;
            }
        }
        EnforcementSettings top = settings.enforcement();
        Optional<Action> defaultMode = top.defaultMode();
        Map<Check, Action> checks = new LinkedHashMap<>(top.checks());
        boolean optOut = settings.optOutAllowed();
        if (applied >= 0) {
            PolicySettings.Override o = settings.overrides().get(applied);
            if (o.enforcement().defaultMode().isPresent()) {
                defaultMode = o.enforcement().defaultMode();
            }
            checks.putAll(o.enforcement().checks());
            optOut = o.optOutAllowed().orElse(optOut);
        }

        TenancySettings tenancy = settings.tenancy();
        Map<String, String> l = seen;
        Optional<List<DomainPattern>> domains = tenancy.domains().map(entries -> {
            Set<DomainPattern> union = new LinkedHashSet<>();
            entries.stream().filter(e -> e.namespaceSelector().matches(l)).forEach(e -> union.addAll(e.allow()));
            return List.copyOf(union);
        });
        Optional<IssuerAllowance> issuers = tenancy.issuers().map(entries -> {
            Set<String> names = new LinkedHashSet<>();
            Set<IssuerRef> external = new LinkedHashSet<>();
            entries.stream().filter(e -> e.namespaceSelector().matches(l)).forEach(e -> {
                names.addAll(e.clusterIssuers());
                external.addAll(e.externalIssuers());
            });
            return new IssuerAllowance(names, external);
        });
        CertificateAllowance certificates = CertificateAllowance.NONE;
        for (TenancySettings.CertificatesEntry e : tenancy.certificates()) {
            if (e.namespaceSelector().matches(seen)) {
                certificates = certificates.union(e.allow());
            }
        }
        Map<Integer, List<DomainPattern>> shared = new HashMap<>();
        for (int i = 0; i < tenancy.sharedHosts().size(); i++) {
            TenancySettings.SharedHostsEntry e = tenancy.sharedHosts().get(i);
            if (e.namespaceSelector().matches(seen)) {
                shared.put(i, e.hosts());
            }
        }
        return new NamespacePolicy(
                namespace, applied, defaultMode, checks, optOut, domains, issuers, certificates, shared);
    }

    /** The default mode, deny when neither the override nor the top level sets one. */
    public Action defaultOrDeny() {
        return defaultMode.orElse(Action.DENY);
    }

    /** The mode the policy sets for a check, if it sets one. */
    public Optional<Action> mode(String checkId) {
        return Check.byId(checkId).map(checks::get);
    }

    /** What each check does in this namespace: the modes resolved above, applied by the policy core. */
    public Enforcement enforcement() {
        return Enforcement.of(defaultOrDeny(), checks);
    }

    /** True when this namespace may serve {@code host} as far as {@code tenancy.domains} is concerned. */
    public boolean allowsDomain(HostName host) {
        return domains.isEmpty() || domains.get().stream().anyMatch(p -> p.allows(host));
    }

    public boolean allowsClusterIssuer(String name) {
        return issuers.isEmpty() || issuers.get().clusterIssuers().contains(name);
    }

    public boolean allowsExternalIssuer(String group, String kind, String name) {
        return issuers.isEmpty() || issuers.get().externalIssuers().contains(new IssuerRef(group, kind, name));
    }

    /** True when one {@code tenancy.sharedHosts} entry matches both namespaces and lists {@code host}. */
    public boolean sharesWith(NamespacePolicy other, HostName host) {
        for (Map.Entry<Integer, List<DomainPattern>> entry : sharedHosts.entrySet()) {
            if (other.sharedHosts.containsKey(entry.getKey())
                    && entry.getValue().stream().anyMatch(p -> p.allows(host))) {
                return true;
            }
        }
        return false;
    }
}
