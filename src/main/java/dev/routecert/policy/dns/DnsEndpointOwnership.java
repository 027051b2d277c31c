package dev.routecert.policy.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.Check;
import java.util.List;
import java.util.Optional;

/**
 * Whose a DNSEndpoint is, and what routecert may do with it. routecert writes one that is absent,
 * updates one it made for the route (its managed-by label and route annotation), and takes over one
 * that a predecessor of {@code --adopt-from} made for the route (its managed-by label, and a
 * controller ownerReference to the route): switchboard names it after the route, so it is written in
 * place under that name, and the records never go away in between. Any other DNSEndpoint of the
 * planned name is foreign and left untouched.
 */
public final class DnsEndpointOwnership {

    /** The marks a Certificate of routecert's carries too. */
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

    public static final String LEGACY_MANAGED_BY_LABEL = "kubernetes.io/managed-by";
    public static final String MANAGED_BY = "routecert";
    public static final String ROUTE_ANNOTATION = "routecert.dev/route";

    private DnsEndpointOwnership() {}

    /** The route a DNSEndpoint is for; {@code uid} is null while it is being created. */
    public record Route(String apiVersion, String group, String kind, String name, String uid) {
        public String annotationValue() {
            return group + "/" + kind + "/" + name;
        }
    }

    public sealed interface Decision {}

    /** Create ({@code resourceVersion} null) or apply over {@code resourceVersion}. */
    public record Write(ObjectNode object, String resourceVersion, boolean takenOver) implements Decision {
        public String name() {
            return object.path("metadata").path("name").asText();
        }
    }

    /** Already what the plan says. */
    public record Unchanged(String name) implements Decision {}

    /** Nothing to write: the route serves no name and none exists. */
    public record Nothing() implements Decision {}

    /** A DNSEndpoint of the planned name that is not routecert's to change. */
    public record Foreign(String warning) implements Decision {}

    /**
     * @param planned     the cluster's DNSEndpoint of the plan's name, if any
     * @param predecessor the DNSEndpoint named after the route itself (switchboard's name), if any
     */
    public static Decision decide(
            DnsPlan plan,
            Route route,
            Optional<JsonNode> planned,
            Optional<JsonNode> predecessor,
            List<String> adoptFrom) {
        if (predecessor.isPresent()
                && (ours(predecessor.get(), route) || adoptable(predecessor.get(), route, adoptFrom))) {
            return write(plan, route, predecessor.get(), !ours(predecessor.get(), route));
        }
        if (planned.isEmpty()) {
            // with names but no target yet, an empty one holds the place the reconciler fills in
            return plan.hosts().isEmpty() ? new Nothing() : new Write(render(plan, route, plan.name()), null, false);
        }
        JsonNode existing = planned.get();
        if (ours(existing, route) || adoptable(existing, route, adoptFrom)) {
            return write(plan, route, existing, !ours(existing, route));
        }
        String by = managedBy(existing).map(m -> "made by " + m).orElse("not made by routecert");
        return new Foreign(Check.DNS_ENDPOINT_FOREIGN.tag() + " DNSEndpoint " + plan.namespace() + "/" + plan.name()
                + " exists and is " + by + " for this route: routecert leaves it as it is and publishes no record"
                + " for the route (delete or rename it to let routecert write the route's records)");
    }

    private static Decision write(DnsPlan plan, Route route, JsonNode existing, boolean takeOver) {
        String name = existing.path("metadata").path("name").asText();
        ObjectNode desired = render(plan, route, name);
        if (!takeOver && matches(desired, existing)) {
            return new Unchanged(name);
        }
        return new Write(
                desired, existing.path("metadata").path("resourceVersion").asText(null), takeOver);
    }

    /** The object routecert applies under {@code name}: the plan, its marks, and the route as controller. */
    public static ObjectNode render(DnsPlan plan, Route route, String name) {
        ObjectNode object = plan.toObject();
        ObjectNode meta = (ObjectNode) object.get("metadata");
        meta.put("name", name);
        meta.putObject("labels").put(MANAGED_BY_LABEL, MANAGED_BY);
        meta.putObject("annotations").put(ROUTE_ANNOTATION, route.annotationValue());
        if (route.uid() != null && !route.uid().isEmpty()) {
            ArrayNode owners = meta.putArray("ownerReferences");
            owners.addObject()
                    .put("apiVersion", route.apiVersion())
                    .put("kind", route.kind())
                    .put("name", route.name())
                    .put("uid", route.uid())
                    .put("controller", true)
                    .put("blockOwnerDeletion", true);
        }
        return object;
    }

    /** Made by routecert for this route. */
    public static boolean ours(JsonNode object, Route route) {
        JsonNode meta = object.path("metadata");
        return MANAGED_BY.equals(meta.path("labels").path(MANAGED_BY_LABEL).asText(null))
                && route.annotationValue()
                        .equals(meta.path("annotations").path(ROUTE_ANNOTATION).asText(null));
    }

    /** Made by a predecessor for this route: its managed-by label, and the route as its controller. */
    static boolean adoptable(JsonNode object, Route route, List<String> adoptFrom) {
        Optional<String> by = managedBy(object);
        if (by.isEmpty() || !adoptFrom.contains(by.get())) {
            return false;
        }
        for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
            if (owner.path("controller").asBoolean(false)
                    && route.kind().equals(owner.path("kind").asText())
                    && route.name().equals(owner.path("name").asText())
                    && owner.path("apiVersion").asText("").startsWith(route.group() + "/")
                    && (route.uid() == null
                            || route.uid().equals(owner.path("uid").asText()))) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> managedBy(JsonNode object) {
        JsonNode labels = object.path("metadata").path("labels");
        for (String key : List.of(MANAGED_BY_LABEL, LEGACY_MANAGED_BY_LABEL)) {
            if (labels.hasNonNull(key)) {
                return Optional.of(labels.path(key).asText());
            }
        }
        return Optional.empty();
    }

    private static boolean matches(ObjectNode desired, JsonNode existing) {
        JsonNode want = desired.path("metadata");
        JsonNode have = existing.path("metadata");
        if (!desired.path("spec").equals(existing.path("spec"))) {
            return false;
        }
        if (want.has("ownerReferences") && !want.path("ownerReferences").equals(have.path("ownerReferences"))) {
            return false;
        }
        return MANAGED_BY.equals(have.path("labels").path(MANAGED_BY_LABEL).asText(null))
                && want.path("annotations")
                        .path(ROUTE_ANNOTATION)
                        .equals(have.path("annotations").path(ROUTE_ANNOTATION));
    }
}
