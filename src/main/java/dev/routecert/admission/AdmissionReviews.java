package dev.routecert.admission;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads and writes {@code admission.k8s.io/v1} AdmissionReviews as JSON trees. Parsing is bounded by
 * Jackson's read constraints, so a hostile body costs at most its (already capped) size.
 */
public final class AdmissionReviews {

    public static final String API_VERSION = "admission.k8s.io/v1";
    private static final Set<String> OPERATIONS = Set.of("CREATE", "UPDATE", "DELETE", "CONNECT");
    /** Kubernetes objects nest a few dozen levels; far deeper is an attack or a bug. */
    public static final int MAX_NESTING_DEPTH = 256;

    private final ObjectMapper mapper;
    private final ReviewTreeReader treeReader;

    public AdmissionReviews(long maxRequestBytes) {
        int maxString = (int) Math.min(Integer.MAX_VALUE, Math.max(maxRequestBytes, 1024));
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(maxString)
                        .maxNumberLength(64)
                        .maxDocumentLength(maxRequestBytes)
                        .build())
                .build();
        this.mapper = new ObjectMapper(factory);
        this.treeReader = new ReviewTreeReader(mapper);
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * Parses a review body into a request, or says precisely why it cannot be one. The request's
     * objects come without their bookkeeping fields ({@link ReviewTreeReader}).
     */
    public AdmissionRequest parse(byte[] body) throws ReviewRejection {
        if (body.length == 0) {
            throw ReviewRejection.badRequest("request body is empty: expected an " + API_VERSION + " AdmissionReview");
        }
        JsonNode review;
        try {
            review = treeReader.read(body);
        } catch (StreamConstraintsException e) {
            throw ReviewRejection.badRequest("request body exceeds a JSON limit: " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw ReviewRejection.badRequest("request body is not valid JSON: " + firstLine(e.getOriginalMessage())
                    + " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw ReviewRejection.badRequest("request body cannot be read: " + e.getMessage());
        }
        if (review == null || !review.isObject()) {
            throw ReviewRejection.badRequest(
                    "request body must be a JSON object: an " + API_VERSION + " AdmissionReview");
        }
        JsonNode request = review.get("request");
        String uid = request != null && request.isObject() ? text(request, "uid") : "";
        String apiVersion = text(review, "apiVersion");
        String echoVersion = apiVersion.startsWith("admission.k8s.io/") ? apiVersion : null;
        String knownUid = uid.isEmpty() ? null : uid;
        if (!"AdmissionReview".equals(text(review, "kind"))) {
            throw new ReviewRejection(
                    400,
                    "BadRequest",
                    "kind must be AdmissionReview, got \"" + text(review, "kind") + "\"",
                    knownUid,
                    echoVersion);
        }
        if (!API_VERSION.equals(apiVersion)) {
            throw new ReviewRejection(
                    400,
                    "BadRequest",
                    "unsupported AdmissionReview apiVersion \"" + apiVersion + "\": routecert speaks " + API_VERSION
                            + " (set admissionReviewVersions: [v1])",
                    knownUid,
                    echoVersion);
        }
        if (request == null || request.isNull()) {
            throw ReviewRejection.badRequest("AdmissionReview has no request");
        }
        if (!request.isObject()) {
            throw ReviewRejection.badRequest("AdmissionReview request must be an object");
        }
        if (uid.isEmpty()) {
            JsonNode uidNode = request.get("uid");
            throw ReviewRejection.badRequest(
                    uidNode == null || uidNode.isNull() || uidNode.asText().isEmpty()
                            ? "AdmissionReview request has no uid"
                            : "AdmissionReview request.uid must be a string, got "
                                    + uidNode.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        JsonNode kind = request.path("kind");
        String kindName = text(kind, "kind");
        String version = text(kind, "version");
        if (kindName.isEmpty() || version.isEmpty()) {
            throw new ReviewRejection(
                    400, "BadRequest", "AdmissionReview request.kind must carry version and kind", uid, apiVersion);
        }
        String operation = text(request, "operation");
        if (!OPERATIONS.contains(operation)) {
            throw new ReviewRejection(
                    400,
                    "BadRequest",
                    "AdmissionReview request.operation must be one of " + "CREATE, UPDATE, DELETE, CONNECT, got \""
                            + operation + "\"",
                    uid,
                    apiVersion);
        }
        JsonNode dryRun = request.path("dryRun");
        if (!dryRun.isMissingNode() && !dryRun.isNull() && !dryRun.isBoolean()) {
            throw new ReviewRejection(
                    400, "BadRequest", "AdmissionReview request.dryRun must be a boolean", uid, apiVersion);
        }
        return new AdmissionRequest(
                uid,
                text(kind, "group"),
                version,
                kindName,
                text(request.path("resource"), "resource"),
                text(request, "subResource"),
                text(request, "name"),
                text(request, "namespace"),
                operation,
                text(request.path("userInfo"), "username"),
                dryRun.asBoolean(false),
                objectOrNull(request.get("object")),
                objectOrNull(request.get("oldObject")));
    }

    /** The AdmissionReview answering a request. */
    public ObjectNode response(String apiVersion, String uid, AdmissionDecision decision) {
        ObjectNode review = JsonNodeFactory.instance.objectNode();
        review.put("apiVersion", apiVersion);
        review.put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response");
        response.put("uid", uid);
        response.put("allowed", decision.allowed());
        if (decision.status() != null) {
            AdmissionDecision.Status status = decision.status();
            ObjectNode statusNode = response.putObject("status");
            statusNode.putObject("metadata");
            statusNode.put("status", "Failure");
            statusNode.put("message", status.message());
            statusNode.put("reason", status.reason());
            statusNode.put("code", status.code());
            if (!status.causes().isEmpty()) {
                ArrayNode causes = statusNode.putObject("details").putArray("causes");
                for (AdmissionDecision.Cause cause : status.causes()) {
                    ObjectNode node = causes.addObject();
                    node.put("reason", cause.reason());
                    node.put("message", cause.message());
                    node.put("field", cause.field());
                }
            }
        }
        if (decision.patch() != null) {
            response.put("patchType", "JSONPatch");
            response.put(
                    "patch",
                    Base64.getEncoder()
                            .encodeToString(decision.patch().toString().getBytes(StandardCharsets.UTF_8)));
        }
        if (!decision.warnings().isEmpty()) {
            ArrayNode warnings = response.putArray("warnings");
            decision.warnings().forEach(warnings::add);
        }
        return review;
    }

    /**
     * The answer to a refused request: an AdmissionReview when the uid is known (the API server can
     * match it), otherwise a Kubernetes {@code Status}.
     */
    public ObjectNode rejection(ReviewRejection rejection) {
        if (rejection.uid() != null) {
            String apiVersion = rejection.apiVersion() == null ? API_VERSION : rejection.apiVersion();
            return response(
                    apiVersion,
                    rejection.uid(),
                    new AdmissionDecision(
                            false,
                            new AdmissionDecision.Status(
                                    rejection.httpStatus(), rejection.reason(), rejection.getMessage(), List.of()),
                            List.of(),
                            null));
        }
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put("apiVersion", "v1");
        status.put("kind", "Status");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", rejection.getMessage());
        status.put("reason", rejection.reason());
        status.put("code", rejection.httpStatus());
        return status;
    }

    public byte[] write(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? value.asText() : "";
    }

    private static JsonNode objectOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
