package dev.routecert.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.StoreException;
import dev.routecert.config.CertificateOptions;
import dev.routecert.config.DnsOptions;
import dev.routecert.dns.DnsEndpointStore;
import dev.routecert.dns.DnsMetrics;
import dev.routecert.dns.DnsTargetSource;
import dev.routecert.log.Log;
import dev.routecert.policy.Check;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Violation;
import dev.routecert.policy.dns.DnsEndpointOwnership;
import dev.routecert.policy.dns.DnsEndpointOwnership.Decision;
import dev.routecert.policy.dns.DnsEndpointOwnership.Foreign;
import dev.routecert.policy.dns.DnsEndpointOwnership.Write;
import dev.routecert.policy.dns.DnsPlan;
import dev.routecert.policy.dns.DnsPlanner;
import dev.routecert.routes.RouteKind;
import dev.routecert.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code /mutate} with DNSEndpoints, around the admission that writes Certificates: a covered route's
 * DNSEndpoint is planned first (a bad external-dns annotation denies before anything is written),
 * then the inner admission decides and writes, then the DNSEndpoint is written in what is left of
 * the same {@code --certificate-write-timeout}, so that {@code kubectl apply} returns with the record
 * requested. A dry run shows the record in a warning and writes nothing. A failed write denies or
 * warns as {@code --certificate-write-failure} says; a Certificate the inner admission created for a
 * route denied here has no route, and the reconciler's orphan collection deletes it.
 */
public final class DnsEndpointAdmission implements AdmissionPolicy {

    private static final Log log = Log.of(DnsEndpointAdmission.class);
    private static final int ATTEMPTS = 2;

    private final AdmissionPolicy inner;
    private final RoutePolicy policy;
    private final RuleSyntax defaultSyntax;
    private final DnsEndpointStore store;
    private final DnsTargetSource targets;
    private final DnsOptions dns;
    private final List<String> adoptFrom;
    private final CertificateOptions options;
    private final Clock clock;
    private final DnsMetrics metrics;

