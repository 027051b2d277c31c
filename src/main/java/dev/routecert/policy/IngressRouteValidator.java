package dev.routecert.policy;

import dev.routecert.policy.rule.ParseResult;
import dev.routecert.policy.rule.RuleAnalyzer;
import dev.routecert.policy.rule.RuleParser;
import dev.routecert.routes.IngressRouteView;
import dev.routecert.routes.ShapeProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The policy for a Traefik IngressRoute: parses every route's rule, derives the names it serves,
 * checks them against {@code spec.tls}, validates the cert-manager annotations and plans the
 * Certificate. One pass; {@link RoutePolicy} runs it again on the mutated object.
 */
final class IngressRouteValidator {

    // Served and Opaque keep their route rather than its field path: the path is a string built only
    // when a message is reported, and there is one Served per host of every route.

    /** A host name some route serves, with where it is written. */
    private record Served(HostName name, IngressRouteView.Route route, int offset) {
        String field() {
            return matchField(route);
        }
    }

    /** A host pattern whose names cannot be listed (HostRegexp, {@code **.}). */
    private record Opaque(IngressRouteView.Route route, int offset, String description) {
        String field() {
            return matchField(route);
        }
    }

    /** A name in {@code spec.tls.domains}, with its field. */
    private record TlsName(HostName name, String field) {}

    private final IngressRouteView view;
    private final String namespace;
    private final PolicyConfig config;
    private final Evaluation out = new Evaluation();
    private final Findings f = out.findings;

    private final Set<String> shapeFields = new HashSet<>();
    private final List<Served> served = new ArrayList<>();
    private final List<Opaque> opaque = new ArrayList<>();
    private boolean anyHost; // some route can match any host name
    private boolean incomplete; // some rule did not parse, so its hosts are unknown

    private IngressRouteValidator(IngressRouteView view, String namespace, PolicyConfig config) {
        this.view = view;
        this.namespace = namespace;
        this.config = config;
    }

    static Evaluation evaluate(IngressRouteView view, String namespace, PolicyConfig config) {
        IngressRouteValidator v = new IngressRouteValidator(view, namespace, config);
        v.run();
        return v.out;
    }

    private void run() {
        for (ShapeProblem p : view.problems()) {
            f.deny(Violation.invalid(p.field(), p.message(), "fix the YAML structure of this field"));
            shapeFields.add(p.field());
        }
        CertManagerAnnotations.Options options =
                CertManagerAnnotations.read(view.meta().annotations(), config, f);
        routes();
        switch (view.tlsShape()) {
            case ABSENT -> noTls(options);
            case LIST ->
                f.deny(Violation.invalid(
                        "spec.tls",
                        "a list is the Ingress form of TLS; an IngressRoute takes one TLS object",
                        "write tls: {secretName: <secret>, domains: [{main: <host>, sans: [<host>, ...]}]}"));
            case OTHER ->
                f.deny(Violation.invalid(
                        "spec.tls",
                        "spec.tls must be an object",
                        "write tls: {secretName: <secret>} or tls: {} for the default certificate"));
            case OBJECT -> tls(options);
        }
    }

    private void routes() {
        if (view.routes().isEmpty() && !routeShapeProblem()) {
            f.deny(Violation.required(
                    "spec.routes",
                    "an IngressRoute needs at least one route",
                    "add routes: [{match: Host(`example.com`), services: [...]}]"));
        }
        for (IngressRouteView.Route r : view.routes()) {
            route(r);
        }
    }

    private boolean routeShapeProblem() {
        for (String field : shapeFields) {
            if (field.startsWith("spec.routes")) {
                return true;
            }
        }
        return false;
    }

