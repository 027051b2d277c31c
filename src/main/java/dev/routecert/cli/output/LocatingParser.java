package dev.routecert.cli.output;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser that notes where each token of the current top-level value stands while the ordinary
 * reader builds the tree, so the file is parsed once. A new top-level value starts a new record.
 */
public final class LocatingParser extends JsonParserDelegate {

    private final int firstLine;
    private final List<String> text;
    private Map<String, Locations.Position> keys = new HashMap<>();
    private Map<String, Locations.Position> values = new HashMap<>();
    private int line;

    /**
     * @param firstLine the file's line on which the parser's line 1 stands (a reader that starts
     *                  mid-file counts from there)
     * @param text      the file's lines
     */
    public LocatingParser(JsonParser d, int firstLine, List<String> text) {
        super(d);
        this.firstLine = firstLine;
        this.text = text;
    }

    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken t = super.nextToken();
        if (t == null) {
            return null;
        }
        JsonStreamContext ctx = delegate.getParsingContext();
        boolean topLevel = t.isStructStart()
                ? ctx.getParent() != null && ctx.getParent().inRoot()
                : t.isScalarValue() && ctx.inRoot();
        JsonLocation at = delegate.currentTokenLocation();
        Locations.Position p = new Locations.Position(firstLine + at.getLineNr() - 1, Math.max(0, at.getColumnNr()));
        if (topLevel) {
            keys = new HashMap<>();
            values = new HashMap<>();
            line = p.line();
        }
        // a new object's or array's own context has no name or index yet: it stands where its parent points
        JsonStreamContext named = t.isStructStart() ? ctx.getParent() : ctx;
        String pointer = named.pathAsPointer(false).toString();
        if (t == JsonToken.FIELD_NAME || t.isStructStart()) {
            keys.putIfAbsent(pointer, p);
        } else if (t.isScalarValue()) {
            keys.putIfAbsent(pointer, p);
            values.putIfAbsent(pointer, p);
        }
        return t;
    }

    // the tree reader also steps with these; each goes through nextToken so no token is missed

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }

    @Override
    public String nextFieldName() throws IOException {
        return nextToken() == JsonToken.FIELD_NAME ? currentName() : null;
    }

    @Override
    public boolean nextFieldName(SerializableString name) throws IOException {
        return nextToken() == JsonToken.FIELD_NAME && name.getValue().equals(currentName());
    }

    @Override
    public String nextTextValue() throws IOException {
        return nextToken() == JsonToken.VALUE_STRING ? getText() : null;
    }

    @Override
    public int nextIntValue(int defaultValue) throws IOException {
        return nextToken() == JsonToken.VALUE_NUMBER_INT ? getIntValue() : defaultValue;
    }

    @Override
    public long nextLongValue(long defaultValue) throws IOException {
        return nextToken() == JsonToken.VALUE_NUMBER_INT ? getLongValue() : defaultValue;
    }

    @Override
    public Boolean nextBooleanValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.VALUE_TRUE ? Boolean.TRUE : t == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
    }

    /** Where the fields of the top-level value read last stand. */
    public Locations last() {
        return new Locations(line, Map.copyOf(keys), Map.copyOf(values), text);
    }

    /** The same for element {@code index} of a top-level array read last. */
    public Locations element(int index) {
        return last().within("/" + index);
    }
}
