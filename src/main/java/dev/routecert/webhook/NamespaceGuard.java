package dev.routecert.webhook;

import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.certificates.WriteGuard;
import dev.routecert.log.Log;
import dev.routecert.policy.Check;
import dev.routecert.policy.Violation;
import dev.routecert.routes.RouteKind;
import java.util.List;
import java.util.Optional;

/**
 * Runs before everything else on both endpoints, because anything that reaches the admission port
 * can post a review. A review for a namespace the webhook registration excludes is not one the API
 * server sent: it is allowed untouched, with nothing evaluated and nothing written. A review for a
 * route that names no namespace, or whose object lives in another namespace than the request says,
 * is denied with {@code [namespace-mismatch]}: the API server never sends one, and what routecert
 * writes goes to the request's namespace.
 */
public final class NamespaceGuard implements AdmissionPolicy {

    private static final Log log = Log.of(NamespaceGuard.class);

    private final WriteGuard guard;
    private final AdmissionPolicy next;

    public NamespaceGuard(WriteGuard guard, AdmissionPolicy next) {
        this.guard = guard;
        this.next = next;
    }

    @Override
    public AdmissionDecision review(AdmissionRequest request) throws Exception {
        Optional<String> excluded = guard.excluded(request.namespace());
        if (excluded.isPresent()) {
            log.debug(
                    "review uid={} object={} allowed untouched: {}",
                    request.uid(),
                    request.objectRef(),
                    excluded.get());
            return AdmissionDecision.allow();
        }
        Optional<Violation> mismatch = mismatch(request);
        if (mismatch.isPresent()) {
            log.warn(
                    "review uid={} kind={} name={} user={} denied: request namespace '{}', object namespace '{}'"
                            + " (the API server never sends such a review)",
                    request.uid(),
                    request.gvk(),
                    request.name(),
                    request.username(),
                    request.namespace(),
                    objectNamespace(request));
            return Denials.denied(List.of(mismatch.get()), List.of());
        }
        return next.review(request);
    }

    /** The denial of a review whose namespaces do not add up, for the kinds routecert handles. */
    static Optional<Violation> mismatch(AdmissionRequest request) {
        if (RouteKind.of(request.group(), request.version(), request.kind()).isEmpty()) {
            return Optional.empty(); // not judged at all, so nothing can be written for it
        }
        String objectNamespace = objectNamespace(request);
        if (request.namespace().isEmpty()) {
            return Optional.of(Violation.required(
                    Check.NAMESPACE_MISMATCH,
                    "metadata.namespace",
                    "the review names no namespace for a " + request.kind() + ", which always has one",
                    "send the review the API server sends: request.namespace set to the object's namespace"));
        }
        if (!objectNamespace.isEmpty() && !objectNamespace.equals(request.namespace())) {
            return Optional.of(Violation.invalid(
                    Check.NAMESPACE_MISMATCH,
                    "metadata.namespace",
                    "the object is in namespace " + objectNamespace + " but the review is for namespace "
                            + request.namespace(),
                    "set metadata.namespace to " + request.namespace()
                            + " or leave it out; the API server sends one namespace in both places"));
        }
        return Optional.empty();
    }

    private static String objectNamespace(AdmissionRequest request) {
        return request.object() == null
                ? ""
                : request.object().path("metadata").path("namespace").asText("");
    }
}
