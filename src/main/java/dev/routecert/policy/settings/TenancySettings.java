package dev.routecert.policy.settings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.CertManagerAnnotations;
import dev.routecert.policy.KubeNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code tenancy} section: allow-lists per namespace selector. A namespace gets the union of every
 * entry whose selector matches it. {@code domains} and {@code issuers} are open when absent; the other
 * lists only add to the defaults (DNS names with server usages, no shared hosts, no catch-all routes).
 */
public record TenancySettings(
        Optional<List<DomainsEntry>> domains,
        Optional<List<IssuersEntry>> issuers,
        List<CertificatesEntry> certificates,
        List<SharedHostsEntry> sharedHosts) {

    public static final TenancySettings DEFAULT =
            new TenancySettings(Optional.empty(), Optional.empty(), List.of(), List.of());

    public TenancySettings {
        domains = domains.map(List::copyOf);
        issuers = issuers.map(List::copyOf);
        certificates = List.copyOf(certificates);
        sharedHosts = List.copyOf(sharedHosts);
    }

    public record DomainsEntry(LabelSelector namespaceSelector, List<DomainPattern> allow) {
        public DomainsEntry {
            allow = List.copyOf(allow);
        }
    }

    public record IssuersEntry(
            LabelSelector namespaceSelector, List<String> clusterIssuers, List<IssuerRef> externalIssuers) {
        public IssuersEntry {
            clusterIssuers = List.copyOf(clusterIssuers);
            externalIssuers = List.copyOf(externalIssuers);
        }
    }

    /** An issuer outside cert-manager's group, e.g. {@code awspca.cert-manager.io/AWSPCAClusterIssuer/pca}. */
    public record IssuerRef(String group, String kind, String name) {}

    public record CertificatesEntry(LabelSelector namespaceSelector, CertificateAllowance allow) {}

    /** Namespaces that one entry matches may serve these names together. */
    public record SharedHostsEntry(LabelSelector namespaceSelector, List<DomainPattern> hosts) {
        public SharedHostsEntry {
            hosts = List.copyOf(hosts);
        }
    }

    /** What a Certificate may ask for beyond DNS names with server usages. */
    public record CertificateAllowance(
            boolean ipSANs, boolean uriSANs, boolean emailSANs, boolean subject, Set<String> usages) {

        /** Nothing beyond the defaults. */
        public static final CertificateAllowance NONE = new CertificateAllowance(false, false, false, false, Set.of());

        public CertificateAllowance {
            usages = Set.copyOf(usages);
        }

        public CertificateAllowance union(CertificateAllowance other) {
            Set<String> both = new TreeSet<>(usages);
            both.addAll(other.usages);
            return new CertificateAllowance(
                    ipSANs || other.ipSANs,
                    uriSANs || other.uriSANs,
                    emailSANs || other.emailSANs,
                    subject || other.subject,
                    both);
        }
    }

    static TenancySettings parse(String path, JsonNode node, Problems problems) {
        if (!problems.object(path, node, Set.of("domains", "issuers", "certificates", "sharedHosts"))) {
            return DEFAULT;
        }
        Optional<List<DomainsEntry>> domains = Optional.empty();
        if (node.has("domains")) {
            domains = Optional.of(entries(
                    Problems.child(path, "domains"),
                    node.get("domains"),
                    problems,
                    (at, e) -> {
                        LabelSelector selector = selector(at, e, problems);
                        List<DomainPattern> allow = patterns(Problems.child(at, "allow"), e, "allow", problems);
                        return new DomainsEntry(selector, allow);
                    },
                    Set.of("namespaceSelector", "allow")));
        }
        Optional<List<IssuersEntry>> issuers = Optional.empty();
        if (node.has("issuers")) {
            issuers = Optional.of(entries(
                    Problems.child(path, "issuers"),
                    node.get("issuers"),
                    problems,
                    (at, e) -> new IssuersEntry(
                            selector(at, e, problems),
                            issuerNames(Problems.child(at, "clusterIssuers"), e.path("clusterIssuers"), problems),
                            externalIssuers(
                                    Problems.child(at, "externalIssuers"), e.path("externalIssuers"), problems)),
                    Set.of("namespaceSelector", "clusterIssuers", "externalIssuers")));
        }
        List<CertificatesEntry> certificates = node.has("certificates")
                ? entries(
                        Problems.child(path, "certificates"),
                        node.get("certificates"),
                        problems,
                        (at, e) -> new CertificatesEntry(
                                selector(at, e, problems), allowance(Problems.child(at, "allow"), e, problems)),
                        Set.of("namespaceSelector", "allow"))
                : List.of();
        List<SharedHostsEntry> sharedHosts = node.has("sharedHosts")
                ? entries(
                        Problems.child(path, "sharedHosts"),
                        node.get("sharedHosts"),
                        problems,
                        (at, e) -> new SharedHostsEntry(
                                selector(at, e, problems), patterns(Problems.child(at, "hosts"), e, "hosts", problems)),
                        Set.of("namespaceSelector", "hosts"))
                : List.of();
        return new TenancySettings(domains, issuers, certificates, sharedHosts);
    }

    private interface EntryReader<E> {
        E read(String path, JsonNode entry);
    }

    private static <E> List<E> entries(
            String path, JsonNode node, Problems problems, EntryReader<E> reader, Set<String> fields) {
        List<E> out = new ArrayList<>();
        if (!problems.array(path, node)) {
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            String at = Problems.index(path, i);
            if (problems.object(at, node.get(i), fields)) {
                out.add(reader.read(at, node.get(i)));
            }
        }
        return out;
    }

    /** Every entry names its selector: {@code {}} matches every namespace, and saying so is deliberate. */
    static LabelSelector selector(String path, JsonNode entry, Problems problems) {
        String at = Problems.child(path, "namespaceSelector");
        if (!entry.has("namespaceSelector")) {
            problems.add(at, "required ({} selects every namespace)");
            return null;
        }
        return LabelSelector.parse(at, entry.get("namespaceSelector"), problems);
    }

    private static List<DomainPattern> patterns(String path, JsonNode entry, String field, Problems problems) {
        if (!entry.has(field)) {
            problems.add(path, "required");
            return List.of();
        }
        List<DomainPattern> out = new ArrayList<>();
        List<String> raw = problems.strings(path, entry.get(field));
        for (int i = 0; i < raw.size(); i++) {
            DomainPattern.Read read = DomainPattern.read(raw.get(i));
            if (read.pattern() == null) {
                problems.add(Problems.index(path, i), read.problem());
            } else {
                out.add(read.pattern());
            }
        }
        return out;
    }

    private static List<String> issuerNames(String path, JsonNode node, Problems problems) {
        if (node.isMissingNode()) {
            return List.of();
        }
        List<String> names = problems.strings(path, node);
        for (int i = 0; i < names.size(); i++) {
            String error = KubeNames.dns1123SubdomainError(names.get(i));
            if (error != null) {
                problems.add(Problems.index(path, i), "issuer name " + error);
            }
        }
        return names;
    }

    private static List<IssuerRef> externalIssuers(String path, JsonNode node, Problems problems) {
        List<IssuerRef> out = new ArrayList<>();
        if (node.isMissingNode() || !problems.array(path, node)) {
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            String at = Problems.index(path, i);
            JsonNode ref = node.get(i);
            if (!problems.object(at, ref, Set.of("group", "kind", "name"))) {
                continue;
            }
            String[] parts = new String[3];
            String[] fields = {"group", "kind", "name"};
            for (int f = 0; f < 3; f++) {
                String fieldPath = Problems.child(at, fields[f]);
                parts[f] = ref.has(fields[f]) ? problems.string(fieldPath, ref.get(fields[f])) : null;
                if (!ref.has(fields[f]) || (parts[f] != null && parts[f].isEmpty())) {
                    problems.add(fieldPath, "required");
                }
            }
            if (parts[0] != null && !parts[0].isEmpty()) {
                String error = KubeNames.dns1123SubdomainError(parts[0]);
                if (error != null) {
                    problems.add(Problems.child(at, "group"), "API group " + error);
                }
            }
            out.add(new IssuerRef(parts[0], parts[1], parts[2]));
        }
        return out;
    }

    private static CertificateAllowance allowance(String path, JsonNode entry, Problems problems) {
        if (!entry.has("allow")) {
            problems.add(path, "required");
            return CertificateAllowance.NONE;
        }
        JsonNode node = entry.get("allow");
        if (!problems.object(path, node, Set.of("ipSANs", "uriSANs", "emailSANs", "subject", "usages"))) {
            return CertificateAllowance.NONE;
        }
        Set<String> usages = new TreeSet<>();
        if (node.has("usages")) {
            String usagesPath = Problems.child(path, "usages");
            List<String> raw = problems.strings(usagesPath, node.get("usages"));
            for (int i = 0; i < raw.size(); i++) {
                if (CertManagerAnnotations.KEY_USAGES.contains(raw.get(i))) {
                    usages.add(raw.get(i));
                } else {
                    problems.add(
                            Problems.index(usagesPath, i),
                            "\"" + raw.get(i) + "\" is not a cert-manager key usage (e.g. client auth, server auth)");
                }
            }
        }
        return new CertificateAllowance(
                flag(path, node, "ipSANs", problems),
                flag(path, node, "uriSANs", problems),
                flag(path, node, "emailSANs", problems),
                flag(path, node, "subject", problems),
                usages);
    }

    private static boolean flag(String path, JsonNode node, String field, Problems problems) {
        if (!node.has(field)) {
            return false;
        }
        Boolean value = problems.bool(Problems.child(path, field), node.get(field));
        return value != null && value;
    }
}
