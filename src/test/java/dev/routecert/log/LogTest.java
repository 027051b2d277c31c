package dev.routecert.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogTest {

    @Test
    void plainWordsAreWrittenAsTheyAre() {
        assertEquals("u-1", Log.quote("u-1"));
        assertEquals("default/web-*", Log.quote("default/web-*"));
        assertEquals("traefik.io/v1alpha1/IngressRoute", Log.quote("traefik.io/v1alpha1/IngressRoute"));
        assertEquals("42", Log.quote(42));
    }

    @Test
    void anythingElseIsQuotedAndEscapedAsGoDoes() {
        assertEquals("\"\"", Log.quote(""));
        assertEquals("\"two words\"", Log.quote("two words"));
        assertEquals("\"a\\nb\\r\\tc\"", Log.quote("a\nb\r\tc"));
        assertEquals("\"say \\\"hi\\\" \\\\o/\"", Log.quote("say \"hi\" \\o/"));
        assertEquals("\"k=v\"", Log.quote("k=v"));
        assertEquals("\"nul\\x00 del\\x7f esc\\x1b\"", Log.quote("nul\u0000 del\u007f esc\u001b"));
        assertEquals("\"b\u00fccher\"", Log.quote("b\u00fccher"), "printable letters stay readable");
        assertEquals("\"\\u2028 \\u202e \\u200b \\ud800\"", Log.quote("\u2028 \u202e \u200b \ud800"));
        assertEquals("\"\uD83D\uDE00\"", Log.quote("\uD83D\uDE00"), "a whole surrogate pair is a character");
    }

    @Test
    void longValuesAreCut() {
        String q = Log.quote("a".repeat(1_000));
        assertEquals("\"" + "a".repeat(Log.MAX_VALUE) + "...(744 more characters)\"", q);
        assertEquals(1_002, Log.quoteWhole("a b".repeat(333) + "c").length());
        assertEquals("body=\"" + "a\\n".repeat(500) + "\"", Log.format("body={}", Log.whole("a\n".repeat(500))));
    }

    @Test
    void aLineNeverBreaksAndATrailingThrowableBecomesOneCauseField() {
        String line = Log.format(
                "admission uid={} object={} reason={}", "x\nFAKE line", "ns/a\r\nb", new IllegalStateException("y\nz"));
        assertFalse(line.contains("\n") || line.contains("\r"), line);
        assertTrue(line.startsWith("admission uid=\"x\\nFAKE line\" object=\"ns/a\\r\\nb\" reason=\""), line);
        String failed = Log.format("check failed on {}", "a", new IllegalStateException("bad\nvalue"));
        assertTrue(
                failed.startsWith(
                        "check failed on a cause=\"java.lang.IllegalStateException at " + "dev.routecert.log.LogTest"),
                failed);
        assertTrue(failed.endsWith(": bad\\nvalue\""), failed);
    }
}
