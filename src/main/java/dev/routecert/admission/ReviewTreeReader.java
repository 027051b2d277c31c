package dev.routecert.admission;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads an AdmissionReview into a JSON tree, leaving out of its objects what routecert never reads
 * or patches:
 * <ul>
 *   <li>{@code request.oldObject}, when the policy does not read it ({@link ObjectReads}): an
 *       UPDATE carries the object twice;</li>
 *   <li>the two fields the API server and kubectl keep for their own bookkeeping,
 *       {@code metadata.managedFields} and the {@code kubectl.kubernetes.io/last-applied-configuration}
 *       annotation (a second copy of the whole object as an escaped string), together often half of
 *       a review's bytes;</li>
 *   <li>the fields of list items that the policy does not read ({@link ListProjection}), such as the
 *       services and middlewares of each route: most of the nodes of an object with thousands of
 *       routes. This needs {@code request.kind} before {@code request.object}, the order the API
 *       server writes; a review in another order is read without it, and judged the same.</li>
 * </ul>
 * They are skipped while the body is tokenized, so a large review builds a small tree, and the tree
 * that lives while the review is judged stays small enough for a young collection to copy cheaply.
 *
 * <p>Only {@code request.object} and {@code request.oldObject} lose fields, and both lose the same
 * ones, so a patch computed between an object and its mutated copy never mentions them. Everything
 * else, and every value of another shape than expected, is read whole by Jackson, as
 * {@link ObjectMapper#readTree} would: the checks after parsing judge it.
 */
final class ReviewTreeReader {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    /** Where in the review a value is; only these levels are walked here, field by field. */
    private enum Level {
        REVIEW,
        REQUEST,
        OBJECT,
        METADATA,
        ANNOTATIONS,
        SPEC,
        LIST,
        ITEM
    }

    private final ObjectMapper mapper;
    private final ObjectReads reads;

    ReviewTreeReader(ObjectMapper mapper) {
        this(mapper, ObjectReads.ALL);
    }

    ReviewTreeReader(ObjectMapper mapper, ObjectReads reads) {
        this.mapper = mapper;
        this.reads = reads;
    }

    /** The whole body as a tree, or null when it holds no JSON value at all. */
    JsonNode read(byte[] body) throws IOException {
        try (JsonParser parser = mapper.createParser(body)) {
            if (parser.nextToken() == null) {
                return null;
            }
            return new Walk(parser).value(Level.REVIEW);
        }
    }

    /** The lists to project, by field name in spec, for a {@code request.kind} value; empty when none. */
    private Map<String, Set<String>> listsFor(JsonNode kind) {
        if (reads.lists().isEmpty() || !kind.isObject()) {
            return Map.of();
        }
        String group = kind.path("group").asText("");
        String version = kind.path("version").asText("");
        String name = kind.path("kind").asText("");
        Map<String, Set<String>> lists = new HashMap<>();
        for (ListProjection p : reads.lists()) {
            if (p.appliesTo(group, version, name)) {
                lists.put(p.specList(), p.itemFields());
            }
        }
        return lists;
    }

    /** One body's walk: it learns the kind on the way, and projects the objects that come after it. */
    private final class Walk {
        private final JsonParser parser;
        private Map<String, Set<String>> lists = Map.of();
        /** The item fields of the list being walked. */
        private Set<String> itemFields = Set.of();

        Walk(JsonParser parser) {
            this.parser = parser;
        }

        /** The value at the current token; {@code level} null: read it whole. */
        JsonNode value(Level level) throws IOException {
            JsonToken token = parser.currentToken();
            if (level == Level.LIST && token == JsonToken.START_ARRAY) {
                ArrayNode items = JsonNodeFactory.instance.arrayNode();
                int done = 0;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(Level.ITEM));
                    CpuTurns.afterItems(++done);
                }
                return items;
            }
            if (level == null || level == Level.LIST || token != JsonToken.START_OBJECT) {
                return whole();
            }
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            String field;
            while ((field = parser.nextFieldName()) != null) {
                parser.nextToken();
                if (skips(level, field)) {
                    parser.skipChildren();
                    continue;
                }
                Level childLevel = child(level, field);
                if (childLevel == Level.LIST) {
                    itemFields = lists.get(field);
                }
                JsonNode child = value(childLevel);
                node.replace(field, child);
                if (level == Level.REQUEST && field.equals("kind")) {
                    lists = listsFor(child);
                }
            }
            return node;
        }

        private boolean skips(Level level, String field) {
            return switch (level) {
                case REQUEST -> field.equals("oldObject") && !reads.oldObject();
                case METADATA -> field.equals("managedFields");
                case ANNOTATIONS -> field.equals(LAST_APPLIED);
                case ITEM -> !itemFields.contains(field);
                default -> false;
            };
        }

        /** The level of a field's value when it is walked field by field too; null: read it whole. */
        private Level child(Level level, String field) {
            return switch (level) {
                case REVIEW -> field.equals("request") ? Level.REQUEST : null;
                case REQUEST -> field.equals("object") || field.equals("oldObject") ? Level.OBJECT : null;
                case OBJECT ->
                    field.equals("metadata")
                            ? Level.METADATA
                            : field.equals("spec") && !lists.isEmpty() ? Level.SPEC : null;
                case METADATA -> field.equals("annotations") ? Level.ANNOTATIONS : null;
                case SPEC -> lists.containsKey(field) ? Level.LIST : null;
                case ANNOTATIONS, LIST, ITEM -> null;
            };
        }

        /** Strings, booleans and nulls directly (most fields at the walked levels); the rest through Jackson. */
        private JsonNode whole() throws IOException {
            return switch (parser.currentToken()) {
                case VALUE_STRING -> JsonNodeFactory.instance.textNode(parser.getText());
                case VALUE_TRUE -> JsonNodeFactory.instance.booleanNode(true);
                case VALUE_FALSE -> JsonNodeFactory.instance.booleanNode(false);
                case VALUE_NULL -> JsonNodeFactory.instance.nullNode();
                default -> mapper.readTree(parser);
            };
        }
    }
}
