package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Certificate as the API server holds it, reduced to what ownership and reuse decisions read.
 *
 * @param route            the route named by routecert's annotation, when routecert manages it
 * @param ownerUids        uids of its ownerReferences that point at a route kind routecert handles
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
        Instant writtenAt) {

    public ExistingCertificate {
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        ownerUids = List.copyOf(ownerUids);
        spec = spec == null ? JsonNodeFactory.instance.objectNode() : spec;
    }

    /** Reads a Certificate object (a JSON tree of {@code cert-manager.io/v1 Certificate}). */
    public static ExistingCertificate from(JsonNode object) {
        JsonNode meta = object.path("metadata");
        String namespace = meta.path("namespace").asText("");
        boolean managed = Ownership.MANAGED_BY.equals(
                meta.path("labels").path(Ownership.MANAGED_BY_LABEL).asText(null));
        Optional<RouteRef> route = managed
                ? RouteRef.parse(
                        meta.path("annotations")
                                .path(Ownership.ROUTE_ANNOTATION)
                                .asText(null),
                        namespace)
                : Optional.empty();
        List<String> owners = new ArrayList<>();
        for (JsonNode ref : meta.path("ownerReferences")) {
            owners.add(ref.path("uid").asText(""));
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
                instant(ahead[1]));
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
