package dev.routecert.admission;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Reads an AdmissionReview into a JSON tree, leaving out of {@code request.object} and
 * {@code request.oldObject} the two fields the API server and kubectl keep for their own
 * bookkeeping: {@code metadata.managedFields} and the
 * {@code kubectl.kubernetes.io/last-applied-configuration} annotation (a second copy of the whole
 * object as an escaped string). Nothing that a check reads or a patch writes is among them, and they
 * are often half of a review's bytes, so they are skipped while the body is tokenized rather than
 * built into the tree. Both objects lose the same fields, so a patch between an object and its
 * mutated copy never mentions them. Everything else is read whole, as {@link ObjectMapper#readTree}
 * would.
 */
final class ReviewTreeReader {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    /** Where in the review a value is; only these levels are walked field by field. */
    private enum Level {
        REVIEW,
        REQUEST,
        OBJECT,
        METADATA,
        ANNOTATIONS
    }

    private final ObjectMapper mapper;

    ReviewTreeReader(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The whole body as a tree, or null when it holds no JSON value at all. */
    JsonNode read(byte[] body) throws IOException {
        try (JsonParser parser = mapper.createParser(body)) {
            if (parser.nextToken() == null) {
                return null;
            }
            return value(parser, Level.REVIEW);
        }
    }

    /** The value at the current token; {@code level} null: read it whole. */
    private JsonNode value(JsonParser parser, Level level) throws IOException {
        if (level == null || parser.currentToken() != JsonToken.START_OBJECT) {
            return mapper.readTree(parser);
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        String field;
        while ((field = parser.nextFieldName()) != null) {
            parser.nextToken();
            if (skips(level, field)) {
                parser.skipChildren();
                continue;
            }
            node.replace(field, value(parser, child(level, field)));
        }
        return node;
    }

    private static boolean skips(Level level, String field) {
        return switch (level) {
            case METADATA -> field.equals("managedFields");
            case ANNOTATIONS -> field.equals(LAST_APPLIED);
            default -> false;
        };
    }

    /** The level of a field's value when it is walked field by field too; null: read it whole. */
    private static Level child(Level level, String field) {
        return switch (level) {
            case REVIEW -> field.equals("request") ? Level.REQUEST : null;
            case REQUEST -> field.equals("object") || field.equals("oldObject") ? Level.OBJECT : null;
            case OBJECT -> field.equals("metadata") ? Level.METADATA : null;
            case METADATA -> field.equals("annotations") ? Level.ANNOTATIONS : null;
            case ANNOTATIONS -> null;
        };
    }
}