    private void route(IngressRouteView.Route r) {
        if (r.kind() != null && !r.kind().equals("Rule")) {
            f.deny(Violation.notSupported(
                    r.field() + ".kind",
                    "route kind '" + r.kind() + "' is not supported",
                    "use kind: Rule, or leave kind out"));
        }
        RuleSyntax syntax = config.defaultSyntax();
        if (r.syntax() != null) {
            var s = RuleSyntax.fromFieldValue(r.syntax());
            if (s.isEmpty()) {
                f.deny(Violation.notSupported(
                        r.field() + ".syntax",
                        "rule syntax '" + r.syntax() + "' is not supported",
                        "use v3, or v2 for a rule written for Traefik v2"));
            } else {
                syntax = s.get();
                if (syntax == RuleSyntax.V2) {
                    f.warn(
                            r.field() + ".syntax",
                            "the v2 rule syntax is deprecated; rewrite the rule in v3 syntax and drop this field");
                }
            }
        }
        if (r.match() == null) {
            String field = matchField(r);
            if (!shapeFields.contains(field)) {
                f.deny(Violation.required(field, "the route has no rule", "add match: Host(`example.com`)"));
            }
            incomplete = true;
            return;
        }
        ParseResult parsed = RuleParser.parse(r.match());
        if (!parsed.ok()) {
            var e = parsed.error();
            f.deny(new Violation(
                            matchField(r),
                            "at offset " + e.offset() + " (" + near(r.match(), e.offset()) + "), " + e.message(),
                            e.hint(),
                            null,
                            Violation.INVALID)
                    .atOffset(e.offset()));
            incomplete = true;
            return;
        }
        RuleAnalyzer.Analysis analysis = RuleAnalyzer.analyze(parsed.root(), syntax);
        for (RuleAnalyzer.Problem p : analysis.problems()) {
            if (p.warning()) {
                f.warn(matchField(r), "at offset " + p.offset() + ", " + p.message() + " (" + p.hint() + ")");
            } else {
                f.deny(new Violation(
                                matchField(r),
                                "at offset " + p.offset() + ", " + p.message(),
                                p.hint(),
                                null,
                                p.reason())
                        .atOffset(p.offset()));
            }
        }
        if (analysis.hasErrors()) {
            incomplete = true; // the router would not load; what it serves is moot
        }
        anyHost |= analysis.hostUnconstrained();
        for (RuleAnalyzer.HostUse h : analysis.hosts()) {
            if (h.regexp()) {
                if (h.positive()) {
                    opaque.add(new Opaque(r, h.offset(), h.matcher() + "(`" + HostName.shorten(h.value()) + "`)"));
                }
                continue;
            }
            HostName.Check c = HostName.check(h.value());
            if (!c.ok()) {
                f.deny(new Violation(
                                matchField(r),
                                "at offset " + h.offset() + ", " + c.problem(),
                                hintForRule(h, c),
                                null,
                                Violation.INVALID)
                        .atOffset(h.offset()));
            }
            if (c.name() == null || !h.positive()) {
                continue;
            }
            if (c.name().type() == HostName.Type.MULTI_WILDCARD) {
                opaque.add(new Opaque(r, h.offset(), h.matcher() + "(`" + h.value() + "`)"));
            } else {
                served.add(new Served(c.name(), r, h.offset()));
            }
        }
    }

    private static String matchField(IngressRouteView.Route r) {
        return r.field() + ".match";
    }

    private static String hintForRule(RuleAnalyzer.HostUse h, HostName.Check c) {
        String hint = c.hint();
        if (hint != null && hint.startsWith("write ") && c.name() != null) {
            return "write " + h.matcher() + "(`" + c.name().ascii() + "`)";
        }
        return hint;
    }

    private void noTls(CertManagerAnnotations.Options options) {
        if (config.requireTls() && (!served.isEmpty() || anyHost || !opaque.isEmpty())) {
            f.deny(Violation.required(
                    "spec.tls",
                    "TLS is required by policy, but this IngressRoute has no spec.tls",
                    "add tls: {secretName: " + suggestedName() + "}"));
        }
        if (options.requested()) {
            f.warn(
                    "spec.tls",
                    "a cert-manager annotation asks for a certificate, but there is no spec.tls, so none is created");
        }
    }

