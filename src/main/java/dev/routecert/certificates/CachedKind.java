package dev.routecert.certificates;

import dev.routecert.routes.RouteKind;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Optional;

/**
 * The resources routecert keeps informer caches of, all namespaces: cert-manager's, every route kind,
 * Traefik's TLSOptions and TLSStores, and, when a setting needs them, IngressClasses, Traefik
 * Middlewares and Namespaces.
 */
public enum CachedKind {
    CERTIFICATE("cert-manager.io", "v1", "Certificate", "certificates", true, true),
    ISSUER("cert-manager.io", "v1", "Issuer", "issuers", true, true),
    CLUSTER_ISSUER("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers", false, true),
    INGRESS(RouteKind.INGRESS),
    INGRESS_ROUTE(RouteKind.INGRESS_ROUTE),
    INGRESS_ROUTE_LEGACY(RouteKind.INGRESS_ROUTE_LEGACY),
    INGRESS_ROUTE_TCP(RouteKind.INGRESS_ROUTE_TCP),
    INGRESS_ROUTE_TCP_LEGACY(RouteKind.INGRESS_ROUTE_TCP_LEGACY),
    /** Only with {@code --ingress-classes}: the default class puts classless Ingresses in or out of scope. */
    INGRESS_CLASS("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false, true, null, true),
    /** Only with {@code --require-tls}: a redirect to HTTPS exempts a route from it. */
    MIDDLEWARE("traefik.io", "v1alpha1", "Middleware", "middlewares", true, false, null, true),
    MIDDLEWARE_LEGACY("traefik.containo.us", "v1alpha1", "Middleware", "middlewares", true, false, null, true),
    /**
     * Traefik's TLS objects, both groups: a route's {@code tls.options} must name an existing TLSOption, and
     * the default TLSStore's certificate may cover a {@code tls: {}} route. Optional like the route kinds.
     */
    TLS_OPTION("traefik.io", "v1alpha1", "TLSOption", "tlsoptions", true, false),
    TLS_OPTION_LEGACY("traefik.containo.us", "v1alpha1", "TLSOption", "tlsoptions", true, false),
    TLS_STORE("traefik.io", "v1alpha1", "TLSStore", "tlsstores", true, false),
    TLS_STORE_LEGACY("traefik.containo.us", "v1alpha1", "TLSStore", "tlsstores", true, false),
    /** Only with {@code --policy-file}: its overrides and tenancy entries select namespaces by label. */
    NAMESPACE("", "v1", "Namespace", "namespaces", false, true, null, true);

    final String group;
    final String version;
    final String kind;
    final String plural;
    final boolean namespaced;
    /** cert-manager's kinds are required: without them there is nothing to create. Route kinds may be absent. */
    final boolean required;

    /** Started only when a setting needs it ({@link ClusterCaches}'s on-demand kinds); required only then. */
    final boolean onDemand;

    /** The route kind this cache holds, or null for cert-manager's kinds. */
    private final RouteKind route;

    /** A route kind: namespaced, and optional (a cluster may not serve Traefik's CRDs, or either group). */
    CachedKind(RouteKind route) {
        this(route.group(), route.version(), route.kind(), route.resource(), true, false, route, false);
    }

    CachedKind(String group, String version, String kind, String plural, boolean namespaced, boolean required) {
        this(group, version, kind, plural, namespaced, required, null, false);
    }

    CachedKind(
            String group,
            String version,
            String kind,
            String plural,
            boolean namespaced,
            boolean required,
            RouteKind route,
            boolean onDemand) {
        this.route = route;
        this.onDemand = onDemand;
        this.group = group;
        this.version = version;
        this.kind = kind;
        this.plural = plural;
        this.namespaced = namespaced;
        this.required = required;
    }

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public String kind() {
        return kind;
    }

    public String group() {
        return group;
    }

    public boolean isRoute() {
        return route != null;
    }

    /** A TLSOption or TLSStore cache, of either Traefik group. */
    boolean isTraefikTls() {
        return this == TLS_OPTION || this == TLS_OPTION_LEGACY || this == TLS_STORE || this == TLS_STORE_LEGACY;
    }

    /** {@code plural.group}, as the API server names a resource. */
    public String resource() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group.isEmpty() ? null : group) // the core group
                .withVersion(version)
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(namespaced)
                .build();
    }

    /** The cache of a route's group and kind, if routecert handles it. */
    public static Optional<CachedKind> route(String group, String kind) {
        return RouteKind.of(group, kind).map(CachedKind::of);
    }

    /** The cache of a route kind. */
    public static CachedKind of(RouteKind route) {
        for (CachedKind k : values()) {
            if (k.route == route) {
                return k;
            }
        }
        throw new IllegalArgumentException("no cache for " + route);
    }
}
