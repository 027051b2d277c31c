package dev.routecert.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.certificates.CertificatePlanner;
import dev.routecert.certificates.CertificatePlanner.Create;
import dev.routecert.certificates.CertificatePlanner.Decision;
import dev.routecert.certificates.CertificatePlanner.Deny;
import dev.routecert.certificates.CertificatePlanner.Outcome;
import dev.routecert.certificates.CertificatePlanner.Update;
import dev.routecert.certificates.CertificateStore;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.ExistingCertificate;
import dev.routecert.certificates.Ownership;
import dev.routecert.certificates.Predecessors;
import dev.routecert.certificates.RouteRef;
import dev.routecert.certificates.SecretState;
import dev.routecert.certificates.StoreException;
import dev.routecert.config.CertificateOptions;
import dev.routecert.log.Log;
import dev.routecert.policy.Check;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.Violation;
import dev.routecert.tenancy.HostOwnership;
import dev.routecert.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /mutate} with Certificates: the policy's verdict, then for each planned Certificate the
 * ownership, reuse and issuer checks of {@link CertificatePlanner}, then the writes, all within
 * {@code --certificate-write-timeout}. The answer comes only after the API server has answered.
 *
 * <p>Nothing half-done: when a write fails, the Certificates this review created are deleted again
 * (best effort in the time left) and the route is denied; anything a timeout left behind has no
 * route and the reconciler deletes it after the orphan grace period. With
 * {@code --certificate-write-failure=warn} the route is admitted with a warning instead and the
 * reconciler creates the Certificate later. A dry run decides the same and writes nothing.
 */
public final class CertificateAdmission implements AdmissionPolicy {

    private static final Log log = Log.of(CertificateAdmission.class);
    /** One fresh read and a second decision when the cache was behind; more would race with the deadline. */
    private static final int ATTEMPTS = 2;

    private final RoutePolicy policy;
    private final CertificateStore store;
    private final CertificateOptions options;
    private final Clock clock;
    private final PolicyFindings findings;
    private final HostOwnership ownership;
    /** Null: no health warnings. */
    private final HealthWarnings health;

    private final Predecessors predecessors;

    public CertificateAdmission(RoutePolicy policy, CertificateStore store, CertificateOptions options) {
        this(policy, store, options, Clock.system());
    }

    /** {@code clock} times the writes' deadline and stamps what is written ahead of a route update. */
    public CertificateAdmission(RoutePolicy policy, CertificateStore store, CertificateOptions options, Clock clock) {
        this(policy, store, options, clock, PolicyFindings.NONE, null, null, Predecessors.DEFAULT);
    }

    private CertificateAdmission(
            RoutePolicy policy,
            CertificateStore store,
            CertificateOptions options,
            Clock clock,
            PolicyFindings findings,
            HostOwnership ownership,
            HealthWarnings health,
            Predecessors predecessors) {
        this.health = health;
        this.predecessors = predecessors;
        this.policy = policy;
        this.store = store;
        this.options = options;
        this.clock = clock;
        this.findings = findings;
        this.ownership = ownership;
    }

    /** This admission, recording what it finds in {@code findings}. */
    public CertificateAdmission withFindings(PolicyFindings findings) {
        return new CertificateAdmission(policy, store, options, clock, findings, ownership, health, predecessors);
    }

    /** This admission, taking over the Certificates these predecessors made for a route ({@code --adopt-from}). */
    public CertificateAdmission withPredecessors(Predecessors predecessors) {
        return new CertificateAdmission(policy, store, options, clock, findings, ownership, health, predecessors);
    }

    /** This admission, adding the health warnings of the certificates each route serves. */
    public CertificateAdmission withHealth(HealthWarnings health) {
        return new CertificateAdmission(policy, store, options, clock, findings, ownership, health, predecessors);
    }

    /**
     * This admission with host ownership: the names a route serves are claimed for its namespace
     * before any Certificate is written, in the same deadline, and released again when the review is
     * denied.
     */
    public CertificateAdmission withOwnership(HostOwnership ownership) {
        return new CertificateAdmission(policy, store, options, clock, findings, ownership, health, predecessors);
    }

