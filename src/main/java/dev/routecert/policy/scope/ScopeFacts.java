package dev.routecert.policy.scope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.TlsObjectFacts;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster facts that scope and the {@code --require-tls} exemptions read, read-only: the default
 * IngressClasses and Traefik Middlewares. {@code serve} answers from its informer caches, {@code check}
 * from the documents it was given; the policy only reads them.
 */
public interface ScopeFacts {

    /** Annotation that marks an IngressClass as the default, as the API server reads it. */
    String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

    /** True once the IngressClasses have been listed; before that no default class is known. */
    boolean ingressClassesSynced();

    /** Names of the IngressClasses annotated {@value #DEFAULT_CLASS_ANNOTATION}: "true" (exactly). */
    Set<String> defaultIngressClasses();

    /** The Middleware {@code namespace/name} of either Traefik API group, empty when not known. */
    Optional<JsonNode> middleware(String namespace, String name);

    /**
     * The Middleware that Traefik names {@code <namespace>-<name>} (the part of an Ingress's
     * {@code router.middlewares} reference before {@code @kubernetescrd}), empty when not known.
     */
    Optional<JsonNode> middlewareByTraefikId(String id);

    /** Traefik's TLSOptions and TLSStores, and the Certificates behind a store's Secret; unknown unless a source knows them. */
    default TlsObjectFacts tlsObjects() {
        return TlsObjectFacts.UNKNOWN;
    }

    /** No IngressClass and no Middleware: what routecert knows without a cluster or input documents. */
    ScopeFacts NONE = new ScopeFacts() {
        @Override
        public boolean ingressClassesSynced() {
            return true;
        }

        @Override
        public Set<String> defaultIngressClasses() {
            return Set.of();
        }

        @Override
        public Optional<JsonNode> middleware(String namespace, String name) {
            return Optional.empty();
        }

        @Override
        public Optional<JsonNode> middlewareByTraefikId(String id) {
            return Optional.empty();
        }
    };

    /** Whether an IngressClass object is marked as the default class. */
    static boolean isDefaultClass(JsonNode ingressClass) {
        JsonNode v = ingressClass.path("metadata").path("annotations").path(DEFAULT_CLASS_ANNOTATION);
        return v.isTextual() && v.asText().equals("true");
    }
}
