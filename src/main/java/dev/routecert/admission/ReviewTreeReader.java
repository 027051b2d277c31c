package dev.routecert.admission;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Reads an AdmissionReview into a JSON tree, leaving out of its objects the two fields the API
 * server and kubectl keep for their own bookkeeping, which routecert never reads or patches:
 * {@code metadata.managedFields}, and the {@code kubectl.kubernetes.io/last-applied-configuration}
 * annotation, a second copy of the whole object as an escaped string. Together they are often half
 * of a review's bytes. They are skipped while the body is tokenized, so the string is never decoded,
 * and a large review builds a tree half the size.
 *
 * <p>Only {@code request.object} and {@code request.oldObject} lose those fields, and both lose the
 * same ones, so a patch computed between an object and its mutated copy never mentions them.
 * Everything else, and every value of another shape than expected, is read whole by Jackson, as
 * {@link ObjectMapper#readTree} would: the checks after parsing judge it.
 */
final class ReviewTreeReader {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    /** Where in the review an object is; only these levels are walked here, field by field. */
    private enum Level {
        REVIEW, REQUEST, OBJECT, METADATA, ANNOTATIONS;

        /** The level of a field's value when it is walked field by field too; {@code null}: read it whole. */
        Level child(String field) {
            return switch (this) {
                case REVIEW -> field.equals("request") ? REQUEST : null;
                case REQUEST -> field.equals("object") || field.equals("oldObject") ? OBJECT : null;
                case OBJECT -> field.equals("metadata") ? METADATA : null;
                case METADATA -> field.equals("annotations") ? ANNOTATIONS : null;
                case ANNOTATIONS -> null;
            };
        }

        boolean skips(String field) {
            return this == METADATA && field.equals("managedFields") || this == ANNOTATIONS && field.equals(LAST_APPLIED);
        }
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
            return read(parser, Level.REVIEW);
        }
    }

    private JsonNode read(JsonParser parser, Level level) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            return readWhole(parser);
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        String field;
        while ((field = parser.nextFieldName()) != null) {
            parser.nextToken();
            if (level.skips(field)) {
                parser.skipChildren();
                continue;
            }
            Level child = level.child(field);
            node.replace(field, child == null ? readWhole(parser) : read(parser, child));
        }
        return node;
    }

    /** Strings, booleans and nulls directly (most fields at the walked levels); the rest through Jackson. */
    private JsonNode readWhole(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> JsonNodeFactory.instance.textNode(parser.getText());
            case VALUE_TRUE -> JsonNodeFactory.instance.booleanNode(true);
            case VALUE_FALSE -> JsonNodeFactory.instance.booleanNode(false);
            case VALUE_NULL -> JsonNodeFactory.instance.nullNode();
            default -> mapper.readTree(parser);
        };
    }
}
