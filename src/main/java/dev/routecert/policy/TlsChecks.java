package dev.routecert.policy;

import dev.routecert.policy.scope.RequireTlsExemptions;
import dev.routecert.routes.ObjectMetaView;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks and messages the Ingress and IngressRoute validators share: coverage in both
 * directions, TLS that policy requires, secret names, wildcards and IP addresses. Each kind says
 * where its names are written ({@link Wording}); the rules and the sentences are written here once.
 */
final class TlsChecks {

    /** A name the object serves, where it is written, and its offset inside a rule (-1 outside one). */
    record Served(HostName name, String field, int offset) {
        /** {@code at offset N, } before a message about a name inside a rule. */
        String at() {
            return offset < 0 ? "" : "at offset " + offset + ", ";
        }
    }

    /** A name the object's TLS lists, and its field. */
    record Covered(HostName name, String field) {}

    /**
     * How one kind names its parts in messages.
     *
     * @param kind      {@code Ingress} or {@code IngressRoute}
     * @param servedBy  what serves a name, {@code rule} or {@code route}
     * @param notCovered the words after "but" when no TLS name covers a served one, ending where the
     *                  list of TLS names follows
     * @param tlsNames  where the TLS names are, as the other direction's warning says it
     * @param coverIn   where to add a name to cover it, and where to add an IP address
     * @param secretFallback the route name to suggest a secret name from when the object has none
     */
    record Wording(
            String kind,
            String servedBy,
            String notCovered,
            String tlsNames,
            String coverIn,
            String coverIpIn,
            String secretFallback) {}

    private TlsChecks() {}

    /**
     * The object has no TLS: denied when policy requires it and something is served, unless it is
     * exempt (an HTTP-01 solver or a redirect to HTTPS); warned when an annotation asks for a Certificate.
     */
    static void noTls(
            Findings f,
            PolicyConfig config,
            RequireTlsExemptions.Exemption exemption,
            CertManagerAnnotations.Options options,
            boolean servesHosts,
            Wording w,
            String addTls) {
        if (config.requireTls() && servesHosts && !exemption.exempt()) {
            f.deny(Violation.required(
                    Check.TLS_REQUIRED,
                    "spec.tls",
                    "TLS is required by policy, but this " + w.kind() + " has no spec.tls",
                    addTls + exemption.fix()));
        } else if (config.requireTls() && servesHosts) {
            f.note("TLS is not required of this " + w.kind() + ": " + exemption.why());
        }
        if (options.requested()) {
            f.warn(
                    Check.TLS_ANNOTATION_WITHOUT_TLS,
                    "spec.tls",
                    "a cert-manager annotation asks for a certificate, but there is no spec.tls, so none is created");
        }
    }

    /** Every served name must be covered by some TLS name (RFC 6125: itself, or a one-label wildcard). */
    static void denyUncovered(Findings f, List<Served> served, List<Covered> tls, Wording w) {
        NameSet covering = NameSet.of(tls.stream().map(Covered::name).toList());
        String listed = list(tls);
        for (Served s : served) {
            if (!covering.covers(s.name())) {
                Violation v = Violation.invalid(
                        Check.TLS_UNCOVERED_HOST,
                        s.field(),
                        s.at() + s.name() + " is served by this " + w.servedBy() + " but " + w.notCovered() + listed,
                        coverHint(s.name(), w));
                f.deny(s.offset() < 0 ? v : v.atOffset(s.offset()));
            }
        }
    }

    /** A TLS name that no served name overlaps is in the certificate for nothing: a warning. */
    static void warnUnserved(Findings f, List<Covered> tls, List<Served> served, Wording w) {
        boolean[] overlapped = NameSet.overlapped(
                tls.stream().map(Covered::name).toList(),
                served.stream().map(Served::name).toList());
        for (int i = 0; i < tls.size(); i++) {
            if (!overlapped[i]) {
                Covered t = tls.get(i);
                f.warn(
                        Check.TLS_UNSERVED_NAME,
                        t.field(),
                        t.name() + " is in " + w.tlsNames() + " but no " + w.servedBy() + " of this " + w.kind()
                                + " serves it");
            }
        }
    }

    /** An IP address in a certificate needs an IP SAN, which ACME issuers do not sign. */
    static void warnIp(Findings f, String field, HostName name) {
        f.warn(
                Check.HOST_IP,
                field,
                name + " is an IP address: its certificate needs an IP SAN, and ACME issuers such as Let's Encrypt"
                        + " cannot issue one");
    }

    /** The served IP addresses, each warned about once. */
    static void warnIps(Findings f, List<Served> served) {
        Set<String> seen = new LinkedHashSet<>();
        for (Served s : served) {
            if (s.name().isIp() && seen.add(s.name().ascii())) {
                warnIp(f, s.field(), s.name());
            }
        }
    }

    /** A certificate name can hold one wildcard label only; {@code fix} says what to list instead. */
    static void denyMultiLevelWildcard(Findings f, String field, String raw, String fix) {
        f.deny(Violation.invalid(
                Check.HOST_MULTI_WILDCARD,
                field,
                "'" + raw + "' is a multi-level wildcard; a certificate can only hold *.example.com",
                fix));
    }

    /** A secret name must be a DNS-1123 subdomain, as the API server requires of every Secret. */
    static void checkSecretName(Findings f, String field, String secretName, ObjectMetaView meta, Wording w) {
        String err = KubeNames.dns1123SubdomainError(secretName);
        if (err != null) {
            f.deny(Violation.invalid(
                    Check.TLS_SECRET_NAME,
                    field,
                    "secret name '" + HostName.shorten(secretName) + "' " + err,
                    "use a lower-case DNS name such as " + suggestedSecretName(meta, w)));
        }
    }

    /** {@code <name>-tls}, the secret name a hint suggests. */
    static String suggestedSecretName(ObjectMetaView meta, Wording w) {
        String name = meta.name();
        return (name == null || name.isEmpty() ? w.secretFallback() : name) + "-tls";
    }

    /** A planned wildcard Certificate needs an issuer that solves DNS-01: said as a note. */
    static void noteWildcard(Findings f, PlannedCertificate crt) {
        if (crt.dnsNames().stream().anyMatch(n -> n.startsWith("*."))) {
            f.note("Certificate " + crt.secretName() + " has a wildcard name; its issuer must solve DNS-01 challenges");
        }
    }

    private static String coverHint(HostName name, Wording w) {
        if (name.isIp()) {
            return "add " + name + " to " + w.coverIpIn();
        }
        int dot = name.ascii().indexOf('.');
        String parent = dot > 0 ? name.ascii().substring(dot + 1) : null;
        return "add " + name + " to " + w.coverIn()
                + (parent != null && parent.indexOf('.') > 0 && name.type() == HostName.Type.DNS
                        ? ", or cover it with *." + parent
                        : "");
    }

    /** At most five TLS names, for a message. */
    private static String list(List<Covered> names) {
        List<String> all = names.stream().map(n -> n.name().ascii()).distinct().toList();
        if (all.isEmpty()) {
            return "none";
        }
        String joined = String.join(", ", all.size() > 5 ? all.subList(0, 5) : all);
        return all.size() > 5 ? joined + ", ..." : joined;
    }
}
