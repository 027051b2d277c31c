package dev.routecert.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * An {@code admission.k8s.io/v1} AdmissionReview shaped as the API server sends it, for the
 * {@code warmup} command, the benchmark and tests. Immutable: every call that sets a part returns
 * a new builder, so one base review can be varied per request.
 */
public final class AdmissionReviewBuilder {

    /** The uid of a review that was given none: 36 characters, like the API server's. */
    public static final String DEFAULT_UID = "00000000-0000-4000-8000-000000000000";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private String group;
    private String version;
    private String kind;
    private String resource;
    private String operation = "CREATE";
    private String namespace;
    private String name;
    private JsonNode object;
    private JsonNode oldObject;
    private boolean dryRun;
    private String uid = DEFAULT_UID;
    private String username;
    private List<String> userGroups = List.of();
    private String fieldManager;

    private AdmissionReviewBuilder() {}

    /** A copy of this builder with {@code change} made to it: this one stays as it is. */
    private AdmissionReviewBuilder with(Consumer<AdmissionReviewBuilder> change) {
        AdmissionReviewBuilder copy = new AdmissionReviewBuilder();
        copy.group = group;
        copy.version = version;
        copy.kind = kind;
        copy.resource = resource;
        copy.operation = operation;
        copy.namespace = namespace;
        copy.name = name;
        copy.object = object;
        copy.oldObject = oldObject;
        copy.dryRun = dryRun;
        copy.uid = uid;
        copy.username = username;
        copy.userGroups = userGroups;
        copy.fieldManager = fieldManager;
        change.accept(copy);
        return copy;
    }

    /** A CREATE of a {@code kind} served as {@code resource} (its plural, or null to leave it out). */
    public static AdmissionReviewBuilder of(String group, String version, String kind, String resource) {
        AdmissionReviewBuilder review = new AdmissionReviewBuilder();
        review.group = group;
        review.version = version;
        review.kind = kind;
        review.resource = resource;
        return review;
    }

    /**
     * A CREATE of {@code object}: group, version and kind from its apiVersion and kind, name from its
     * metadata, namespace from its metadata or else {@code namespace} (where the API server would
     * create it). The resource is left out: it is not part of the object.
     */
    public static AdmissionReviewBuilder forObject(JsonNode object, String namespace) {
        String apiVersion = object.path("apiVersion").asText("");
        int slash = apiVersion.lastIndexOf('/');
        String own = object.path("metadata").path("namespace").asText("");
        String name = object.path("metadata").path("name").asText("");
        return of(
                        slash < 0 ? "" : apiVersion.substring(0, slash),
                        apiVersion.substring(slash + 1),
                        object.path("kind").asText(""),
                        null)
                .namespace(own.isEmpty() ? namespace : own)
                .name(name.isEmpty() ? null : name)
                .object(object);
    }

    /** CREATE, UPDATE, DELETE or CONNECT (not checked: tests send wrong ones on purpose). */
    public AdmissionReviewBuilder operation(String operation) {
        return with(copy -> copy.operation = operation);
    }

    public AdmissionReviewBuilder namespace(String namespace) {
        return with(copy -> copy.namespace = namespace);
    }

    public AdmissionReviewBuilder name(String name) {
        return with(copy -> copy.name = name);
    }

    /** The object as admitted; the builder keeps the tree as given, so do not change it afterwards. */
    public AdmissionReviewBuilder object(JsonNode object) {
        return with(copy -> copy.object = object);
    }

    /** The object before an UPDATE or DELETE. */
    public AdmissionReviewBuilder oldObject(JsonNode oldObject) {
        return with(copy -> copy.oldObject = oldObject);
    }

    public AdmissionReviewBuilder dryRun(boolean dryRun) {
        return with(copy -> copy.dryRun = dryRun);
    }

    public AdmissionReviewBuilder uid(String uid) {
        return with(copy -> copy.uid = uid);
    }

    /** The requesting user, as the API server authenticated it. */
    public AdmissionReviewBuilder user(String username, String... groups) {
        return with(copy -> {
            copy.username = username;
            copy.userGroups = List.of(groups);
        });
    }

    /** The field manager of the write, which the API server passes on in the operation's options. */
    public AdmissionReviewBuilder fieldManager(String fieldManager) {
        return with(copy -> copy.fieldManager = fieldManager);
    }

    /** The review as a JSON tree; the objects are shared with this builder, not copied. */
    public ObjectNode tree() {
        ObjectNode review = F.objectNode();
        review.put("apiVersion", AdmissionReviews.API_VERSION);
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", uid);
        request.set("kind", groupVersion().put("kind", kind));
        if (resource != null) {
            request.set("resource", groupVersion().put("resource", resource));
        }
        request.set("requestKind", groupVersion().put("kind", kind));
        if (resource != null) {
            request.set("requestResource", groupVersion().put("resource", resource));
        }
        if (name != null) {
            request.put("name", name);
        }
        if (namespace != null) {
            request.put("namespace", namespace);
        }
        request.put("operation", operation);
        if (username != null) {
            ObjectNode user = request.putObject("userInfo");
            user.put("username", username);
            if (!userGroups.isEmpty()) {
                ArrayNode groups = user.putArray("groups");
                userGroups.forEach(groups::add);
            }
        }
        request.set("object", object == null ? F.nullNode() : object);
        request.set("oldObject", oldObject == null ? F.nullNode() : oldObject);
        request.put("dryRun", dryRun);
        if (fieldManager != null) {
            request.putObject("options")
                    .put("apiVersion", "meta.k8s.io/v1")
                    .put("kind", optionsKind())
                    .put("fieldManager", fieldManager);
        }
        return review;
    }

    /** The review as the UTF-8 JSON body of a request. */
    public byte[] bytes() {
        try {
            return JSON.writeValueAsBytes(tree());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /** The review as a JSON string. */
    public String json() {
        return tree().toString();
    }

    private ObjectNode groupVersion() {
        return F.objectNode().put("group", group).put("version", version);
    }

    /** CreateOptions, UpdateOptions, DeleteOptions: the options type the API server sends with the operation. */
    private String optionsKind() {
        String op = operation.toLowerCase(Locale.ROOT);
        return op.isEmpty() ? "Options" : Character.toUpperCase(op.charAt(0)) + op.substring(1) + "Options";
    }
}
