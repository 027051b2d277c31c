package dev.routecert.admission;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.routes.RouteKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdmissionReviews of routes as the API server sends them after {@code kubectl apply}: metadata with
 * managedFields and kubectl's last-applied annotation, a user with groups, the operation's options.
 * Generated, not read from files, so that the benchmark's load client needs nothing but its class path.
 */
public final class ApiServerReviews {

    /** Target size of {@link #large()}'s object: under etcd's default 1.5 MiB request limit, as the largest storable. */
    public static final int LARGE_OBJECT_BYTES = 1_400_000;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ApiServerReviews() {}

    /** A review of one of the route kinds, with nothing else set yet. */
    public static AdmissionReviewBuilder of(RouteKind kind) {
        return AdmissionReviewBuilder.of(kind.group(), kind.version(), kind.kind(), kind.resource());
    }

    /** Every review here, by a short name: for tests that must hold for any review the API server sends. */
    public static Map<String, AdmissionReviewBuilder> all() {
        Map<String, AdmissionReviewBuilder> all = new LinkedHashMap<>();
        all.put("update-unchanged", updateUnchanged());
        all.put("create-ingress", createIngress());
        all.put("create-ingressroute", createIngressRoute());
        all.put("dry-run", createIngressRoute().dryRun(true));
        all.put("denied", denied());
        all.put("large", large());
        return all;
    }

    /** A review of a Traefik IngressRoute (traefik.io) with the API server's request details. */
    public static AdmissionReviewBuilder ingressRouteReview(ObjectNode object) {
        return apiServer(of(RouteKind.INGRESS_ROUTE), object);
    }

    /** A review of a networking.k8s.io/v1 Ingress with the API server's request details. */
    public static AdmissionReviewBuilder ingressReview(ObjectNode object) {
        return apiServer(of(RouteKind.INGRESS), object);
    }

    private static AdmissionReviewBuilder apiServer(AdmissionReviewBuilder review, ObjectNode object) {
        return review.name(object.path("metadata").path("name").asText())
                .namespace(object.path("metadata").path("namespace").asText())
                .user("alice@example.com", "platform", "system:authenticated")
                .fieldManager("kubectl-client-side-apply")
                .object(object);
    }

    /** An UPDATE that changes a label and leaves TLS alone: allowed, no patch, no Certificate change. */
    public static AdmissionReviewBuilder updateUnchanged() {
        ObjectNode object = ingressRoute("shop", "web", "letsencrypt-prod");
        ArrayNode routes = spec(object).putArray("routes");
        route(routes, "Host(`shop.example.com`) && PathPrefix(`/`)", "shop", 8080);
        route(routes, "Host(`www.shop.example.com`) && PathPrefix(`/`)", "shop", 8080);
        route(routes, "Host(`shop.example.com`) && PathPrefix(`/api`)", "shop-api", 9090);
        spec(object).putObject("tls").put("secretName", "shop-tls");
        lastApplied(object);
        ObjectNode old = object.deepCopy();
        ((ObjectNode) old.get("metadata")).put("resourceVersion", "48213");
        ((ObjectNode) object.get("metadata").get("labels")).put("version", "2026-11-22");
        return ingressRouteReview(object).operation("UPDATE").oldObject(old);
    }

    /** An Ingress whose TLS covers its hosts: allowed without a patch. */
    public static AdmissionReviewBuilder createIngress() {
        ObjectNode object = F.objectNode();
        object.put("apiVersion", "networking.k8s.io/v1");
        object.put("kind", "Ingress");
        metadata(object, "blog", "web", "letsencrypt-prod");
        ObjectNode spec = object.putObject("spec");
        spec.put("ingressClassName", "traefik");
        ArrayNode rules = spec.putArray("rules");
        for (String host : List.of("blog.example.com", "www.blog.example.com")) {
            ObjectNode rule = rules.addObject();
            rule.put("host", host);
            ObjectNode path = rule.putObject("http").putArray("paths").addObject();
            path.put("path", "/");
            path.put("pathType", "Prefix");
            path.putObject("backend")
                    .putObject("service")
                    .put("name", "blog")
                    .putObject("port")
                    .put("number", 80);
        }
        ObjectNode tls = spec.putArray("tls").addObject();
        tls.putArray("hosts").add("blog.example.com").add("www.blog.example.com");
        tls.put("secretName", "blog-tls");
        lastApplied(object);
        return ingressReview(object);
    }

