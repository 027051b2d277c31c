package dev.routecert.certificates;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Optional;

/** The resources routecert keeps informer caches of, all namespaces. */
public enum CachedKind {
    CERTIFICATE("cert-manager.io", "v1", "Certificate", "certificates", true, true),
    ISSUER("cert-manager.io", "v1", "Issuer", "issuers", true, true),
    CLUSTER_ISSUER("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers", false, true),
    INGRESS("networking.k8s.io", "v1", "Ingress", "ingresses", true, false),
    INGRESS_ROUTE("traefik.io", "v1alpha1", "IngressRoute", "ingressroutes", true, false),
    INGRESS_ROUTE_LEGACY("traefik.containo.us", "v1alpha1", "IngressRoute", "ingressroutes", true, false);

    final String group;
    final String version;
    final String kind;
    final String plural;
    final boolean namespaced;
    /** cert-manager's kinds are required: without them there is nothing to create. Route kinds may be absent. */
    final boolean required;

    CachedKind(String group, String version, String kind, String plural, boolean namespaced, boolean required) {
        this.group = group;
        this.version = version;
        this.kind = kind;
        this.plural = plural;
        this.namespaced = namespaced;
        this.required = required;
    }

    public String apiVersion() {
        return group + "/" + version;
    }

    public String kind() {
        return kind;
    }

    public String group() {
        return group;
    }

    public boolean isRoute() {
        return this == INGRESS || this == INGRESS_ROUTE || this == INGRESS_ROUTE_LEGACY;
    }

    /** {@code plural.group}, as the API server names a resource. */
    public String resource() {
        return plural + "." + group;
    }

    ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(version)
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(namespaced)
                .build();
    }

    /** The route kind for a route's group and kind, if routecert handles it. */
    public static Optional<CachedKind> route(String group, String kind) {
        for (CachedKind k : values()) {
            if (k.isRoute() && k.group.equals(group) && k.kind.equals(kind)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