    public DnsEndpointAdmission(
            AdmissionPolicy inner,
            RoutePolicy policy,
            RuleSyntax defaultSyntax,
            DnsEndpointStore store,
            DnsTargetSource targets,
            DnsOptions dns,
            List<String> adoptFrom,
            CertificateOptions options,
            Clock clock,
            DnsMetrics metrics) {
        this.inner = inner;
        this.policy = policy;
        this.defaultSyntax = defaultSyntax;
        this.store = store;
        this.targets = targets;
        this.dns = dns;
        this.adoptFrom = List.copyOf(adoptFrom);
        this.options = options;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public AdmissionDecision review(AdmissionRequest request) throws Exception {
        Deadline deadline = Deadline.in(options.writeTimeout(), clock);
        Optional<RouteKind> kind = RouteKind.of(request.group(), request.version(), request.kind());
        if (kind.isEmpty()
                || !dns.covers(kind.get())
                || request.object() == null
                || "DELETE".equals(request.operation())
                || request.name().isEmpty()) {
            return inner.review(request);
        }
        ScopedVerdict judged = RouteAdmission.judge(policy, request, policy.rules());
        if (judged.outOfScope() || judged.skipped() || !judged.verdict().allowed()) {
            return inner.review(request);
        }
        DnsPlan plan = DnsPlanner.plan(
                kind.get(),
                request.object(),
                defaultSyntax,
                targets.targets(),
                targets.describe(),
                dns.ttl().toSeconds());
        if (!plan.allowed()) {
            return Denials.denied(plan.violations(), List.of());
        }
        AdmissionDecision decision = inner.review(request);
        if (!decision.allowed()) {
            return decision;
        }
        List<String> warnings = new ArrayList<>(decision.warnings());
        warnings.addAll(plan.warnings());
        String uid = "UPDATE".equals(request.operation())
                ? request.object().path("metadata").path("uid").asText(null)
                : null;
        DnsEndpointOwnership.Route route = new DnsEndpointOwnership.Route(
                kind.get().apiVersion(), kind.get().group(), kind.get().kind(), request.name(), uid);
        try {
            Optional<String> failure = write(request, plan, route, warnings, deadline);
            if (failure.isEmpty()) {
                return new AdmissionDecision(true, decision.status(), warnings, decision.patch());
            }
            return failed(request, plan, decision, warnings, failure.get());
        } catch (StoreException e) {
            return failed(request, plan, decision, warnings, e.getMessage());
        } catch (RuntimeException e) {
            log.error("dnsendpoint uid={} object={}: failed", request.uid(), request.objectRef(), e);
            return failed(request, plan, decision, warnings, e.toString());
        }
    }

    /** Empty when done (or nothing to do); else why it could not be written. */
    private Optional<String> write(
            AdmissionRequest request,
            DnsPlan plan,
            DnsEndpointOwnership.Route route,
            List<String> warnings,
            Deadline deadline)
            throws StoreException {
        for (int attempt = 1; ; attempt++) {
            Optional<JsonNode> planned = store.read(plan.namespace(), plan.name(), deadline);
            // named after the route: a predecessor's, or one routecert took over (whatever --adopt-from says now)
            Optional<JsonNode> predecessor = route.name().equals(plan.name())
                    ? Optional.empty()
                    : store.read(plan.namespace(), route.name(), deadline);
            Decision decision = DnsEndpointOwnership.decide(plan, route, planned, predecessor, adoptFrom);
            if (decision instanceof Foreign foreign) {
                warnings.add(foreign.warning());
                return Optional.empty();
            }
            if (!(decision instanceof Write write)) {
                return Optional.empty(); // unchanged, or nothing planned and nothing there
            }
            String operation = write.resourceVersion() == null ? "create" : write.takenOver() ? "adopt" : "update";
            if (request.dryRun()) {
                warnings.add(
                        Check.DRY_RUN.tag() + " dry run: routecert would " + operation + " " + describe(plan, write));
                return Optional.empty();
            }
            long started = clock.nanoTime();
            try {
                if (write.resourceVersion() == null) {
                    store.create(write.object(), deadline);
                } else {
                    store.apply(write.object(), write.resourceVersion(), deadline);
                }
                metrics.write(operation, "success");
                log.info(
                        "dnsendpoint {} {}/{} for uid={} object={} in {} ms",
                        operation,
                        plan.namespace(),
                        write.name(),
                        request.uid(),
                        request.objectRef(),
                        (clock.nanoTime() - started) / 1_000_000);
                if (write.takenOver()) {
                    warnings.add("routecert took over DNSEndpoint " + plan.namespace() + "/" + write.name()
                            + " from its predecessor; it keeps its name and records");
                }
                return Optional.empty();
            } catch (StoreException e) {
                boolean stale =
                        e.kind() == StoreException.Kind.ALREADY_EXISTS || e.kind() == StoreException.Kind.CONFLICT;
                if (!stale || attempt >= ATTEMPTS) {
                    metrics.write(operation, e.kind().name().toLowerCase(Locale.ROOT));
                    return Optional.of(e.getMessage());
                }
            }
        }
    }

    private static String describe(DnsPlan plan, Write write) {
        String text = plan.describe();
        return write.name().equals(plan.name())
                ? text
                : text.replace(plan.namespace() + "/" + plan.name(), plan.namespace() + "/" + write.name());
    }

    private AdmissionDecision failed(
            AdmissionRequest request, DnsPlan plan, AdmissionDecision decision, List<String> warnings, String why) {
        log.warn(
                "dnsendpoint uid={} object={} DNSEndpoint {}/{}: {}",
                request.uid(),
                request.objectRef(),
                plan.namespace(),
                plan.name(),
                why);
        if (options.writeFailure() == CertificateOptions.WriteFailure.WARN) {
            warnings.add(Check.DNS_ENDPOINT_WRITE.tag() + " routecert admitted this object without its DNSEndpoint "
                    + plan.namespace() + "/" + plan.name() + " (" + why + "); routecert's reconciler retries it");
            return new AdmissionDecision(true, decision.status(), warnings, decision.patch());
        }
        Violation violation = Violation.internal(
                Check.DNS_ENDPOINT_WRITE,
                "metadata.name",
                why,
                "apply again once the API server answers; if it refused the DNSEndpoint, change what it names");
        return AdmissionDecision.denied(
                "routecert could not write the DNSEndpoint this object needs: " + why,
                Denials.causes(List.of(violation)),
                warnings);
    }
}
