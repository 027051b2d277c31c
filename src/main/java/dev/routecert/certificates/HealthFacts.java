package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What certificate health reads, and nothing it could write with: the Certificates that write a
 * Secret and the Secret's metadata. Admission reads them through its {@link CertificateStore}; {@code
 * check --kubeconfig} from one listing of the Certificates and a GET per Secret.
 */
public interface HealthFacts {

    /**
     * Cached Certificates of {@code namespace} whose {@code spec.secretName} is {@code secretName}, with
     * their status: what certificate health reads.
     */
    List<JsonNode> cachedCertificatesWriting(String namespace, String secretName);

    /**
     * Reads from the API server, bypassing the cache, the Certificates of {@code namespace} whose
     * {@code spec.secretName} is {@code secretName}: one list of the namespace.
     */
    List<JsonNode> readCertificatesWriting(String namespace, String secretName, Deadline deadline)
            throws StoreException;

    /** Reads only the metadata of a Secret (its data never reaches routecert). */
    SecretState readSecret(String namespace, String name, Deadline deadline) throws StoreException;
}
