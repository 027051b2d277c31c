package dev.routecert.policy;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.scope.OptOut;
import dev.routecert.policy.scope.OptOutPolicy;
import dev.routecert.policy.scope.RequireTlsExemptions;
import dev.routecert.policy.scope.Scope;
import dev.routecert.policy.scope.ScopeDecision;
import dev.routecert.policy.scope.ScopeFacts;
import dev.routecert.policy.scope.ScopeSettings;
import dev.routecert.policy.settings.NamespacePolicy;
import dev.routecert.policy.tenancy.TenancyChecks;
import dev.routecert.routes.IngressRouteView;
import dev.routecert.routes.IngressView;
import dev.routecert.routes.ObjectMetaView;
import dev.routecert.routes.RouteKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The policy core: given an admission request for an IngressRoute (either Traefik API group) or an
 * Ingress, decide whether to admit it, how to default it, and which Certificates it needs.
 *
 * <p>Pure: no I/O, no clock, no client. Mutation works on a copy of the raw JSON tree and the patch
 * holds one operation per defaulted field, so unknown fields are never touched; the verdict is computed on the
 * mutated object, so the planned Certificate already uses the defaulted secret name.
 */
public final class RoutePolicy {

    private final PolicyConfig config;
    private final ScopeSettings scope;
    private final ScopeFacts facts;
    private final NamespaceRules.Source rules;

    /** Every object in scope, opting out allowed, every check by nature, no cluster facts. */
    public RoutePolicy(PolicyConfig config) {
        this(config, ScopeSettings.everything(), ScopeFacts.NONE, NamespaceRules.Source.DEFAULT);
    }

    /** {@code enforcement} gives each namespace's modes; opting out is allowed everywhere. */
    public RoutePolicy(PolicyConfig config, EnforcementSource enforcement) {
        this(config, ScopeSettings.everything(), ScopeFacts.NONE, (NamespaceRules.Source)
                namespace -> new NamespaceRules(enforcement.forNamespace(namespace), true));
    }

    /** {@code optOut} decides where {@code routecert.dev/ignore} is honoured; every check acts by nature. */
    public RoutePolicy(PolicyConfig config, ScopeSettings scope, ScopeFacts facts, OptOutPolicy optOut) {
        this(config, scope, facts, (NamespaceRules.Source)
                namespace -> new NamespaceRules(Enforcement.DEFAULT, optOut.allowed(namespace)));
    }

