package dev.routecert.policy;

import dev.routecert.policy.tenancy.TenancyChecks;
import dev.routecert.policy.values.IpAddresses;
import dev.routecert.routes.RouteKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** What one pass of a per-kind validator found, before mutation is applied. */
final class Evaluation {

    /** A {@code secretName} to add to the JSON object at {@code pointer} (RFC 6901, e.g. {@code /spec/tls/0}). */
    record SecretNameDefault(String pointer, String secretName) {}

    final Findings findings = new Findings();
    final List<PlannedCertificate> certificates = new ArrayList<>();
    final List<SecretNameDefault> defaults = new ArrayList<>();
    /** Every name served or listed for TLS, for the tenancy checks. */
    final List<TenancyChecks.Name> names = new ArrayList<>();

    void named(HostName name, String field) {
        names.add(new TenancyChecks.Name(name, field));
    }

    /**
     * Builds the Certificate of a route the shim never reads (IngressRoute): its TLS names sorted and
     * normalised, then the alt-names as written.
     */
    static PlannedCertificate certificate(
            String secretName,
            String namespace,
            List<HostName> names,
            CertManagerAnnotations.Options o,
            RouteKind kind,
            String sourceName) {
        TreeSet<String> dns = new TreeSet<>();
        TreeSet<String> ips = new TreeSet<>(o.ipAddresses());
        for (HostName h : names) {
            if (h.isIp()) {
                ips.add(h.ascii());
            } else {
                dns.add(h.ascii());
            }
        }
        LinkedHashSet<String> withAltNames = new LinkedHashSet<>(dns);
        withAltNames.addAll(o.altNames());
        return build(secretName, namespace, List.copyOf(withAltNames), List.copyOf(ips), o, kind, sourceName, false);
    }

    /**
     * Builds the Certificate of one Ingress TLS entry as cert-manager's ingress-shim does: its hosts as
     * written and in order, IP addresses apart, then alt-names and ip-sans, without repeats (IP
     * addresses compared by value).
     *
     * @param shimForm true when the shim acts on this Ingress too
     */
    static PlannedCertificate ingressCertificate(
            String secretName,
            String namespace,
            List<String> hosts,
            CertManagerAnnotations.Options o,
            String sourceName,
            boolean shimForm) {
        LinkedHashSet<String> dns = new LinkedHashSet<>();
        Map<String, String> ips = new LinkedHashMap<>();
        List<String> ipCandidates = new ArrayList<>();
        for (String h : hosts) {
            if (IpAddresses.isIp(h)) {
                ipCandidates.add(h);
            } else {
                dns.add(h);
            }
        }
        dns.addAll(o.altNames());
        ipCandidates.addAll(o.ipAddresses());
        for (String ip : ipCandidates) {
            ips.putIfAbsent(IpAddresses.canonical(ip).orElse(ip), ip);
        }
        return build(
                secretName,
                namespace,
                List.copyOf(dns),
                List.copyOf(ips.values()),
                o,
                RouteKind.INGRESS,
                sourceName,
                shimForm);
    }

    private static PlannedCertificate build(
            String secretName,
            String namespace,
            List<String> dns,
            List<String> ips,
            CertManagerAnnotations.Options o,
            RouteKind kind,
            String sourceName,
            boolean shimForm) {
        return new PlannedCertificate(
                secretName,
                namespace,
                secretName,
                dns,
                ips,
                o.issuer(),
                o.commonName(),
                o.duration(),
                o.renewBefore(),
                o.usages(),
                o.privateKey(),
                o.revisionHistoryLimit(),
                o.subject(),
                o.emailAddresses(),
                o.uris(),
                o.secretTemplate(),
                kind.group(),
                kind.kind(),
                sourceName,
                o.renewBeforePercentage(),
                o.labels(),
                o.certificateAnnotations(),
                shimForm);
    }

    static String noIssuerNote() {
        return "no Certificate planned: no issuer is named (cert-manager.io/cluster-issuer or cert-manager.io/issuer) "
                + "and no default issuer is configured, so the TLS secret is expected to exist already";
    }
}