    /** tls: {} and no secretName: routecert defaults it (a patch) and plans a Certificate. */
    public static AdmissionReviewBuilder createIngressRoute() {
        ObjectNode object = ingressRoute("api", "web", null);
        ArrayNode routes = spec(object).putArray("routes");
        route(routes, "Host(`api.example.com`) && (PathPrefix(`/v1`) || PathPrefix(`/v2`))", "api", 8080);
        route(routes, "Host(`api.example.com`) && Path(`/healthz`)", "api", 8081);
        spec(object).putObject("tls");
        lastApplied(object);
        return ingressRouteReview(object);
    }

    /** A host the TLS domains do not cover: denied. */
    public static AdmissionReviewBuilder denied() {
        ObjectNode object = ingressRoute("admin", "web", "letsencrypt-prod");
        ArrayNode routes = spec(object).putArray("routes");
        route(routes, "Host(`admin.example.com`) && PathPrefix(`/`)", "admin", 8080);
        route(routes, "Host(`admin.example.org`) && PathPrefix(`/`)", "admin", 8080);
        ObjectNode tls = spec(object).putObject("tls");
        tls.put("secretName", "admin-tls");
        tls.putArray("domains").addObject().put("main", "admin.example.com");
        lastApplied(object);
        return ingressRouteReview(object);
    }

    /**
     * Thousands of routes under one wildcard certificate, with kubectl's copy of it in the
     * annotation: an object of about {@link #LARGE_OBJECT_BYTES}; allowed.
     */
    public static AdmissionReviewBuilder large() {
        ObjectNode object = ingressRoute("everything", "web", "letsencrypt-prod");
        ArrayNode routes = spec(object).putArray("routes");
        ObjectNode tls = spec(object).putObject("tls");
        tls.put("secretName", "everything-tls");
        tls.putArray("domains")
                .addObject()
                .put("main", "example.com")
                .putArray("sans")
                .add("*.example.com");
        int i = 0;
        while (i % 100 != 0 || object.toString().length() < LARGE_OBJECT_BYTES / 2) {
            route(
                    routes,
                    "Host(`service-" + i + ".example.com`) && PathPrefix(`/api/v" + (i % 3 + 1) + "`)",
                    "service-" + i,
                    8080);
            i++;
        }
        lastApplied(object);
        return ingressRouteReview(object);
    }

    private static ObjectNode spec(ObjectNode object) {
        return (ObjectNode) object.get("spec");
    }

    private static ObjectNode ingressRoute(String name, String namespace, String clusterIssuer) {
        ObjectNode object = F.objectNode();
        object.put("apiVersion", "traefik.io/v1alpha1");
        object.put("kind", "IngressRoute");
        metadata(object, name, namespace, clusterIssuer);
        object.putObject("spec").putArray("entryPoints").add("websecure");
        return object;
    }

    private static void metadata(ObjectNode object, String name, String namespace, String clusterIssuer) {
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("name", name);
        metadata.put("namespace", namespace);
        metadata.put("uid", "6f1c2a9e-8d1b-4a8e-9b7e-" + String.format("%012x", Math.abs((long) name.hashCode())));
        metadata.put("resourceVersion", "48214");
        metadata.put("generation", 3);
        metadata.put("creationTimestamp", "2026-11-01T08:00:00Z");
        metadata.putObject("labels").put("app.kubernetes.io/name", name).put("app.kubernetes.io/part-of", "shop");
        ObjectNode annotations = metadata.putObject("annotations");
        if (clusterIssuer != null) {
            annotations.put("cert-manager.io/cluster-issuer", clusterIssuer);
        }
        ObjectNode managed = metadata.putArray("managedFields").addObject();
        managed.put("manager", "kubectl-client-side-apply");
        managed.put("operation", "Update");
        managed.put("apiVersion", object.get("apiVersion").asText());
        managed.put("time", "2026-11-01T08:00:00Z");
        managed.put("fieldsType", "FieldsV1");
        managed.putObject("fieldsV1")
                .putObject("f:metadata")
                .putObject("f:annotations")
                .putObject(".");
    }

    private static void route(ArrayNode routes, String match, String service, int port) {
        ObjectNode route = routes.addObject();
        route.put("kind", "Rule");
        route.put("match", match);
        route.putArray("middlewares").addObject().put("name", "security-headers");
        route.putArray("services").addObject().put("name", service).put("port", port);
    }

    /** kubectl apply stores the applied object in this annotation, so real objects carry it twice. */
    private static void lastApplied(ObjectNode object) {
        ObjectNode applied = object.deepCopy();
        ObjectNode metadata = (ObjectNode) applied.get("metadata");
        metadata.remove(List.of("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"));
        ((ObjectNode) object.get("metadata").get("annotations"))
                .put("kubectl.kubernetes.io/last-applied-configuration", applied.toString() + "\n");
    }
}
