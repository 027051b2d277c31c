package dev.routecert.policy;

import dev.routecert.policy.rule.HostPatterns;
import dev.routecert.policy.rule.ParseResult;
import dev.routecert.policy.rule.RuleAnalyzer;
import dev.routecert.policy.rule.RuleParser;
import dev.routecert.policy.scope.RequireTlsExemptions;
import dev.routecert.routes.IngressRouteView;
import dev.routecert.routes.RouteKind;
import dev.routecert.routes.ShapeProblem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The policy for a Traefik IngressRoute or IngressRouteTCP: parses every route's rule, derives the
 * names it serves, checks them against {@code spec.tls}, validates the cert-manager annotations and
 * plans the Certificate. One pass; {@link RoutePolicy} runs it again on the mutated object. What only
 * TCP routes have (passthrough, a {@code HostSNI} without TLS) is judged by {@link TcpRouteChecks}.
 */
final class IngressRouteValidator {

    /**
     * A host pattern whose names cannot be listed (HostRegexp, {@code **.}), and its test of a host
     * name, empty when routecert cannot run it.
     */
    private record Opaque(String field, int offset, String description, Optional<Predicate<String>> matches) {}

    /** A {@code Host(`*`)} or {@code HostSNI(`*`)}: every host name, and requests without one. */
    private record CatchAll(String field, int offset, String matcher) {}

    private static final TlsChecks.Wording WORDING = new TlsChecks.Wording(
            "IngressRoute",
            "route",
            "not covered by spec.tls.domains, which lists ",
            "the certificate",
            "spec.tls.domains[].sans",
            "spec.tls.domains",
            "my-route");

