package dev.routecert.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.HealthFacts;
import dev.routecert.certificates.SecretState;
import dev.routecert.certificates.StoreException;
import dev.routecert.log.Log;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.health.CertificateHealth;
import dev.routecert.policy.health.CertificateStatus;
import dev.routecert.policy.health.HealthFinding;
import dev.routecert.policy.health.SecretMetadata;
import dev.routecert.policy.health.TlsSecretUse;
import dev.routecert.routes.RouteKind;
import dev.routecert.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The certificate health warnings of one admitted route: reads the Certificates that write its
 * Secrets from the cache and each Secret's metadata from the API server (routecert may only get
 * Secrets, never list or watch them), then asks {@link CertificateHealth}. A fact that cannot be read
 * in time is left out: health never denies and never delays the answer past the deadline.
 */
public final class HealthWarnings {

    private static final Log log = Log.of(HealthWarnings.class);

    /** At most this many Secrets are read per review; an Ingress with more TLS entries is judged on the first ones. */
    static final int MAX_SECRET_READS = 16;

    private final HealthFacts store;
    private final Clock clock;
    private final Duration window;
    private final RuleSyntax defaultSyntax;

    /** @param store admission's {@link dev.routecert.certificates.CertificateStore}, or any read-only source of the facts */
    public HealthWarnings(HealthFacts store, Clock clock, Duration window, RuleSyntax defaultSyntax) {
        this.store = store;
        this.clock = clock;
        this.window = window;
        this.defaultSyntax = defaultSyntax;
    }

    /**
     * @param requested the Secrets whose Certificate routecert writes (or, in a dry run, would write) in
     *                  this request: requested, so nothing is said of their Certificate's current state
     */
    public List<String> warnings(AdmissionRequest request, Set<String> requested, Deadline deadline) {
        Optional<RouteKind> kind = RouteKind.of(request.group(), request.kind());
        JsonNode object = request.object();
        if (kind.isEmpty() || object == null || "DELETE".equals(request.operation())) {
            return List.of();
        }
        String namespace = request.namespace();
        List<TlsSecretUse> uses = TlsSecretUse.of(kind.get(), object, defaultSyntax);
        Map<String, CertificateStatus> certificates = new HashMap<>();
        Map<String, SecretMetadata> secrets = new HashMap<>();
        int reads = 0;
        for (TlsSecretUse use : uses) {
            if (requested.contains(use.secretName())) {
                continue;
            }
            store.cachedCertificatesWriting(namespace, use.secretName()).stream()
                    .findFirst()
                    .map(CertificateStatus::from)
                    .ifPresent(c -> certificates.put(use.secretName(), c));
            if (reads++ < MAX_SECRET_READS) {
                SecretMetadata secret = secret(request, namespace, use.secretName(), deadline);
                secrets.put(use.secretName(), secret);
                if (secret == SecretMetadata.ABSENT
                        && !certificates.containsKey(use.secretName())
                        && reads++ < MAX_SECRET_READS) {
                    // a Certificate applied a moment before its route (one kubectl apply of both) may not be
                    // cached yet: ask the API server before saying that nothing will create the Secret
                    if (!fresh(request, namespace, use.secretName(), deadline, certificates)) {
                        secrets.put(use.secretName(), SecretMetadata.UNKNOWN); // unknown: say nothing false
                    }
                }
            }
        }
        List<HealthFinding> findings = CertificateHealth.assess(
                namespace,
                uses,
                certificates,
                secrets,
                requested,
                CertificateHealth.issuerAnnotated(object),
                clock.instant(),
                window);
        return findings.stream().map(HealthFinding::text).toList();
    }

    /** Puts the first Certificate the API server has for the Secret into {@code certificates}; false when unread. */
    private boolean fresh(
            AdmissionRequest request,
            String namespace,
            String secretName,
            Deadline deadline,
            Map<String, CertificateStatus> certificates) {
        try {
            store.readCertificatesWriting(namespace, secretName, deadline).stream()
                    .findFirst()
                    .map(CertificateStatus::from)
                    .ifPresent(c -> certificates.put(secretName, c));
            return true;
        } catch (StoreException | RuntimeException e) {
            log.info(
                    "health uid={} object={}: Certificates of {} not read, the Secret {} is not reported missing: {}",
                    request.uid(),
                    request.objectRef(),
                    namespace,
                    secretName,
                    e.getMessage());
            return false;
        }
    }

    private SecretMetadata secret(AdmissionRequest request, String namespace, String name, Deadline deadline) {
        try {
            SecretState state = store.readSecret(namespace, name, deadline);
            return state.exists() ? SecretMetadata.present(state.annotations()) : SecretMetadata.ABSENT;
        } catch (StoreException | RuntimeException e) {
            log.info(
                    "health uid={} object={}: Secret {}/{} not read, its health is not reported: {}",
                    request.uid(),
                    request.objectRef(),
                    namespace,
                    name,
                    e.getMessage());
            return SecretMetadata.UNKNOWN;
        }
    }
}
