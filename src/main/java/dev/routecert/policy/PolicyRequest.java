package dev.routecert.policy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One admission question, reduced to what the policy reads: the resource's group/version/kind,
 * the operation, the namespace and the raw objects. The policy judges an UPDATE by its new object;
 * the old one only tells whether an object being deleted changed anything that is checked.
 *
 * @param operation CREATE, UPDATE, DELETE or CONNECT
 * @param object    the raw object as sent by the API server; never converted to typed classes
 * @param oldObject the object before an UPDATE, raw; null for other operations or when not known
 */
public record PolicyRequest(
        String group,
        String version,
        String kind,
        String operation,
        String namespace,
        JsonNode object,
        JsonNode oldObject) {

    /** A request without an old object. */
    public PolicyRequest(
            String group, String version, String kind, String operation, String namespace, JsonNode object) {
        this(group, version, kind, operation, namespace, object, null);
    }

    /** Builds a CREATE request from an object, reading group/version from its apiVersion. */
    public static PolicyRequest create(JsonNode object, String fallbackNamespace) {
        String apiVersion = text(object, "apiVersion");
        String group = "";
        String version = apiVersion == null ? "" : apiVersion;
        if (apiVersion != null) {
            int slash = apiVersion.lastIndexOf('/');
            if (slash >= 0) {
                group = apiVersion.substring(0, slash);
                version = apiVersion.substring(slash + 1);
            }
        }
        String kind = text(object, "kind");
        String namespace = object == null ? null : text(object.path("metadata"), "namespace");
        if (namespace == null || namespace.isEmpty()) {
            namespace = fallbackNamespace;
        }
        return new PolicyRequest(group, version, kind == null ? "" : kind, "CREATE", namespace, object);
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}
