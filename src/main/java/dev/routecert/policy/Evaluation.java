package dev.routecert.policy;

import dev.routecert.policy.tenancy.TenancyChecks;
import dev.routecert.routes.RouteKind;
import java.util.ArrayList;
import java.util.List;
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

    /** Builds a Certificate from the TLS names and the annotation options. */
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
        return new PlannedCertificate(
                secretName,
                namespace,
                secretName,
                List.copyOf(dns),
                List.copyOf(ips),
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
                sourceName);
    }

    static String noIssuerNote() {
        return "no Certificate planned: no issuer is named (cert-manager.io/cluster-issuer or cert-manager.io/issuer) "
                + "and no default issuer is configured, so the TLS secret is expected to exist already";
    }
}