    @Override
    public AdmissionDecision review(AdmissionRequest request) {
        ScopedVerdict judged = RouteAdmission.judge(policy, request, policy.rules());
        if (judged.outOfScope()) {
            return RouteAdmission.skipped(request, judged); // no Certificate: nothing is planned for it
        }
        Verdict verdict = judged.verdict();
        findings.record(request, verdict.violations(), verdict.warned(), verdict.audit());
        if (!verdict.allowed()) {
            return RouteAdmission.denial(verdict, RouteAdmission.Mode.MUTATE);
        }
        List<String> warnings = new ArrayList<>(verdict.warnings());
        Deadline deadline = Deadline.in(options.writeTimeout(), clock);
        RouteRef route = route(request);
        HostOwnership.Outcome claims = claim(
                request, route, request.dryRun() ? HostOwnership.Mode.DRY_RUN : HostOwnership.Mode.CLAIM, deadline);
        if (!claims.allowed()) {
            return Denials.denied(claims.conflicts(), warnings);
        }
        if (judged.skipped()) {
            // opted out: its host names are claimed like any route's, and nothing else is done for it
            return RouteAdmission.skipped(request, judged);
        }
        warnings.addAll(claims.notices());
        if (verdict.certificates().isEmpty()) {
            warnings.addAll(health(request, Set.of(), deadline));
            return AdmissionDecision.patched(verdict.patch(), warnings);
        }
        JsonNode object = request.object();
        String uid = "UPDATE".equals(request.operation())
                ? object.path("metadata").path("uid").asText(null)
                : null;

        List<Planned> planned = new ArrayList<>();
        List<Violation> violations = new ArrayList<>();
        for (PlannedCertificate planned0 : verdict.certificates()) {
            Outcome outcome;
            PlannedCertificate plan = planned0;
            try {
                Predecessors.Found found = predecessors.find(
                        planned0, route, uid, name -> store.cachedCertificate(planned0.namespace(), name));
                plan = found.plan();
                outcome = decide(plan, route, uid, object, found.existing());
            } catch (RuntimeException | StackOverflowError e) {
                log.error(
                        "certificate checks failed on uid={} object={} Certificate {}/{}, denied",
                        request.uid(),
                        request.objectRef(),
                        plan.namespace(),
                        plan.name(),
                        e);
                violations.add(RouteAdmission.checkFailed(secretField(route, object, plan.secretName()), e));
                continue;
            }
            warnings.addAll(outcome.warnings());
            if (outcome.decision() instanceof Deny deny) {
                violations.add(deny.violation());
            }
            planned.add(new Planned(plan, outcome.decision()));
        }
        if (!violations.isEmpty()) {
            findings.record(request, violations, List.of(), List.of());
            releaseClaims(claims, deadline);
            return Denials.denied(violations, warnings);
        }
        Set<String> requested = new HashSet<>();
        for (Planned p : planned) {
            if (p.decision instanceof Create || p.decision instanceof Update) {
                requested.add(p.plan.secretName());
            }
        }
        if (request.dryRun()) {
            warnings.addAll(health(request, requested, deadline));
            for (Planned p : planned) {
                if (p.decision instanceof Create c) {
                    warnings.add(Check.DRY_RUN.tag() + " dry run: routecert would create "
                            + CertificatePlanner.describe(c.certificate()));
                } else if (p.decision instanceof Update u) {
                    warnings.add(Check.DRY_RUN.tag() + " dry run: routecert would update "
                            + CertificatePlanner.describe(u.certificate()));
                }
            }
            return AdmissionDecision.patched(verdict.patch(), warnings);
        }
        AdmissionDecision written = write(request, route, uid, planned, verdict, warnings, deadline);
        if (!written.allowed()) {
            releaseClaims(claims, deadline);
            return written;
        }
        // after the writes, in what is left of their deadline: reading health never costs a write its time
        List<String> health = health(request, requested, deadline);
        if (health.isEmpty()) {
            return written;
        }
        List<String> all = new ArrayList<>(written.warnings());
        all.addAll(health);
        return new AdmissionDecision(true, written.status(), all, written.patch());
    }