    /**
     * @param facts the IngressClasses and Middlewares, read at each evaluation (a cache)
     * @param rules each namespace's modes and opt-out, resolved once per evaluation
     */
    public RoutePolicy(PolicyConfig config, ScopeSettings scope, ScopeFacts facts, NamespaceRules.Source rules) {
        this.config = Objects.requireNonNull(config, "config");
        this.scope = Objects.requireNonNull(scope, "scope");
        this.facts = Objects.requireNonNull(facts, "facts");
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /**
     * This policy with each namespace's allow-lists (domains, issuers, Certificate contents) from
     * {@code tenancy} instead of its rules' own, asked in the same resolution as the modes and the
     * opt-out; for callers whose policy comes from elsewhere than a policy file ({@code check}, tests).
     */
    public RoutePolicy withTenancy(Function<String, NamespacePolicy> tenancy) {
        return new RoutePolicy(config, scope, facts, (NamespaceRules.Source) namespace -> {
            NamespaceRules base = rules.rules(namespace);
            return new NamespaceRules(base.enforcement(), base.optOutAllowed(), tenancy.apply(namespace));
        });
    }

    public PolicyConfig config() {
        return config;
    }

    /** Where each namespace's modes and opt-out come from. */
    public NamespaceRules.Source rules() {
        return rules;
    }

    public ScopeSettings scope() {
        return scope;
    }

    /** The verdict; a skipped object (out of scope or opted out) is allowed untouched. */
    public Verdict evaluate(PolicyRequest request) {
        return judge(request).verdict();
    }

    /** The verdict under the given modes, whatever the namespace's would be; opting out allowed. */
    public Verdict evaluate(PolicyRequest request, Enforcement modes) {
        return judge(request, new NamespaceRules(modes, true)).verdict();
    }

    /** The verdict under the namespace's rules, and whether scope or the opt-out skipped the object. */
    public ScopedVerdict judge(PolicyRequest request) {
        return judge(request, rules.rules(namespaceOf(request)));
    }

    /** The verdict under {@code namespaceRules}, resolved once by the caller for this one evaluation. */
    public ScopedVerdict judge(PolicyRequest request, NamespaceRules namespaceRules) {
        Enforcement modes = namespaceRules.enforcement();
        OptOutPolicy optOut = namespace -> namespaceRules.optOutAllowed();
        Optional<RouteKind> kind = RouteKind.of(request.group(), request.version(), request.kind());
        if (kind.isEmpty()) {
            return checked(Verdict.allow());
        }
        String op = request.operation();
        if (!"CREATE".equals(op) && !"UPDATE".equals(op)) {
            return checked(Verdict.allow());
        }
        JsonNode object = request.object();
        if (object == null || !object.isObject()) {
            return checked(new Verdict(
                    List.of(Violation.required(
                            Check.OBJECT_SHAPE,
                            "object",
                            "the request carries no object to check",
                            "send the object in request.object")),
                    List.of(),
                    null,
                    List.of(),
                    List.of()));
        }
        String namespace = namespaceOf(request);
        ObjectMetaView meta = ObjectMetaView.of(object);
        JsonNode className = object.path("spec").path("ingressClassName");
        ScopeDecision inScope =
                Scope.decide(kind.get(), meta, className.isTextual() ? className.asText() : null, scope, facts);
        if (!inScope.inScope()) {
            return new ScopedVerdict(ScopedVerdict.Status.OUT_OF_SCOPE, inScope.why(), Verdict.allow());
        }
        NamespacePolicy namespacePolicy = namespaceRules.tenancyOr(namespace);
        OptOut.Decision opt = OptOut.decide(meta, namespace, optOut);
        if (opt == OptOut.Decision.SKIPPED) {
            // the opt-out skips the checks a team may waive for itself, never those that keep tenants apart
            Verdict all = evaluateInScope(kind.get(), request, object, namespace, modes, namespacePolicy);
            List<Violation> isolation =
                    all.violations().stream().filter(v -> v.check().isolation()).toList();
            return new ScopedVerdict(
                    ScopedVerdict.Status.OPTED_OUT,
                    OptOut.ANNOTATION + " is \"true\"",
                    isolation.isEmpty()
                            ? Verdict.allow()
                            : new Verdict(isolation, List.of(), null, List.of(), List.of()));
        }
        Verdict verdict = evaluateInScope(kind.get(), request, object, namespace, modes, namespacePolicy);
        Optional<String> warning = OptOut.warning(opt, meta, namespace);
        if (warning.isPresent()) {
            Check check = opt == OptOut.Decision.FORBIDDEN ? Check.OPT_OUT_FORBIDDEN : Check.IGNORE_ANNOTATION;
            List<String> warnings = new ArrayList<>();
            warnings.add(check.tag() + " " + warning.get());
            warnings.addAll(verdict.warnings());
            verdict = new Verdict(
                    verdict.violations(),
                    warnings,
                    verdict.patch(),
                    verdict.certificates(),
                    verdict.notes(),
                    verdict.warned(),
                    verdict.audit());
        }
        return checked(verdict);
    }

    private static ScopedVerdict checked(Verdict verdict) {
        return new ScopedVerdict(ScopedVerdict.Status.CHECKED, "", verdict);
    }

    /** The request's namespace, else the object's; null for a cluster-scoped object. */
    public static String namespaceOf(PolicyRequest request) {
        String namespace = request.namespace();
        if (namespace == null || namespace.isEmpty()) {
            JsonNode object = request.object();
            JsonNode ns = object == null ? null : object.path("metadata").path("namespace");
            namespace = ns != null && ns.isTextual() ? ns.asText() : null;
        }
        return namespace;
    }

    private Verdict evaluateInScope(
            RouteKind kind,
            PolicyRequest request,
            JsonNode object,
            String namespace,
            Enforcement modes,
            NamespacePolicy namespacePolicy) {
        String op = request.operation();
        if ("UPDATE".equals(op)
                && object.path("metadata").hasNonNull("deletionTimestamp")
                && !changesWhatIsChecked(request.oldObject(), object)) {
            // Removing finalizers is an UPDATE; denying it would make a once-admitted object undeletable.
            return Verdict.allow(
                    "the object is being deleted and neither its spec nor its certificate annotations changed;"
                            + " it is not checked again");
        }
        boolean hasTls = object.path("spec").has("tls");
        RequireTlsExemptions.Exemption exemption = config.requireTls()
                ? RequireTlsExemptions.of(kind, object, namespace, facts)
                : RequireTlsExemptions.Exemption.NONE;
        Evaluation first = evaluateOnce(kind, object, namespace, exemption, namespacePolicy);
        if (first.defaults.isEmpty() || first.findings.denied()) {
            return toVerdict(first, null, modes, hasTls);
        }
        ObjectNode mutated = (ObjectNode) shallowCopy(object);
        // the patch is written as the defaults are applied: a diff of the two trees compares arrays
        // by longest common subsequence, quadratic in the number of TLS entries
        ArrayNode patch = JsonNodeFactory.instance.arrayNode();
        for (Evaluation.SecretNameDefault d : first.defaults) {
            JsonNode target = writable(mutated, object, JsonPointer.compile(d.pointer()));
            if (target instanceof ObjectNode o) {
                patch.addObject()
                        .put("op", o.has("secretName") ? "replace" : "add")
                        .put("path", d.pointer() + "/secretName")
                        .put("value", d.secretName());
                o.put("secretName", d.secretName());
            }
        }
        Evaluation second = evaluateOnce(kind, mutated, namespace, exemption, namespacePolicy);
        // what the first pass found out before defaulting (why a default TLSStore did not cover it) stays said
        first.findings.notes().forEach(second.findings::note);
        return toVerdict(second, second.findings.denied() ? null : patch, modes, hasTls);
    }

    /**
     * True when {@code updated} differs from {@code old} in what the checks read: the spec, or an
     * annotation of cert-manager, ACME or routecert. Without an old object nothing is known to have
     * changed, and an object being deleted is let go as before.
     */
    static boolean changesWhatIsChecked(JsonNode old, JsonNode updated) {
        if (old == null || !old.isObject()) {
            return false;
        }
        if (!old.path("spec").equals(updated.path("spec"))) {
            return true;
        }
        JsonNode before = old.path("metadata").path("annotations");
        JsonNode after = updated.path("metadata").path("annotations");
        return changedCheckedAnnotation(before, after) || changedCheckedAnnotation(after, before);
    }

    /** True when an annotation the checks read is in {@code a} with a value {@code b} does not have. */
    private static boolean changedCheckedAnnotation(JsonNode a, JsonNode b) {
        for (var it = a.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (isCheckedAnnotation(key) && !a.get(key).equals(b.get(key))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isCheckedAnnotation(String key) {
        return key.startsWith("cert-manager.io/")
                || key.startsWith("acme.cert-manager.io/")
                || key.startsWith("routecert.dev/")
                || key.equals("kubernetes.io/tls-acme")
                || key.startsWith(IngressView.TRAEFIK_ANNOTATION_PREFIX + "router.");
    }

    /**
     * The node at {@code pointer} in {@code copy}, a copy of {@code original} that shares the subtrees
     * it has not written: the containers on the way down that are still shared are replaced by
     * shallow copies first, so writing into the result never touches {@code original}. A default
     * changes one field of a large object; copying only its path keeps the rest of the tree shared
     * (and cheap to copy). Null when there is no node at {@code pointer}.
     */
    private static JsonNode writable(ObjectNode copy, JsonNode original, JsonPointer pointer) {
        JsonNode node = copy;
        JsonNode shared = original; // the node of original at the same place, while node still mirrors it
        for (JsonPointer step = pointer; !step.matches(); step = step.tail()) {
            JsonNode child = child(node, step);
            JsonNode sharedChild = shared == null ? null : child(shared, step);
            if (child == null) {
                return null;
            }
            if (child == sharedChild && child.isContainerNode()) {
                child = shallowCopy(child);
                if (node instanceof ObjectNode o) {
                    o.set(step.getMatchingProperty(), child);
                } else {
                    ((ArrayNode) node).set(step.getMatchingIndex(), child);
                }
            }
            node = child;
            shared = sharedChild;
        }
        return node;
    }

    /** A new object or array holding the same children. */
    private static JsonNode shallowCopy(JsonNode container) {
        if (container instanceof ObjectNode o) {
            return o.objectNode().setAll(o);
        }
        ArrayNode a = (ArrayNode) container;
        return a.arrayNode().addAll(a);
    }

    /** One step down, as {@link JsonNode#at} takes it. */
    private static JsonNode child(JsonNode node, JsonPointer step) {
        return node.isArray() ? node.get(step.getMatchingIndex()) : node.get(step.getMatchingProperty());
    }

    private Evaluation evaluateOnce(
            RouteKind kind,
            JsonNode object,
            String namespace,
            RequireTlsExemptions.Exemption exemption,
            NamespacePolicy namespacePolicy) {
        Evaluation e = switch (kind.shape()) {
            case INGRESS ->
                IngressValidator.evaluate(IngressView.of(object), namespace, config, exemption, facts.tlsObjects());
            case INGRESS_ROUTE, INGRESS_ROUTE_TCP ->
                IngressRouteValidator.evaluate(
                        IngressRouteView.of(kind, object), namespace, config, exemption, facts.tlsObjects());
        };
        // tenancy findings never mark the route broken, so they are judged alongside the others
        e.findings.findings.addAll(TenancyChecks.check(
                namespacePolicy, config, ObjectMetaView.of(object).annotations(), e.names, e.certificates));
        return e;
    }

    /**
     * The findings sorted by the namespace's modes. A route broken by nature gets neither patch nor
     * Certificate even when its modes admit it; in warn mode the answer says so.
     */
    private static Verdict toVerdict(Evaluation e, JsonNode patch, Enforcement modes, boolean hasTls) {
        Findings f = e.findings;
        Enforcement.Enforced sorted = modes.apply(f.findings);
        boolean denied = !sorted.deny().isEmpty();
        boolean broken = f.denied();
        List<String> notices = new ArrayList<>();
        List<String> notes = new ArrayList<>(f.notes());
        if (broken && !denied && hasTls) {
            String why = "no Certificate planned: this object has problems that routecert denies by default,"
                    + " and a route that is broken never gets a Certificate; fix them to get one";
            if (sorted.warn().stream().anyMatch(v -> v.check().blocksCertificate())) {
                notices.add(Check.NO_CERTIFICATE.tag() + " " + why);
            } else {
                notes.add(why);
            }
        }
        List<PlannedCertificate> certificates = broken || denied ? List.of() : e.certificates;
        return new Verdict(
                sorted.deny(),
                Findings.warningTexts(sorted.warn(), notices),
                denied ? null : patch,
                certificates,
                notes,
                sorted.warn(),
                sorted.audit());
    }
}