    private void tls(CertManagerAnnotations.Options options) {
        IngressRouteView.Tls tls = view.tls();
        if (view.hasParentRefs()) {
            f.deny(Violation.forbidden(
                    "spec.tls",
                    "a route with spec.parentRefs is a child route and must not carry TLS; its parent terminates TLS",
                    "move tls to the parent IngressRoute, or remove spec.parentRefs"));
        }
        String secretName = blankToNull(tls.secretName());
        String resolver = blankToNull(tls.certResolver());
        if (secretName != null) {
            String err = KubeNames.dns1123SubdomainError(secretName);
            if (err != null) {
                f.deny(Violation.invalid(
                        "spec.tls.secretName",
                        "secret name '" + HostName.shorten(secretName) + "' " + err,
                        "use a lower-case DNS name such as " + suggestedName()));
            }
        }
        if (resolver != null && secretName != null) {
            f.warn(
                    "spec.tls",
                    "both certResolver and secretName are set, two sources for one certificate; routecert leaves it to "
                            + "the resolver '" + resolver + "' and creates no Certificate");
        }

        List<TlsName> domains = domains(tls);
        boolean certFromNames = secretName != null || resolver != null;
        if (domains.isEmpty() && !tls.domains().isEmpty()) {
            return; // every domain entry was broken; reported already
        }
        if (domains.isEmpty()) {
            if (certFromNames) {
                for (Opaque o : opaque) {
                    f.deny(new Violation(
                                    o.field(),
                                    "at offset " + o.offset() + ", names cannot be derived from " + o.description()
                                            + ", so the certificate cannot be made to cover them",
                                    "list the names in spec.tls.domains, e.g. domains: [{main: example.com, sans: ['*.example.com']}]",
                                    null,
                                    Violation.REQUIRED)
                            .atOffset(o.offset()));
                }
            }
        } else {
            coverage(domains);
        }
        warnAboutIps();

        // ---- planning
        if (f.denied()) {
            return;
        }
        if (resolver != null) {
            f.note("no Certificate planned: spec.tls.certResolver '" + resolver
                    + "' makes Traefik obtain the certificate itself");
            return;
        }
        List<HostName> names = new ArrayList<>();
        if (domains.isEmpty()) {
            served.forEach(s -> names.add(s.name()));
        } else {
            domains.forEach(d -> names.add(d.name()));
        }
        if (names.isEmpty() && options.ipAddresses().isEmpty()) {
            f.note("no Certificate planned: no route names a host with Host(...) and spec.tls.domains is empty, "
                    + "so Traefik serves its default certificate");
            return;
        }
        if (secretName == null && !opaque.isEmpty() && domains.isEmpty()) {
            f.note("no Certificate planned: the names of " + opaque.getFirst().description() + " cannot be derived; "
                    + "Traefik serves its default certificate");
            return;
        }
        if (options.issuer() == null) {
            f.note(Evaluation.noIssuerNote());
            return;
        }
        if (secretName == null) {
            Set<String> hostKeys = new LinkedHashSet<>();
            names.forEach(n -> hostKeys.add(n.ascii()));
            secretName = DefaultSecretNames.choose(view.meta(), hostKeys, Set.of(), true);
            out.defaults.add(new Evaluation.SecretNameDefault("/spec/tls", secretName));
        }
        PlannedCertificate crt = Evaluation.certificate(
                secretName, namespace, names, options, view.kind(), view.meta().name());
        out.certificates.add(crt);
        if (crt.dnsNames().stream().anyMatch(n -> n.startsWith("*."))) {
            f.note("Certificate " + secretName + " has a wildcard name; its issuer must solve DNS-01 challenges");
        }
    }

    private List<TlsName> domains(IngressRouteView.Tls tls) {
        List<TlsName> names = new ArrayList<>();
        for (IngressRouteView.Domain d : tls.domains()) {
            String base = "spec.tls.domains[" + d.index() + "]";
            if (d.main() == null || d.main().isEmpty()) {
                if (!shapeFields.contains(base + ".main")) {
                    f.deny(Violation.required(base + ".main", "the domain has no main name", "add main: example.com"));
                }
            } else {
                addDomain(names, d.main(), base + ".main");
            }
            for (int j = 0; j < d.sans().size(); j++) {
                if (d.sans().get(j) != null) {
                    addDomain(names, d.sans().get(j), base + ".sans[" + j + "]");
                }
            }
        }
        return names;
    }