    private List<String> health(AdmissionRequest request, Set<String> requested, Deadline deadline) {
        if (health == null) {
            return List.of();
        }
        try {
            return health.warnings(request, requested, deadline);
        } catch (RuntimeException e) {
            log.warn("health uid={} object={}: not assessed: {}", request.uid(), request.objectRef(), e.toString());
            return List.of();
        }
    }

    /** The host ownership check of {@link RouteAdmission#claims}, here allowed to write. */
    private HostOwnership.Outcome claim(
            AdmissionRequest request, RouteRef route, HostOwnership.Mode mode, Deadline deadline) {
        return RouteAdmission.claims(ownership, request, route, mode, deadline);
    }

    private void releaseClaims(HostOwnership.Outcome claims, Deadline deadline) {
        if (ownership != null && !claims.created().isEmpty()) {
            ownership.rollBack(claims.created(), deadline);
        }
    }

    private record Planned(PlannedCertificate plan, Decision decision) {}

    private Outcome decide(
            PlannedCertificate plan,
            RouteRef route,
            String uid,
            JsonNode object,
            Optional<ExistingCertificate> existing) {
        return CertificatePlanner.decide(
                plan,
                route,
                uid,
                existing,
                store::cachedIssuer,
                secretField(route, object, plan.secretName()),
                issuerField(object),
                predecessors);
    }

    private AdmissionDecision write(
            AdmissionRequest request,
            RouteRef route,
            String uid,
            List<Planned> planned,
            Verdict verdict,
            List<String> warnings,
            Deadline deadline) {
        long started = clock.nanoTime();
        String aheadOf = "UPDATE".equals(request.operation())
                ? request.object().path("metadata").path("resourceVersion").asText("")
                : "";
        List<ExistingCertificate> created = new ArrayList<>();
        for (Planned p : planned) {
            try {
                Optional<Violation> denial =
                        execute(p, route, uid, request.object(), aheadOf, deadline, created, warnings);
                if (denial.isPresent()) {
                    rollBack(created, deadline);
                    return Denials.denied(List.of(denial.get()), warnings);
                }
            } catch (StoreException e) {
                log.warn(
                        "certificate uid={} object={} Certificate {}/{}: {} after {} ms",
                        request.uid(),
                        request.objectRef(),
                        p.plan.namespace(),
                        p.plan.name(),
                        e.getMessage(),
                        millisSince(started));
                if (options.writeFailure() == CertificateOptions.WriteFailure.WARN) {
                    warnings.add(Check.CERTIFICATE_WRITE.tag()
                            + " routecert admitted this object without its Certificate " + p.plan.namespace() + "/"
                            + p.plan.name() + " (" + e.getMessage() + "); routecert's reconciler retries it");
                    continue;
                }
                rollBack(created, deadline);
                String message = "routecert could not write the Certificate this object needs, so nothing was changed: "
                        + e.getMessage();
                Violation failure = Violation.internal(
                        Check.CERTIFICATE_WRITE,
                        secretField(route, request.object(), p.plan.secretName()),
                        e.getMessage(),
                        "apply again once the API server answers; if it refused the Certificate, change what it names");
                return AdmissionDecision.denied(message, Denials.causes(List.of(failure)), warnings);
            }
        }
        return AdmissionDecision.patched(verdict.patch(), warnings);
    }

    /** Carries out one decision; a fresh read and a second decision when the cache was behind. */
    private Optional<Violation> execute(
            Planned p,
            RouteRef route,
            String uid,
            JsonNode object,
            String aheadOf,
            Deadline deadline,
            List<ExistingCertificate> created,
            List<String> warnings)
            throws StoreException {
        Decision decision = p.decision;
        for (int attempt = 1; ; attempt++) {
            long t = clock.nanoTime();
            try {
                if (decision instanceof Create c) {
                    SecretState secret = store.readSecret(p.plan.namespace(), p.plan.secretName(), deadline);
                    if (!secret.writableFor(p.plan.name())) {
                        warnings.add(secretWarning(p.plan, secret));
                        return Optional.empty();
                    }
                    ExistingCertificate result = store.create(markAhead(c.certificate(), aheadOf), deadline);
                    created.add(result);
                    log.info("certificate created {} for {} in {} ms", result.ref(), route, millisSince(t));
                } else if (decision instanceof Update u) {
                    ExistingCertificate result = store.apply(
                            markAhead(u.certificate(), aheadOf), u.existing().resourceVersion(), deadline);
                    log.info(
                            "certificate applied {} for {} in {} ms (resourceVersion {} -> {})",
                            result.ref(),
                            route,
                            millisSince(t),
                            u.existing().resourceVersion(),
                            result.resourceVersion());
                } else if (decision instanceof Deny deny) {
                    return Optional.of(deny.violation());
                }
                return Optional.empty();
            } catch (StoreException e) {
                boolean stale =
                        e.kind() == StoreException.Kind.ALREADY_EXISTS || e.kind() == StoreException.Kind.CONFLICT;
                if (!stale || attempt >= ATTEMPTS) {
                    throw e;
                }
                Optional<ExistingCertificate> fresh =
                        store.readCertificate(p.plan.namespace(), p.plan.name(), deadline);
                Outcome outcome = decide(p.plan, route, uid, object, fresh);
                warnings.addAll(outcome.warnings());
                decision = outcome.decision();
            }
        }
    }

