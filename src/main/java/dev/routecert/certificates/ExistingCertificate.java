package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Certificate as the API server holds it, reduced to what ownership and reuse decisions read.
 *
 * @param managedByRoutecert routecert wrote it: its managed-by label or its route annotation (where
 *                         cert-manager's ingress-shim also writes, routecert leaves the labels to it)
 * @param route            the route named by routecert's annotation
 * @param ownerUids        uids of its ownerReferences
 * @param controllerUid    uid of its controller ownerReference, or null
 * @param spec             the whole spec, to tell whether an update would change anything
 * @param writtenAheadOf   the route resourceVersion an admission UPDATE wrote it ahead of, or null
 * @param writtenAt        when that was (EPOCH when not set)
 */
public record ExistingCertificate(
        String namespace,
        String name,
        String uid,
        String resourceVersion,
        boolean managedByRoutecert,
        Optional<RouteRef> route,
        String secretName,
        List<String> dnsNames,
        List<String> ipAddresses,
        List<String> ownerUids,
        Instant created,
        boolean deleting,
        JsonNode spec,
        String writtenAheadOf,
        Instant writtenAt,
        String controllerUid,
        Map<String, String> labels,
        Map<String, String> annotations) {

    public ExistingCertificate {
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        ownerUids = List.copyOf(ownerUids);
        spec = spec == null ? JsonNodeFactory.instance.objectNode() : spec;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /**
     * Whether this is {@code route}'s own Certificate: routecert wrote it for that route, or the route
     * controls it (uid known, so an UPDATE), whoever wrote it.
     */
    public boolean belongsTo(RouteRef route, String routeUid) {
        if (routeUid != null && !routeUid.isEmpty() && routeUid.equals(controllerUid)) {
            return true;
        }
        return managedByRoutecert && this.route.filter(route::equals).isPresent();
    }

    /** Reads a Certificate object (a JSON tree of {@code cert-manager.io/v1 Certificate}). */
    public static ExistingCertificate from(JsonNode object) {
        JsonNode meta = object.path("metadata");
        String namespace = meta.path("namespace").asText("");
        Optional<RouteRef> route = RouteRef.parse(
                meta.path("annotations").path(Ownership.ROUTE_ANNOTATION).asText(null), namespace);
        boolean managed = route.isPresent()
                || Ownership.MANAGED_BY.equals(
                        meta.path("labels").path(Ownership.MANAGED_BY_LABEL).asText(null));
        List<String> owners = new ArrayList<>();
        String controller = null;
        for (JsonNode ref : meta.path("ownerReferences")) {
            owners.add(ref.path("uid").asText(""));
            if (ref.path("controller").asBoolean(false)) {
                controller = ref.path("uid").asText("");
            }
        }
        JsonNode spec = object.path("spec");
        String[] ahead = managed
                ? meta.path("annotations")
                        .path(Ownership.WRITTEN_AHEAD_ANNOTATION)
                        .asText("")
                        .split(" ", 2)
                : new String[] {""};
        if (ahead.length < 2 || ahead[0].isEmpty()) {
            ahead = new String[] {null, null};
        }
        return new ExistingCertificate(
                namespace,
                meta.path("name").asText(""),
                meta.path("uid").asText(""),
                meta.path("resourceVersion").asText(""),
                managed,
                route,
                spec.path("secretName").asText(""),
                strings(spec.path("dnsNames")),
                strings(spec.path("ipAddresses")),
                owners,
                instant(meta.path("creationTimestamp").asText(null)),
                meta.hasNonNull("deletionTimestamp"),
                spec.isObject() ? spec : null,
                ahead[0],
                instant(ahead[1]),
                controller,
                stringMap(meta.path("labels")),
                stringMap(meta.path("annotations")));
    }

    private static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> out = new HashMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** Every name the Certificate is valid for: DNS names and IP addresses. */
    public List<String> names() {
        List<String> all = new ArrayList<>(dnsNames);
        all.addAll(ipAddresses);
        return all;
    }

    public String ref() {
        return namespace + "/" + name;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) {
            if (n.isTextual()) {
                out.add(n.asText());
            }
        }
        return out;
    }

    /** An RFC 3339 timestamp as Kubernetes writes it; EPOCH when absent or unreadable. */
    static Instant instant(String text) {
        if (text == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
