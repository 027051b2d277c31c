package dev.routecert.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.routes.RouteKind;

/** An {@link AdmissionRequest} of a route object as the API server sends it, by user alice. */
public final class TestRequests {

    private TestRequests() {}

    /** Group, version, kind, resource, name and namespace come from {@code object}. */
    public static AdmissionRequest of(String uid, JsonNode object, String operation, boolean dryRun) {
        String apiVersion = object.path("apiVersion").asText();
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        String kind = object.path("kind").asText();
        RouteKind route = RouteKind.of(group, version, kind)
                .orElseThrow(() -> new IllegalArgumentException("not a route kind: " + apiVersion + " " + kind));
        JsonNode meta = object.path("metadata");
        return new AdmissionRequest(
                uid,
                group,
                version,
                kind,
                route.resource(),
                "",
                meta.path("name").asText(),
                meta.path("namespace").asText(),
                operation,
                "alice",
                dryRun,
                object,
                null);
    }
}
