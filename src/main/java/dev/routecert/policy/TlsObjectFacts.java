package dev.routecert.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's Traefik TLS objects, read-only, as the policy needs them to judge a route's
 * {@code tls.options} and whether the default TLSStore covers a {@code tls: {}} route. Each answer is
 * empty when routecert cannot know (no cluster, the CRD is not served, the cache has not listed it
 * yet): the policy then says the reference was not checked, and never denies for it.
 */
public interface TlsObjectFacts {

    /** Every TLSOption of both Traefik API groups, or empty when they cannot be known. */
    Optional<List<JsonNode>> tlsOptions();

    /** Every TLSStore of both Traefik API groups, or empty when they cannot be known. */
    Optional<List<JsonNode>> tlsStores();

    /** The cert-manager Certificates of {@code namespace} whose {@code spec.secretName} is {@code secretName}; empty when not known. */
    Optional<List<JsonNode>> certificatesWriting(String namespace, String secretName);

    /** Nothing is known: what {@code check} without TLS objects in its input and serve without a cluster have. */
    TlsObjectFacts UNKNOWN = new TlsObjectFacts() {
        @Override
        public Optional<List<JsonNode>> tlsOptions() {
            return Optional.empty();
        }

        @Override
        public Optional<List<JsonNode>> tlsStores() {
            return Optional.empty();
        }

        @Override
        public Optional<List<JsonNode>> certificatesWriting(String namespace, String secretName) {
            return Optional.empty();
        }
    };
}
