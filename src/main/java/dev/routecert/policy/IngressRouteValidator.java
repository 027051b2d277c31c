package dev.routecert.policy;

import dev.routecert.policy.rule.ParseResult;
import dev.routecert.policy.rule.RuleAnalyzer;
import dev.routecert.policy.rule.RuleParser;
import dev.routecert.policy.scope.RequireTlsExemptions;
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

    /** A host pattern whose names cannot be listed (HostRegexp, {@code **.}). */
    private record Opaque(String field, int offset, String description) {}

    private static final TlsChecks.Wording WORDING = new TlsChecks.Wording(
            "IngressRoute",
            "route",
            "not covered by spec.tls.domains, which lists ",
            "the certificate",
            "spec.tls.domains[].sans",
            "spec.tls.domains",
            "my-route");

    private final IngressRouteView view;
    private final String namespace;
    private final PolicyConfig config;
    private final Evaluation out = new Evaluation();
    private final Findings f = out.findings;

    private final Set<String> shapeFields = new HashSet<>();
    private final List<TlsChecks.Served> served = new ArrayList<>();
    private final List<Opaque> opaque = new ArrayList<>();
    private boolean anyHost; // some route can match any host name
    private boolean incomplete; // some rule did not parse, so its hosts are unknown

    private final RequireTlsExemptions.Exemption exemption;

    private IngressRouteValidator(
            IngressRouteView view, String namespace, PolicyConfig config, RequireTlsExemptions.Exemption exemption) {
        this.exemption = exemption;
        this.view = view;
        this.namespace = namespace;
        this.config = config;
    }

    static Evaluation evaluate(
            IngressRouteView view, String namespace, PolicyConfig config, RequireTlsExemptions.Exemption exemption) {
        IngressRouteValidator v = new IngressRouteValidator(view, namespace, config, exemption);
        v.run();
        return v.out;
    }

    private void run() {
        for (ShapeProblem p : view.problems()) {
            f.deny(Violation.invalid(
                    Check.OBJECT_SHAPE, p.field(), p.message(), "fix the YAML structure of this field"));
            shapeFields.add(p.field());
        }
        CertManagerAnnotations.Options options = CertManagerAnnotations.read(view.meta(), config, f, false);
        routes();
        switch (view.tlsShape()) {
            case ABSENT -> noTls(options);
            case LIST ->
                f.deny(Violation.invalid(
                        Check.TLS_SHAPE,
                        "spec.tls",
                        "a list is the Ingress form of TLS; an IngressRoute takes one TLS object",
                        "write tls: {secretName: <secret>, domains: [{main: <host>, sans: [<host>, ...]}]}"));
            case OTHER ->
                f.deny(Violation.invalid(
                        Check.TLS_SHAPE,
                        "spec.tls",
                        "spec.tls must be an object",
                        "write tls: {secretName: <secret>} or tls: {} for the default certificate"));
            case OBJECT -> tls(options);
        }
    }

    private void routes() {
        if (view.routes().isEmpty() && !routeShapeProblem()) {
            f.deny(Violation.required(
                    Check.ROUTES_EMPTY,
                    "spec.routes",
                    "an IngressRoute needs at least one route",
                    "add routes: [{match: Host(`example.com`), services: [...]}]"));
        }
        for (IngressRouteView.Route r : view.routes()) {
            route(r);
        }
        served.forEach(n -> out.named(n.name(), n.field()));
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
                    Check.ROUTE_KIND,
                    r.field() + ".kind",
                    "route kind '" + r.kind() + "' is not supported",
                    "use kind: Rule, or leave kind out"));
        }
        RuleSyntax syntax = config.defaultSyntax();
        if (r.syntax() != null) {
            var s = RuleSyntax.fromFieldValue(r.syntax());
            if (s.isEmpty()) {
                f.deny(Violation.notSupported(
                        Check.RULE_SYNTAX_FIELD,
                        r.field() + ".syntax",
                        "rule syntax '" + r.syntax() + "' is not supported",
                        "use v3, or v2 for a rule written for Traefik v2"));
            } else {
                syntax = s.get();
                if (syntax == RuleSyntax.V2) {
                    f.warn(
                            Check.RULE_V2_SYNTAX,
                            r.field() + ".syntax",
                            "the v2 rule syntax is deprecated; rewrite the rule in v3 syntax and drop this field");
                }
            }
        }
        if (r.match() == null) {
            String field = matchField(r);
            if (!shapeFields.contains(field)) {
                f.deny(Violation.required(
                        Check.ROUTE_NO_RULE, field, "the route has no rule", "add match: Host(`example.com`)"));
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
                            Violation.INVALID,
                            Check.RULE_SYNTAX)
                    .atOffset(e.offset()));
            incomplete = true;
            return;
        }
        RuleAnalyzer.Analysis analysis = RuleAnalyzer.analyze(parsed.root(), syntax);
        for (RuleAnalyzer.Problem p : analysis.problems()) {
            if (p.warning()) {
                f.warn(
                        p.check(),
                        matchField(r),
                        "at offset " + p.offset() + ", " + p.message() + " (" + p.hint() + ")");
            } else {
                f.deny(new Violation(
                                matchField(r),
                                "at offset " + p.offset() + ", " + p.message(),
                                p.hint(),
                                null,
                                p.reason(),
                                p.check())
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
                    opaque.add(new Opaque(
                            matchField(r), h.offset(), h.matcher() + "(`" + HostName.shorten(h.value()) + "`)"));
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
                                Violation.INVALID,
                                Check.HOST_INVALID)
                        .atOffset(h.offset()));
            }
            if (c.name() == null || !h.positive()) {
                continue;
            }
            if (c.name().type() == HostName.Type.MULTI_WILDCARD) {
                opaque.add(new Opaque(matchField(r), h.offset(), h.matcher() + "(`" + h.value() + "`)"));
            } else {
                served.add(new TlsChecks.Served(c.name(), matchField(r), h.offset()));
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
        TlsChecks.noTls(
                f,
                config,
                exemption,
                options,
                !served.isEmpty() || anyHost || !opaque.isEmpty(),
                WORDING,
                "add tls: {secretName: " + TlsChecks.suggestedSecretName(view.meta(), WORDING) + "}");
    }

    private void tls(CertManagerAnnotations.Options options) {
        IngressRouteView.Tls tls = view.tls();
        if (view.hasParentRefs()) {
            f.deny(Violation.forbidden(
                    Check.TLS_ON_CHILD_ROUTE,
                    "spec.tls",
                    "a route with spec.parentRefs is a child route and must not carry TLS; its parent terminates TLS",
                    "move tls to the parent IngressRoute, or remove spec.parentRefs"));
        }
        String secretName = blankToNull(tls.secretName());
        String resolver = blankToNull(tls.certResolver());
        if (secretName != null) {
            TlsChecks.checkSecretName(f, "spec.tls.secretName", secretName, view.meta(), WORDING);
        }
        if (resolver != null && secretName != null) {
            f.warn(
                    Check.TLS_RESOLVER_AND_SECRET,
                    "spec.tls",
                    "both certResolver and secretName are set, two sources for one certificate; routecert leaves it to "
                            + "the resolver '" + resolver + "' and creates no Certificate");
        }

        List<TlsChecks.Covered> domains = domains(tls);
        domains.forEach(d -> out.named(d.name(), d.field()));
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
                                    Violation.REQUIRED,
                                    Check.TLS_HOSTREGEXP_UNDECLARED)
                            .atOffset(o.offset()));
                }
            }
        } else {
            coverage(domains);
        }
        TlsChecks.warnIps(f, served);

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
        TlsChecks.noteWildcard(f, crt);
    }

    private List<TlsChecks.Covered> domains(IngressRouteView.Tls tls) {
        List<TlsChecks.Covered> names = new ArrayList<>();
        for (IngressRouteView.Domain d : tls.domains()) {
            String base = "spec.tls.domains[" + d.index() + "]";
            if (d.main() == null || d.main().isEmpty()) {
                if (!shapeFields.contains(base + ".main")) {
                    f.deny(Violation.required(
                            Check.TLS_DOMAIN_MAIN,
                            base + ".main",
                            "the domain has no main name",
                            "add main: example.com"));
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

    private void addDomain(List<TlsChecks.Covered> names, String raw, String field) {
        HostName.Check c = HostName.check(raw);
        if (!c.ok()) {
            f.deny(Violation.invalid(Check.HOST_INVALID, field, c.problem(), c.hint()));
        }
        if (c.name() != null) {
            if (c.name().type() == HostName.Type.MULTI_WILDCARD) {
                TlsChecks.denyMultiLevelWildcard(f, field, raw, "list *.example.com and the deeper names you need");
                return;
            }
            names.add(new TlsChecks.Covered(c.name(), field));
        }
    }

    private void coverage(List<TlsChecks.Covered> domains) {
        TlsChecks.denyUncovered(f, served, domains, WORDING);
        for (Opaque o : opaque) {
            f.warn(
                    Check.TLS_HOSTREGEXP_UNCHECKED,
                    o.field(),
                    "at offset " + o.offset() + ", routecert cannot check that " + o.description()
                            + " matches only names in spec.tls.domains");
        }
        if (anyHost || incomplete || !opaque.isEmpty()) {
            return; // a route answers for any host (or for unknown ones): every domain may be served
        }
        TlsChecks.warnUnserved(f, domains, served, WORDING);
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
