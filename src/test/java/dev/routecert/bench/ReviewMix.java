package dev.routecert.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The AdmissionReviews the load benchmark sends, as the API server sends them (metadata with
 * managedFields and kubectl's last-applied annotation), each with the answer routecert must give.
 * The weights make a realistic day: mostly UPDATEs that leave TLS alone, some CREATEs, dry-runs and
 * denials, and a rare object near etcd's 1.5 MiB limit. Generated, not read from files, so the load
 * client needs nothing but its class path.
 */
public final class ReviewMix {

    /** The request uid in every body; the load client overwrites its last 12 characters per request. */
    public static final String UID_PLACEHOLDER = "00000000-0000-4000-8000-000000000000";

    /** What routecert must answer. */
    public enum Expect {
        ALLOWED,
        PATCHED,
        DENIED
    }

    /** One kind of request: its body, how often it appears in 200 requests, and the expected answer. */
    public record Kind(String name, int weight, Expect expect, byte[] body) {
        public int uidOffset() {
            return indexOf(body, UID_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Requests in one shuffled round; the weights add up to this. */
    public static final int ROUND = 200;
    /** The name of the large object's kind. */
    public static final String LARGE_KIND = "large-1.4MiB";
    /** Target size of the large object: under etcd's default 1.5 MiB request limit, as the largest storable. */
    public static final int LARGE_OBJECT_BYTES = 1_400_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ReviewMix() {}

    /** The kinds, in a fixed order (the load client reports latency per kind by this index). */
    public static List<Kind> kinds() {
        List<Kind> kinds = List.of(
                new Kind("update-unchanged", 90, Expect.ALLOWED, updateUnchanged()),
                new Kind("create-ingress", 35, Expect.ALLOWED, createIngress()),
                new Kind("create-ingressroute", 35, Expect.PATCHED, createIngressRoute(false)),
                new Kind("dry-run", 20, Expect.PATCHED, createIngressRoute(true)),
                new Kind("denied", 19, Expect.DENIED, denied()),
                new Kind(LARGE_KIND, 1, Expect.ALLOWED, large()));
        if (kinds.stream().mapToInt(Kind::weight).sum() != ROUND) {
            throw new IllegalStateException("weights must add up to " + ROUND);
        }
        return kinds;
    }

    /** A shuffled round of kind indexes with the weights' proportions, different per connection. */
    public static int[] round(List<Kind> kinds, long seed) {
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            for (int n = 0; n < kinds.get(i).weight(); n++) {
                slots.add(i);
            }
        }
        Collections.shuffle(slots, new Random(seed));
        return slots.stream().mapToInt(Integer::intValue).toArray();
    }

    // ------------------------------------------------------------------ the objects

    private static byte[] updateUnchanged() {
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
        return review(
                "traefik.io", "v1alpha1", "IngressRoute", "ingressroutes", "UPDATE", "web", "shop", false, object, old);
    }

    private static byte[] createIngress() {
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
        return review("networking.k8s.io", "v1", "Ingress", "ingresses", "CREATE", "blog", "web", false, object, null);
    }

    /** tls: {} and no secretName: routecert defaults it (a patch) and plans a Certificate. */
    private static byte[] createIngressRoute(boolean dryRun) {
        ObjectNode object = ingressRoute("api", "web", null);
        ArrayNode routes = spec(object).putArray("routes");
        route(routes, "Host(`api.example.com`) && (PathPrefix(`/v1`) || PathPrefix(`/v2`))", "api", 8080);
        route(routes, "Host(`api.example.com`) && Path(`/healthz`)", "api", 8081);
        spec(object).putObject("tls");
        lastApplied(object);
        return review(
                "traefik.io",
                "v1alpha1",
                "IngressRoute",
                "ingressroutes",
                "CREATE",
                "api",
                "web",
                dryRun,
                object,
                null);
    }

    /** A host the TLS domains do not cover. */
    private static byte[] denied() {
        ObjectNode object = ingressRoute("admin", "web", "letsencrypt-prod");
        ArrayNode routes = spec(object).putArray("routes");
        route(routes, "Host(`admin.example.com`) && PathPrefix(`/`)", "admin", 8080);
        route(routes, "Host(`admin.example.org`) && PathPrefix(`/`)", "admin", 8080);
        ObjectNode tls = spec(object).putObject("tls");
        tls.put("secretName", "admin-tls");
        tls.putArray("domains").addObject().put("main", "admin.example.com");
        lastApplied(object);
        return review(
                "traefik.io",
                "v1alpha1",
                "IngressRoute",
                "ingressroutes",
                "CREATE",
                "admin",
                "web",
                false,
                object,
                null);
    }

    /** Thousands of routes under one wildcard certificate, with kubectl's copy of it in the annotation. */
    private static byte[] large() {
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
        while (i % 100 != 0 || size(object) < LARGE_OBJECT_BYTES / 2) {
            route(
                    routes,
                    "Host(`service-" + i + ".example.com`) && PathPrefix(`/api/v" + (i % 3 + 1) + "`)",
                    "service-" + i,
                    8080);
            i++;
        }
        lastApplied(object);
        return review(
                "traefik.io",
                "v1alpha1",
                "IngressRoute",
                "ingressroutes",
                "CREATE",
                "everything",
                "web",
                false,
                object,
                null);
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

    static byte[] review(
            String group,
            String version,
            String kind,
            String resource,
            String operation,
            String name,
            String namespace,
            boolean dryRun,
            ObjectNode object,
            ObjectNode oldObject) {
        ObjectNode review = F.objectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", UID_PLACEHOLDER);
        request.putObject("kind").put("group", group).put("version", version).put("kind", kind);
        request.putObject("resource")
                .put("group", group)
                .put("version", version)
                .put("resource", resource);
        request.putObject("requestKind")
                .put("group", group)
                .put("version", version)
                .put("kind", kind);
        request.putObject("requestResource")
                .put("group", group)
                .put("version", version)
                .put("resource", resource);
        request.put("name", name);
        request.put("namespace", namespace);
        request.put("operation", operation);
        ObjectNode user = request.putObject("userInfo");
        user.put("username", "alice@example.com");
        user.putArray("groups").add("platform").add("system:authenticated");
        request.set("object", object);
        request.set("oldObject", oldObject == null ? F.nullNode() : oldObject);
        request.put("dryRun", dryRun);
        request.putObject("options")
                .put("apiVersion", "meta.k8s.io/v1")
                .put("kind", "UPDATE".equals(operation) ? "UpdateOptions" : "CreateOptions")
                .put("fieldManager", "kubectl-client-side-apply");
        try {
            return JSON.writeValueAsBytes(review);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int size(ObjectNode node) {
        return node.toString().length();
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