    private static final TlsChecks.Wording TCP_WORDING = new TlsChecks.Wording(
            "IngressRouteTCP",
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
    private final List<CatchAll> catchAll = new ArrayList<>();
    /** The match fields of routes that name a server with HostSNI, which Traefik refuses without TLS. */
    private final List<String> sniFields = new ArrayList<>();

    private final TlsChecks.Wording wording;
    private boolean anyHost; // some route can match any host name
    private boolean incomplete; // some rule did not parse, so its hosts are unknown

    private final RequireTlsExemptions.Exemption exemption;
    /** The characters Traefik's v3 HostSNI accepts without trying IDNA. */
    private static final Pattern TRAEFIK_SNI = Pattern.compile("[A-Za-z0-9_.\\-:]+");

    private final TlsObjectFacts tlsObjects;

    private IngressRouteValidator(
            IngressRouteView view,
            String namespace,
            PolicyConfig config,
            RequireTlsExemptions.Exemption exemption,
            TlsObjectFacts tlsObjects) {
        this.exemption = exemption;
        this.view = view;
        this.namespace = namespace;
        this.config = config;
        this.tlsObjects = tlsObjects;
        this.wording = view.tcp() ? TCP_WORDING : WORDING;
    }

    static Evaluation evaluate(
            IngressRouteView view, String namespace, PolicyConfig config, RequireTlsExemptions.Exemption exemption) {
        return evaluate(view, namespace, config, exemption, TlsObjectFacts.UNKNOWN);
    }

    /** With the cluster's Traefik TLS objects, for {@code tls.options} and the default TLSStore. */
    static Evaluation evaluate(
            IngressRouteView view,
            String namespace,
            PolicyConfig config,
            RequireTlsExemptions.Exemption exemption,
            TlsObjectFacts tlsObjects) {
        IngressRouteValidator v = new IngressRouteValidator(view, namespace, config, exemption, tlsObjects);
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
        if (view.tcp()) {
            TcpRouteChecks.hostSniWithoutTls(f, view, sniFields);
        }
        switch (view.tlsShape()) {
            case ABSENT -> noTls(options);
            case LIST ->
                f.deny(Violation.invalid(
                        Check.TLS_SHAPE,
                        "spec.tls",
                        "a list is the Ingress form of TLS; an " + wording.kind() + " takes one TLS object",
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
                    "an " + wording.kind() + " needs at least one route",
                    view.tcp()
                            ? "add routes: [{match: HostSNI(`example.com`), services: [...]}]"
                            : "add routes: [{match: Host(`example.com`), services: [...]}]"));
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
                    "use kind: Rule, or leave kind out (Traefik 3.3 and later; earlier releases skip a route"
                            + " without kind: Rule)"));
        } else if (r.kind() == null && view.kind() == RouteKind.INGRESS_ROUTE_LEGACY) {
            // only Traefik v2 serves this group, and v2 skips a route whose kind is not exactly Rule
            f.warn(
                    Check.ROUTE_KIND_MISSING,
                    r.field(),
                    "this route has no kind; Traefik v2, the only release that serves traefik.containo.us, skips a"
                            + " route without kind: Rule (Traefik 3.3 and later default it); add kind: Rule");
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
                        Check.ROUTE_NO_RULE,
                        field,
                        "the route has no rule",
                        view.tcp() ? "add match: HostSNI(`example.com`)" : "add match: Host(`example.com`)"));
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
        RuleAnalyzer.Analysis analysis = view.tcp()
                ? RuleAnalyzer.analyzeTcp(parsed.root(), syntax)
                : RuleAnalyzer.analyze(parsed.root(), syntax);
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
        boolean wildcardNoted = false;
        for (RuleAnalyzer.HostUse h : analysis.hosts()) {
            if (h.regexp()) {
                if (h.positive()) {
                    opaque.add(new Opaque(
                            matchField(r),
                            h.offset(),
                            h.matcher() + "(`" + HostName.shorten(h.value()) + "`)",
                            HostPatterns.regexp(h.value(), syntax)));
                }
                continue;
            }
            if (h.value().equals("*") && (view.tcp() || syntax == RuleSyntax.V3)) {
                if (h.positive()) {
                    catchAll.add(new CatchAll(matchField(r), h.offset(), h.matcher()));
                    anyHost = true;
                }
                continue;
            }
            if (h.positive() && view.tcp()) {
                sniFields.add(matchField(r));
            }
            HostName.Check c = HostName.check(h.value());
            if (!c.ok()) {
                f.deny(new Violation(
                                matchField(r),
                                "at offset " + h.offset() + ", " + c.problem() + stricterThanTraefik(h.value()),
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
                opaque.add(new Opaque(
                        matchField(r),
                        h.offset(),
                        h.matcher() + "(`" + h.value() + "`), which matches one or more labels (Traefik 3.8;"
                                + " no single certificate covers it)",
                        Optional.of(HostPatterns.multiWildcard(c.name().ascii().substring(3)))));
            } else {
                served.add(new TlsChecks.Served(c.name(), matchField(r), h.offset()));
                if (c.name().type() == HostName.Type.WILDCARD
                        && !wildcardNoted
                        && !h.matcher().endsWith("egexp")) {
                    wildcardNoted = true;
                    f.note(matchField(r) + ": " + h.matcher() + "(`" + c.name().ascii() + "`) matches one label under "
                            + c.name().ascii().substring(2) + " from Traefik 3.7.0; earlier versions "
                            + (view.tcp() ? "refuse the rule" : "match no request with it"));
                }
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
        // a TCP route with no server name is plain TCP, not a site that policy can require TLS of
        boolean servesHosts = !served.isEmpty() || (anyHost && !view.tcp()) || !opaque.isEmpty();
        TlsChecks.noTls(
                f,
                config,
                exemption,
                options,
                servesHosts,
                wording,
                "add tls: {secretName: " + TlsChecks.suggestedSecretName(view.meta(), wording) + "}");
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
        if (tls.options() != null) {
            TraefikTlsObjects.checkOptionsReference(
                    f,
                    tls.options().field(),
                    tls.options().name(),
                    tls.options().namespace(),
                    namespace,
                    config,
                    tlsObjects);
        }
        if (tls.store() != null) {
            TraefikTlsObjects.checkStore(f, tls.store().field(), tls.store().name());
        }
        String secretName = blankToNull(tls.secretName());
        String resolver = blankToNull(tls.certResolver());
        if (view.passthrough()) {
            TcpRouteChecks.passthrough(f, secretName);
            return;
        }
        if (secretName != null) {
            TlsChecks.checkSecretName(f, "spec.tls.secretName", secretName, view.meta(), wording);
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
        if (resolver == null && (secretName != null || !tls.domains().isEmpty())) {
            for (CatchAll c : catchAll) {
                denyCatchAll(c, secretName != null);
            }
        }
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
        if (!catchAll.isEmpty()) {
            CatchAll c = catchAll.getFirst();
            f.note("no Certificate planned: " + c.matcher() + "(`*`) in " + c.field() + " is a catch-all, so this"
                    + " route is served with Traefik's default certificate (the default TLSStore's)");
            return;
        }
        List<HostName> names = new ArrayList<>();
        if (domains.isEmpty()) {
            served.forEach(s -> names.add(s.name()));
        } else {
            domains.forEach(d -> names.add(d.name()));
        }
        if (names.isEmpty() && options.ipAddresses().isEmpty()) {
            f.note("no Certificate planned: no route names a host with " + (view.tcp() ? "HostSNI" : "Host")
                    + "(...) and spec.tls.domains is empty, "
                    + "so Traefik serves its default certificate");
            return;
        }
        if (secretName == null && !opaque.isEmpty() && domains.isEmpty()) {
            f.note("no Certificate planned: the names of " + opaque.getFirst().description() + " cannot be derived; "
                    + "Traefik serves its default certificate");
            return;
        }
        if (secretName == null
                && domains.isEmpty()
                && !anyHost
                && !incomplete
                && TraefikTlsObjects.defaultStoreCovers(f, names, tlsObjects)) {
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

    /**
     * A catch-all route serves every host name, and no certificate covers every host name: what the
     * certificate holds is served, every other name gets Traefik's default certificate.
     */
    /**
     * What to add when Traefik would load the name that routecert refuses: v3 {@code Host} takes any
     * ASCII string, {@code HostSNI} any of letters, digits, '_', '.', '-' and ':'. routecert refuses
     * them on purpose, and says so.
     */
    private String stricterThanTraefik(String value) {
        boolean loads = view.tcp()
                ? TRAEFIK_SNI.matcher(value).matches()
                : value.chars().allMatch(ch -> ch < 0x80);
        if (!loads) {
            return "";
        }
        boolean unmatchable = value.chars().anyMatch(ch -> ch <= ' ' || ch == 0x7f);
        return "; Traefik would load this rule, but "
                + (unmatchable ? "no request can ever match it" : "no certificate can be issued for this name")
                + ", so routecert refuses it";
    }

    private void denyCatchAll(CatchAll c, boolean secretName) {
        f.deny(new Violation(
                        c.field(),
                        "at offset " + c.offset() + ", " + c.matcher() + "(`*`) is a catch-all: it serves every host"
                                + " name, and no certificate can cover every host name, so "
                                + (secretName ? "spec.tls.secretName" : "spec.tls.domains")
                                + " cannot be the certificate of this route",
                        "list the names with " + c.matcher()
                                + "(`...`) and keep the certificate, or use tls: {} without"
                                + " secretName and domains so that the catch-all gets Traefik's default certificate"
                                + "; " + c.matcher() + "(`*`) is a catch-all since Traefik 3.7.7, earlier releases do"
                                + " not match every host with it",
                        null,
                        Violation.INVALID,
                        Check.TLS_CATCH_ALL)
                .atOffset(c.offset()));
    }

    private void coverage(List<TlsChecks.Covered> domains) {
        TlsChecks.denyUncovered(f, served, domains, wording);
        boolean[] matched = new boolean[domains.size()];
        for (Opaque o : opaque) {
            regexpAgainstDomains(o, domains, matched);
        }
        if (anyHost || incomplete) {
            return; // a route answers for any host (or for unknown ones): every domain may be served
        }
        List<TlsChecks.Covered> unmatched = new ArrayList<>();
        for (int i = 0; i < domains.size(); i++) {
            if (!matched[i]) {
                unmatched.add(domains.get(i));
            }
        }
        TlsChecks.warnUnserved(f, unmatched, served, wording);
    }

    /**
     * A host pattern must match some name of the certificate, or the certificate covers nothing it
     * serves. Literal names are tested exactly; a wildcard domain by a few names under it, so a
     * pattern that matches none of those is only warned about.
     */
    private void regexpAgainstDomains(Opaque o, List<TlsChecks.Covered> domains, boolean[] matched) {
        if (o.matches().isEmpty()) {
            f.warn(
                    Check.TLS_HOSTREGEXP_UNCHECKED,
                    o.field(),
                    "at offset " + o.offset() + ", routecert cannot check that " + o.description()
                            + " matches names in spec.tls.domains");
            Arrays.fill(matched, true);
            return;
        }
        Predicate<String> test = o.matches().get();
        boolean any = false;
        boolean wildcard = false;
        for (int i = 0; i < domains.size(); i++) {
            HostName name = domains.get(i).name();
            wildcard |= name.type() == HostName.Type.WILDCARD;
            for (String probe : HostPatterns.probes(name.ascii())) {
                if (test.test(probe)) {
                    matched[i] = true;
                    any = true;
                    break;
                }
            }
        }
        if (any) {
            return;
        }
        String names = String.join(
                ", ", domains.stream().map(d -> d.name().ascii()).distinct().toList());
        if (wildcard) {
            // it may still match a name under a wildcard that was not tried: do not call those unserved
            for (int i = 0; i < domains.size(); i++) {
                matched[i] |= domains.get(i).name().type() == HostName.Type.WILDCARD;
            }
            f.warn(
                    Check.TLS_HOSTREGEXP_UNCHECKED,
                    o.field(),
                    "at offset " + o.offset() + ", " + o.description() + " matches none of " + names
                            + " and no name routecert tried under their wildcards; if it serves no name the"
                            + " certificate covers, that certificate is never used for it");
            return;
        }
        f.deny(new Violation(
                        o.field(),
                        "at offset " + o.offset() + ", " + o.description()
                                + " matches none of the names in spec.tls.domains (" + names
                                + "), so the certificate covers no host this route serves",
                        "list in spec.tls.domains the names it serves, or change the pattern to match them",
                        null,
                        Violation.INVALID,
                        Check.TLS_HOSTREGEXP_NO_DOMAIN)
                .atOffset(o.offset()));
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
