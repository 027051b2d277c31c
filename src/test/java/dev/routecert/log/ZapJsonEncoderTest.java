package dev.routecert.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class ZapJsonEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void keyedPlaceholdersBecomeFieldsAndTheRestStaysInTheMessage() {
        Log.Line line = Log.fields(
                "admission uid={} endpoint={} object={} {} failed: {}",
                "u-1",
                "mutate",
                "ns/web\nFORGED",
                "positional",
                "why",
                new IllegalStateException("boom"));
        assertEquals("admission positional failed: why", line.message());
        assertEquals(
                List.of("uid=u-1", "endpoint=mutate", "object=ns/web\nFORGED", "error"),
                line.fields().stream()
                        .map(f -> f[0].equals("error") ? f[0] : f[0] + "=" + f[1])
                        .toList());
        assertTrue(
                line.fields().get(3)[1].startsWith("java.lang.IllegalStateException at "),
                line.fields().get(3)[1]);
    }

    @Test
    void aWordGluedToThePlaceholderIsNoKey() {
        Log.Line line = Log.fields("x-{} a=b={} ={}", "1", "2", "3");
        assertEquals("x-1 a=b=2 =3", line.message());
        assertEquals(List.of(), line.fields());
    }

    @Test
    void oneObjectPerLineWithZapsKeysAndEveryValueEscaped() throws Exception {
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent();
        event.setLoggerName("dev.routecert.admission");
        event.setLevel(Level.WARN);
        event.setMessage("admission \"quoted\"");
        event.setTimeStamp(1_780_000_000_123L);
        event.addKeyValuePair(new KeyValuePair("uid", "u-1\n{\"level\":\"info\"}"));
        event.addKeyValuePair(new KeyValuePair("msg", "a field never replaces the message"));
        ZapJsonEncoder encoder = new ZapJsonEncoder();
        encoder.setContext(context);
        encoder.start();

        String written = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertTrue(written.endsWith("\n"), written);
        assertFalse(written.substring(0, written.length() - 1).contains("\n"), written);
        JsonNode line = JSON.readTree(written);
        assertEquals(List.of("level", "ts", "logger", "msg", "uid", "msg_"), fieldNames(line));
        assertEquals("warn", line.get("level").asText());
        assertEquals("2026-05-28T20:26:40Z", line.get("ts").asText());
        assertEquals("admission", line.get("logger").asText());
        assertEquals("admission \"quoted\"", line.get("msg").asText());
        assertEquals("u-1\n{\"level\":\"info\"}", line.get("uid").asText());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