    private void addDomain(List<TlsName> names, String raw, String field) {
        HostName.Check c = HostName.check(raw);
        if (!c.ok()) {
            f.deny(Violation.invalid(field, c.problem(), c.hint()));
        }
        if (c.name() != null) {
            if (c.name().type() == HostName.Type.MULTI_WILDCARD) {
                f.deny(Violation.invalid(
                        field,
                        "'" + raw + "' is a multi-level wildcard; a certificate can only hold *.example.com",
                        "list *.example.com and the deeper names you need"));
                return;
            }
            names.add(new TlsName(c.name(), field));
        }
    }

    private void coverage(List<TlsName> domains) {
        NameSet tlsNames = NameSet.of(domains.stream().map(TlsName::name).toList());
        String listed = listNames(domains);
        for (Served s : served) {
            if (!tlsNames.covers(s.name())) {
                f.deny(new Violation(
                                s.field(),
                                "at offset " + s.offset() + ", " + s.name()
                                        + " is served by this route but not covered by spec.tls.domains, which lists "
                                        + listed,
                                coverHint(s.name()),
                                null,
                                Violation.INVALID)
                        .atOffset(s.offset()));
            }
        }
        for (Opaque o : opaque) {
            f.warn(
                    o.field(),
                    "at offset " + o.offset() + ", routecert cannot check that " + o.description()
                            + " matches only names in spec.tls.domains");
        }
        if (anyHost || incomplete || !opaque.isEmpty()) {
            return; // a route answers for any host (or for unknown ones): every domain may be served
        }
        boolean[] overlapped = NameSet.overlapped(
                domains.stream().map(TlsName::name).toList(),
                served.stream().map(Served::name).toList());
        for (int i = 0; i < domains.size(); i++) {
            if (!overlapped[i]) {
                TlsName d = domains.get(i);
                f.warn(d.field(), d.name() + " is in the certificate but no route of this IngressRoute serves it");
            }
        }
    }

    private static String coverHint(HostName name) {
        if (name.isIp()) {
            return "add " + name + " to spec.tls.domains";
        }
        int dot = name.ascii().indexOf('.');
        String parent = dot > 0 ? name.ascii().substring(dot + 1) : null;
        return "add " + name + " to spec.tls.domains[].sans"
                + (parent != null && parent.indexOf('.') > 0 && name.type() == HostName.Type.DNS
                        ? ", or cover it with *." + parent
                        : "");
    }

    private void warnAboutIps() {
        Set<String> seen = new LinkedHashSet<>();
        for (Served s : served) {
            if (s.name().isIp() && seen.add(s.name().ascii())) {
                f.warn(
                        s.field(),
                        s.name()
                                + " is an IP address: its certificate needs an IP SAN, and ACME issuers such as Let's Encrypt cannot issue one");
            }
        }
    }

    private String suggestedName() {
        String name = view.meta().name();
        return (name == null || name.isEmpty() ? "my-route" : name) + "-tls";
    }

    static String listNames(List<TlsName> names) {
        List<String> all = names.stream().map(n -> n.name().ascii()).distinct().toList();
        String joined = String.join(", ", all.size() > 5 ? all.subList(0, 5) : all);
        return all.size() > 5 ? joined + ", ..." : joined;
    }

    static String near(String rule, int offset) {
        int from = Math.max(0, Math.min(offset, rule.length()));
        if (from >= rule.length()) {
            return "at the end";
        }
        String s = rule.substring(from, Math.min(rule.length(), from + 24))
                .replace("\n", "\\n")
                .replace("\t", " ");
        return "near \"" + s + (from + 24 < rule.length() ? "..." : "") + "\"";
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
