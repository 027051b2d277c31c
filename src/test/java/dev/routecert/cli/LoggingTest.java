package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoggingTest {

    @Test
    void aFlushAfterEachLineWritesNothingUntilWriteOut() {
        ByteArrayOutputStream under = new ByteArrayOutputStream();
        Logging.DeferredFlush buffer = new Logging.DeferredFlush(under);
        PrintStream out = new PrintStream(buffer, false, StandardCharsets.UTF_8);
        out.println("first line");
        out.flush(); // what slf4j-simple does after every line
        out.println("second line");
        out.flush();
        assertEquals(0, under.size(), "a line reached the stream before writeOut");

        buffer.writeOut();
        assertEquals("first line\nsecond line\n", under.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFullBufferIsWrittenWithoutWaitingForWriteOut() {
        ByteArrayOutputStream under = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new Logging.DeferredFlush(under), false, StandardCharsets.UTF_8);
        String line = "x".repeat(199);
        for (int i = 0; i < 400; i++) { // 80,000 bytes: more than the 64 KiB buffer
            out.println(line);
            out.flush();
        }
        assertEquals(0, under.size() % 200, "only whole lines: " + under.size());
        assertTrue(under.size() >= 64 * 1024 - 200, "the full buffer was not written: " + under.size());
    }
}
