package dev.routecert.certificates;

import dev.routecert.routes.RouteKind;
import java.util.Comparator;
import java.util.Optional;

/**
 * A route routecert plans Certificates for: an Ingress or an IngressRoute (either Traefik group), by
 * namespace and name. Its {@link #annotationValue() annotation form} {@code group/Kind/name} marks
 * the Certificates routecert creates for it.
 */
public record RouteRef(String group, String kind, String namespace, String name) {

    /** Oldest first is decided elsewhere; this orders routes deterministically by identity. */
    public static final Comparator<RouteRef> ORDER = Comparator.comparing(RouteRef::namespace)
            .thenComparing(RouteRef::group)
            .thenComparing(RouteRef::kind)
            .thenComparing(RouteRef::name);

    public String annotationValue() {
        return group + "/" + kind + "/" + name;
    }

    /** The route's {@code apiVersion}, from the registry of the kinds routecert handles. */
    public String apiVersion() {
        return RouteKind.of(group, kind)
                .map(RouteKind::apiVersion)
                .orElseThrow(() -> new IllegalStateException("routecert does not handle " + this));
    }

    /** Reads {@code group/Kind/name} as written by {@link #annotationValue()}; empty when it is not that. */
    public static Optional<RouteRef> parse(String annotation, String namespace) {
        if (annotation == null) {
            return Optional.empty();
        }
        String[] parts = annotation.split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RouteRef(parts[0], parts[1], namespace, parts[2]));
    }

    /** {@code Kind namespace/name (group)}, as messages name a route. */
    @Override
    public String toString() {
        return kind + " " + namespace + "/" + name + " (" + group + ")";
    }
}
