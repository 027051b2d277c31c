package dev.routecert.certificates;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The namespaces routecert never writes into for a route: the ones its own webhook registration
 * excludes ({@code --excluded-namespaces} by name, and {@code --exempt-namespace-label} by the
 * label's presence, as the registration's {@code DoesNotExist} selector reads it). The API server
 * never sends a review from them, so a route there was stored without routecert, and a review
 * naming one was not sent by the API server. Every store that writes for a route consults it.
 */
public final class WriteGuard {

    /** The labels of a namespace, from a Namespace cache; empty when the namespace is not known. */
    @FunctionalInterface
    public interface NamespaceLabels {
        Optional<Map<String, String>> of(String namespace);

        /** No Namespace cache: namespaces are excluded by name only. */
        NamespaceLabels NONE = namespace -> Optional.empty();
    }

    /** Excludes nothing: for tests and tools that write wherever they are told. */
    public static final WriteGuard NONE = new WriteGuard(Set.of(), "", NamespaceLabels.NONE);

    private final Set<String> names;
    private final String exemptLabel;
    private final NamespaceLabels labels;

    public WriteGuard(Collection<String> names, String exemptLabel, NamespaceLabels labels) {
        this.names = Set.copyOf(names);
        this.exemptLabel = exemptLabel;
        this.labels = labels;
    }

    /** The same exclusions, with the exempt label read from {@code labels}. */
    public WriteGuard withNamespaceLabels(NamespaceLabels labels) {
        return new WriteGuard(names, exemptLabel, labels);
    }

    /** Whether the exempt label can be read: without a Namespace cache, only names exclude. */
    public boolean readsLabels() {
        return labels != NamespaceLabels.NONE && !exemptLabel.isEmpty();
    }

    /** Why {@code namespace} is excluded, or empty when routecert acts there. */
    public Optional<String> excluded(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            return Optional.empty();
        }
        if (names.contains(namespace)) {
            return Optional.of("namespace " + namespace + " is excluded (--excluded-namespaces)");
        }
        if (!exemptLabel.isEmpty()
                && labels.of(namespace).map(l -> l.containsKey(exemptLabel)).orElse(false)) {
            return Optional.of("namespace " + namespace + " is labelled " + exemptLabel);
        }
        return Optional.empty();
    }

    public boolean isExcluded(String namespace) {
        return excluded(namespace).isPresent();
    }

    /** Refuses, before anything is sent, to {@code action} in an excluded namespace. */
    public void check(String namespace, String action) throws StoreException {
        Optional<String> why = excluded(namespace);
        if (why.isPresent()) {
            throw new StoreException(
                    StoreException.Kind.FORBIDDEN,
                    "routecert does not " + action + ": " + why.get()
                            + ", and routecert never writes into a namespace its webhook registration excludes",
                    null);
        }
    }
}
