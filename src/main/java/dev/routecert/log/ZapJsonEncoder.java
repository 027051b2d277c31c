package dev.routecert.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line, as controller-runtime's zap logger writes them in production: {@code level}
 * (lower case), {@code ts} (RFC 3339, seconds, its default time encoder), {@code logger}, {@code msg},
 * then each field of the line as a top-level key, and an exception as {@code error} (logr's key), on one
 * line. No library writes this shape; Jackson does the escaping.
 */
public final class ZapJsonEncoder extends EncoderBase<ILoggingEvent> {

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] NOTHING = new byte[0];
    private static final Set<String> RESERVED = Set.of("level", "ts", "logger", "msg", "error");

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("level", level(event.getLevel()));
            json.writeStringField(
                    "ts",
                    Instant.ofEpochMilli(event.getTimeStamp())
                            .truncatedTo(ChronoUnit.SECONDS)
                            .toString());
            json.writeStringField("logger", shortName(event.getLoggerName()));
            json.writeStringField("msg", event.getFormattedMessage());
            List<KeyValuePair> fields = event.getKeyValuePairs();
            if (fields != null) {
                Set<String> written = new HashSet<>(RESERVED);
                for (KeyValuePair field : fields) {
                    String key = field.key;
                    while (!written.add(key)) {
                        key = key + "_"; // a field never overwrites the line's own keys or an earlier field
                    }
                    json.writeStringField(key, String.valueOf(field.value));
                }
            }
            String cause = OneLineCause.describe(event.getThrowableProxy());
            if (cause != null) {
                json.writeStringField("error", cause);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static String level(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "error";
            case Level.WARN_INT -> "warn";
            case Level.INFO_INT -> "info";
            default -> "debug";
        };
    }

    private static String shortName(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }
}
