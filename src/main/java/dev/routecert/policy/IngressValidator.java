package dev.routecert.policy;

import dev.routecert.policy.scope.RequireTlsExemptions;
import dev.routecert.routes.IngressView;
import dev.routecert.routes.ShapeProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The policy for a {@code networking.k8s.io/v1} Ingress: every {@code spec.rules[].host} must be
 * covered by some {@code spec.tls[].hosts} entry, secret names must be valid and not shared between
 * different host sets, and each TLS entry gets its own Certificate, as cert-manager's ingress-shim
 * would create it.
 */
final class IngressValidator {

    private final IngressView view;
    private final String namespace;
    private final PolicyConfig config;
    private final Evaluation out = new Evaluation();
    private final Findings f = out.findings;
    private final TlsChecks.Wording wording;

    private final RequireTlsExemptions.Exemption exemption;
    private final TlsObjectFacts tlsObjects;

    private IngressValidator(
            IngressView view,
            String namespace,
            PolicyConfig config,
            RequireTlsExemptions.Exemption exemption,
            TlsObjectFacts tlsObjects) {
        this.tlsObjects = tlsObjects;
        this.exemption = exemption;
        this.view = view;
        this.namespace = namespace;
        this.config = config;
        this.wording = new TlsChecks.Wording(
                "Ingress",
                "rule",
                "no spec.tls entry covers it; the TLS hosts are ",
                "a TLS entry",
                view.tls().size() == 1 ? "spec.tls[0].hosts" : "the hosts of a spec.tls entry",
                "spec.tls[].hosts",
                "my-ingress");
    }

    static Evaluation evaluate(
            IngressView view, String namespace, PolicyConfig config, RequireTlsExemptions.Exemption exemption) {
        return evaluate(view, namespace, config, exemption, TlsObjectFacts.UNKNOWN);
    }

    /** With the cluster's Traefik TLS objects, for the router.tls.options annotation. */
    static Evaluation evaluate(
            IngressView view,
            String namespace,
            PolicyConfig config,
            RequireTlsExemptions.Exemption exemption,
            TlsObjectFacts tlsObjects) {
        IngressValidator v = new IngressValidator(view, namespace, config, exemption, tlsObjects);
        v.run();
        return v.out;
    }

    private void run() {
        for (ShapeProblem p : view.problems()) {
            f.deny(Violation.invalid(
                    Check.OBJECT_SHAPE, p.field(), p.message(), "fix the YAML structure of this field"));
        }
        CertManagerAnnotations.Options options = CertManagerAnnotations.read(view.meta(), config, f, true);
        TraefikIngressRouter.Reading router =
                TraefikIngressRouter.read(f, view.traefikRouter(), namespace, config, tlsObjects);

        List<TlsChecks.Served> served = new ArrayList<>();
        boolean anyHost = view.hasDefaultBackend();
        for (IngressView.Rule r : view.rules()) {
            if (r.host() == null) {
                anyHost = true;
                continue;
            }
            HostName.Check c = HostName.check(r.host());
            if (c.name() != null && c.name().isIp()) {
                f.deny(Violation.invalid(
                        Check.HOST_IP_IN_INGRESS,
                        r.field(),
                        "an Ingress rule host must be a DNS name, not the IP address " + r.host(),
                        "remove host to match any host, or use a DNS name"));
                continue;
            }
            if (!c.ok()) {
                f.deny(Violation.invalid(Check.HOST_INVALID, r.field(), c.problem(), c.hint()));
            }
            if (c.name() != null) {
                if (c.name().type() == HostName.Type.MULTI_WILDCARD) {
                    f.deny(Violation.invalid(
                            Check.HOST_MULTI_WILDCARD,
                            r.field(),
                            "'" + r.host() + "': an Ingress host wildcard covers one label only",
                            "write *." + c.name().ascii().substring(3)));
                    continue;
                }
                served.add(new TlsChecks.Served(c.name(), r.field(), -1));
            }
        }

        served.forEach(n -> out.named(n.name(), n.field()));
        if (view.tls().isEmpty()) {
            TlsChecks.noTls(
                    f,
                    config,
                    exemption,
                    options,
                    !served.isEmpty() || anyHost,
                    wording,
                    "add tls: [{hosts: [<host>], secretName: <secret>}]");
            return;
        }

        // ---- TLS entries: names, secret names, duplicates
        List<TlsChecks.Covered> tlsNames = new ArrayList<>();
        Map<Integer, List<HostName>> entryNames = new LinkedHashMap<>();
        boolean entryWithoutHosts = false;
        for (IngressView.Tls t : view.tls()) {
            List<HostName> names = new ArrayList<>();
            for (int j = 0; j < t.hosts().size(); j++) {
                String raw = t.hosts().get(j);
                if (raw == null) {
                    continue;
                }
                String field = t.field() + ".hosts[" + j + "]";
                HostName.Check c = HostName.check(raw);
                if (!c.ok()) {
                    f.deny(Violation.invalid(Check.HOST_INVALID, field, c.problem(), c.hint()));
                }
                if (c.name() == null) {
                    continue;
                }
                if (c.name().type() == HostName.Type.MULTI_WILDCARD) {
                    TlsChecks.denyMultiLevelWildcard(
                            f, field, raw, "write *." + c.name().ascii().substring(3));
                    continue;
                }
                if (c.name().isIp()) {
                    TlsChecks.warnIp(f, field, c.name());
                }
                names.add(c.name());
                tlsNames.add(new TlsChecks.Covered(c.name(), field));
                out.named(c.name(), field);
            }
            entryNames.put(t.index(), names);
            if (t.hosts().isEmpty()) {
                entryWithoutHosts = true;
            }
            if (t.secretName() != null) {
                TlsChecks.checkSecretName(f, t.field() + ".secretName", t.secretName(), view.meta(), wording);
            }
        }
        duplicates(entryNames, options.requested());

        // ---- coverage, both directions
        if (!entryWithoutHosts) {
            TlsChecks.denyUncovered(f, served, tlsNames, wording);
        } else {
            f.note(
                    "a spec.tls entry lists no hosts, so its certificate's names are unknown; host coverage was not checked");
        }
        if (!anyHost) {
            TlsChecks.warnUnserved(f, tlsNames, served, wording);
        }

        TraefikIngressRouter.warnNotTls(f, router, config);
        if (f.denied()) {
            return;
        }
        if (router.certResolver() != null) {
            f.note(TraefikIngressRouter.certResolverNote(router));
            return;
        }
        plan(options, entryNames);
    }

