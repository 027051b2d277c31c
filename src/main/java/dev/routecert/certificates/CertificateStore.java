package dev.routecert.certificates;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Where Certificates live: reads come from informer caches (no round trip), writes go to the API
 * server within a {@link Deadline}. Implementations never retry on their own: the caller decides
 * again on fresh data after {@link StoreException.Kind#CONFLICT} or {@code ALREADY_EXISTS}.
 */
public interface CertificateStore extends HealthFacts {

    /** The cached Certificate {@code namespace/name}. */
    Optional<ExistingCertificate> cachedCertificate(String namespace, String name);

    /** The cached Issuer ({@code namespace} set) or ClusterIssuer ({@code namespace} null). */
    Optional<IssuerInfo> cachedIssuer(String kind, String namespace, String name);

    /** Reads the Certificate from the API server, bypassing the cache. */
    Optional<ExistingCertificate> readCertificate(String namespace, String name, Deadline deadline)
            throws StoreException;

    /** Creates the Certificate; fails with ALREADY_EXISTS rather than touch one that exists. */
    ExistingCertificate create(ObjectNode certificate, Deadline deadline) throws StoreException;

    /**
     * Server-side apply with force as field manager routecert, only valid if the stored Certificate
     * still has {@code resourceVersion} (else CONFLICT): for Certificates routecert owns.
     */
    ExistingCertificate apply(ObjectNode certificate, String resourceVersion, Deadline deadline) throws StoreException;

    /** Deletes the Certificate if it still has {@code uid}; the Secret stays. */
    void delete(String namespace, String name, String uid, Deadline deadline) throws StoreException;
}