    /**
     * On an UPDATE the Certificate is written before the route's new version is stored: marks it so
     * that the reconciler, whose cache still shows the old route, does not revert it meanwhile.
     */
    private ObjectNode markAhead(ObjectNode certificate, String aheadOf) {
        if (aheadOf.isEmpty()) {
            return certificate;
        }
        ObjectNode marked = certificate.deepCopy();
        ((ObjectNode) marked.path("metadata").path("annotations"))
                .put(Ownership.WRITTEN_AHEAD_ANNOTATION, aheadOf + " " + clock.instant());
        return marked;
    }

    /** Deletes what this review created; what cannot be deleted in time is left to the orphan collection. */
    private void rollBack(List<ExistingCertificate> created, Deadline deadline) {
        for (ExistingCertificate c : created) {
            try {
                store.delete(c.namespace(), c.name(), c.uid(), deadline);
                log.info("certificate {} deleted again: the review that created it was denied", c.ref());
            } catch (StoreException e) {
                log.warn("certificate {} left for the reconciler's orphan collection: {}", c.ref(), e.getMessage());
            }
        }
    }

    static String secretWarning(PlannedCertificate plan, SecretState secret) {
        String holder = secret.certificateName() == null
                ? "was not written by cert-manager"
                : "belongs to cert-manager's Certificate " + secret.certificateName();
        return Check.SECRET_EXISTS.tag() + " routecert did not create Certificate " + plan.namespace() + "/"
                + plan.name() + ": Secret "
                + plan.secretName() + " already exists and " + holder
                + ", and a Certificate would make cert-manager replace its"
                + " key and certificate; the route uses the Secret as it is (to hand it to cert-manager, delete the Secret)";
    }

    /** The route this request is about; a generateName route is named by its prefix plus {@code *} until it has a name. */
    static RouteRef route(AdmissionRequest request) {
        String name = request.name();
        if (name.isEmpty() && request.object() != null) {
            name = request.object().path("metadata").path("generateName").asText("") + "*";
        }
        return new RouteRef(request.group(), request.kind(), request.namespace(), name);
    }

    /** Where the route names the secret: {@code spec.tls.secretName}, or {@code spec.tls[i].secretName} on an Ingress. */
    public static String secretField(RouteRef route, JsonNode object, String secretName) {
        JsonNode tls = object == null ? null : object.path("spec").path("tls");
        if (tls != null && tls.isArray()) {
            for (int i = 0; i < tls.size(); i++) {
                if (secretName.equals(tls.get(i).path("secretName").asText(null))) {
                    return "spec.tls[" + i + "].secretName";
                }
            }
            return "spec.tls";
        }
        return "spec.tls.secretName";
    }

    public static String issuerField(JsonNode object) {
        JsonNode annotations = object == null ? null : object.path("metadata").path("annotations");
        for (String key : List.of("cert-manager.io/cluster-issuer", "cert-manager.io/issuer")) {
            if (annotations != null && annotations.hasNonNull(key)) {
                return "metadata.annotations[" + key + "]";
            }
        }
        return "metadata.annotations";
    }

    private long millisSince(long nanos) {
        return (clock.nanoTime() - nanos) / 1_000_000;
    }
}
