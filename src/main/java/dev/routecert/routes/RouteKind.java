package dev.routecert.routes;

import java.util.Optional;

/**
 * The one registry of the kinds routecert handles. The policy dispatches on it, the caches and the
 * reconciler watch it, the CLI and the webhook use it to tell a route from anything else, and a test
 * holds the shipped webhook rules and RBAC to it: a kind added here is handled everywhere or fails
 * that test.
 */
public enum RouteKind {
    INGRESS("networking.k8s.io", "v1", "Ingress", "ingresses", Shape.INGRESS),
    INGRESS_ROUTE("traefik.io", "v1alpha1", "IngressRoute", "ingressroutes", Shape.INGRESS_ROUTE),
    /**
     * Traefik v2's API group, with the same schema. Traefik v3 removed it, so these objects matter to
     * clusters still running Traefik v2.
     */
    INGRESS_ROUTE_LEGACY("traefik.containo.us", "v1alpha1", "IngressRoute", "ingressroutes", Shape.INGRESS_ROUTE),
    INGRESS_ROUTE_TCP("traefik.io", "v1alpha1", "IngressRouteTCP", "ingressroutetcps", Shape.INGRESS_ROUTE_TCP),
    /** Traefik v2's group for IngressRouteTCP, as for IngressRoute. */
    INGRESS_ROUTE_TCP_LEGACY(
            "traefik.containo.us", "v1alpha1", "IngressRouteTCP", "ingressroutetcps", Shape.INGRESS_ROUTE_TCP);

    /** How the object names its ingress class, and so which rule of {@code --ingress-classes} applies. */
    public enum ClassRule {
        /** {@code spec.ingressClassName}, else the annotation, else the default IngressClass. */
        INGRESS,
        /** {@code spec.ingressClassName} (Traefik 3.7), else the annotation, and no default class: as Traefik's CRD provider reads it. */
        TRAEFIK_CRD
    }

    /** How the object is written, and so which view reads it and which validator judges it. */
    public enum Shape {
        INGRESS,
        INGRESS_ROUTE,
        /** An IngressRouteTCP: the IngressRoute's layout, with TCP matchers, no route kind and TLS passthrough. */
        INGRESS_ROUTE_TCP
    }

    private final String group;
    private final String version;
    private final String kind;
    private final String resource;
    private final Shape shape;

    RouteKind(String group, String version, String kind, String resource, Shape shape) {
        this.group = group;
        this.version = version;
        this.kind = kind;
        this.resource = resource;
        this.shape = shape;
    }

    public String group() {
        return group;
    }

    public String version() {
        return version;
    }

    public String kind() {
        return kind;
    }

    /** The plural resource name, as webhook rules, RBAC and REST paths use it. */
    public String resource() {
        return resource;
    }

    public Shape shape() {
        return shape;
    }

    /** How this kind's ingress class is read: from its shape, as each controller reads it. */
    public ClassRule classRule() {
        return switch (shape) {
            case INGRESS -> ClassRule.INGRESS;
            case INGRESS_ROUTE, INGRESS_ROUTE_TCP -> ClassRule.TRAEFIK_CRD;
        };
    }

    /** {@code group/version}, as an object's {@code apiVersion} field writes it. */
    public String apiVersion() {
        return group + "/" + version;
    }

    /** The kind at exactly this group, version and kind; empty for anything routecert does not handle. */
    public static Optional<RouteKind> of(String group, String version, String kind) {
        for (RouteKind k : values()) {
            if (k.group.equals(group) && k.version.equals(version) && k.kind.equals(kind)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The kind for a group and kind without a version, as routecert's ownership annotation names a route. */
    public static Optional<RouteKind> of(String group, String kind) {
        for (RouteKind k : values()) {
            if (k.group.equals(group) && k.kind.equals(kind)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
