package dev.routecert.admission;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of an {@code admission.k8s.io/v1} AdmissionRequest that policies read. The objects stay
 * raw JSON trees so that a patch is computed against exactly what the API server sent.
 *
 * @param object    the object, without the API server's and kubectl's bookkeeping fields
 *                  ({@link ReviewTreeReader})
 * @param oldObject the previous object of an UPDATE, read the same way; null for other operations
 */
public record AdmissionRequest(
        String uid,
        String group,
        String version,
        String kind,
        String resource,
        String subResource,
        String name,
        String namespace,
        String operation,
        String username,
        boolean dryRun,
        JsonNode object,
        JsonNode oldObject) {

    /** {@code group/version/Kind}, or {@code version/Kind} for the core group. */
    public String gvk() {
        return (group.isEmpty() ? "" : group + "/") + version + "/" + kind;
    }

    /** {@code namespace/name}, with the generateName prefix when the name is not set yet. */
    public String objectRef() {
        String shownName = name;
        if (shownName.isEmpty() && object != null) {
            String generateName = object.path("metadata").path("generateName").asText("");
            shownName = generateName.isEmpty() ? "<unnamed>" : generateName + "*";
        }
        return namespace.isEmpty() ? shownName : namespace + "/" + shownName;
    }
}