    /**
     * One secret name per TLS entry. When the Ingress triggers cert-manager's ingress-shim, the shim
     * refuses the whole Ingress for any repeat (even of identical entries) and creates, updates and
     * deletes nothing for it; otherwise a repeat with other hosts asks one Secret for two certificates.
     */
    private void duplicates(Map<Integer, List<HostName>> entryNames, boolean shimActs) {
        Map<String, Integer> firstUse = new HashMap<>();
        // the first user's hosts as a set, built once however many entries repeat its secret name
        Map<Integer, Set<String>> firstHosts = new HashMap<>();
        for (IngressView.Tls t : view.tls()) {
            if (t.secretName() == null) {
                continue;
            }
            Integer first = firstUse.putIfAbsent(t.secretName(), t.index());
            if (first == null) {
                continue;
            }
            String field = t.field() + ".secretName";
            if (shimActs) {
                f.deny(Violation.duplicate(
                        Check.TLS_SECRET_SHARED,
                        field,
                        "secret " + t.secretName() + " is also used by spec.tls[" + first
                                + "], and cert-manager's ingress-shim then refuses the whole Ingress: "
                                + "it creates no Certificate for any of its TLS entries",
                        "give each TLS entry its own secretName, or merge the hosts into spec.tls[" + first
                                + "]; cert-manager reports: "
                                + shimDuplicateMessage(first, t.index(), t.secretName())));
                continue;
            }
            Set<String> a = firstHosts.computeIfAbsent(first, i -> asciiSet(entryNames.get(i)));
            Set<String> b = asciiSet(entryNames.get(t.index()));
            if (!a.equals(b)) {
                f.deny(Violation.duplicate(
                        Check.TLS_SECRET_SHARED,
                        field,
                        "secret " + t.secretName() + " is also used by spec.tls[" + first
                                + "] with different hosts; one Secret holds one certificate, which would have to cover both",
                        "give each TLS entry its own secretName, or merge the hosts into spec.tls[" + first + "]"));
            } else {
                f.warn(
                        Check.TLS_ENTRY_REPEATED,
                        t.field(),
                        "repeats spec.tls[" + first + "] (same secretName and hosts); it can be removed");
            }
        }
    }

    /** The text of cert-manager's BadConfig Event for a repeated secret name, as its sync.go words it. */
    static String shimDuplicateMessage(int first, int second, String secretName) {
        return "spec.tls[" + first + "].secretName: Invalid value: \"" + secretName
                + "\": this secret name must only appear in a single TLS entry but is also used in spec.tls["
                + second + "].secretName";
    }

    private void plan(CertManagerAnnotations.Options options, Map<Integer, List<HostName>> entryNames) {
        Set<String> taken = new HashSet<>();
        int missing = 0;
        for (IngressView.Tls t : view.tls()) {
            if (t.secretName() != null) {
                taken.add(t.secretName());
            } else if (!entryNames.get(t.index()).isEmpty()) {
                missing++;
            }
        }
        Set<String> planned = new HashSet<>();
        Map<String, Integer> tried = new HashMap<>();
        boolean issuerNoted = false;
        for (IngressView.Tls t : view.tls()) {
            List<HostName> names = entryNames.get(t.index());
            if (names.isEmpty()) {
                if (options.requested()) {
                    f.warn(
                            Check.TLS_ENTRY_WITHOUT_HOSTS,
                            t.field() + ".hosts",
                            "the entry lists no hosts, so cert-manager would skip it; no Certificate is planned for it");
                }
                continue;
            }
            String secretName = t.secretName();
            if (secretName == null) {
                if (!options.requested() || options.issuer() == null) {
                    f.note(
                            t.field()
                                    + " has no secretName: the ingress controller serves its default certificate for it; no Certificate planned");
                    continue;
                }
                Set<String> hosts = new TreeSet<>();
                names.forEach(n -> hosts.add(n.ascii()));
                secretName = DefaultSecretNames.choose(view.meta(), hosts, taken, missing == 1, tried);
                taken.add(secretName);
                out.defaults.add(new Evaluation.SecretNameDefault("/spec/tls/" + t.index(), secretName));
            }
            if (options.issuer() == null) {
                if (!issuerNoted) {
                    f.note(Evaluation.noIssuerNote());
                    issuerNoted = true;
                }
                continue;
            }
            if (!planned.add(secretName)) {
                continue; // an identical repeated entry
            }
            List<String> hosts = t.hosts().stream().filter(h -> h != null).toList();
            PlannedCertificate crt = Evaluation.ingressCertificate(
                    secretName, namespace, hosts, options, view.meta().name(), options.requested());
            out.certificates.add(crt);
            TlsChecks.noteWildcard(f, crt);
        }
    }

    private static Set<String> asciiSet(List<HostName> names) {
        Set<String> s = new HashSet<>();
        if (names != null) {
            names.forEach(n -> s.add(n.ascii()));
        }
        return s;
    }
}
