package dev.routecert.http;

import dev.routecert.admission.ReviewRejection;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Admission bodies are UTF-8 JSON, as the API server sends them. Jackson would also read UTF-16 and
 * UTF-32 (it guesses the encoding from a byte order mark or from NULs) and lets some invalid UTF-8
 * through, so the same bytes could mean one thing here and another to every other reader of the
 * object. Anything else is refused before it is parsed: a charset other than utf-8, a byte order mark
 * (Go's encoding/json, on the API server's side, never writes one and refuses one), a NUL byte (never
 * in JSON text; in UTF-16 and UTF-32 text, one in every few bytes), and any byte sequence a strict
 * decoder rejects: overlong forms, encoded surrogates, code points past U+10FFFF, truncated sequences.
 */
final class Utf8Body {

    static final String FIX = "send the AdmissionReview as UTF-8";

    /** Decoded in pieces of this many characters, so checking a large body allocates nothing of its size. */
    private static final int PIECE = 8 * 1024;

    private Utf8Body() {}

    /** Refuses a Content-Type that names a charset other than UTF-8; none named means UTF-8, as JSON is. */
    static void checkCharset(String contentType) throws ReviewRejection {
        if (contentType == null) {
            return;
        }
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            int eq = parameter.indexOf('=');
            if (eq < 0 || !parameter.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                continue;
            }
            String charset = parameter.substring(eq + 1).trim();
            if (charset.length() >= 2 && charset.startsWith("\"") && charset.endsWith("\"")) {
                charset = charset.substring(1, charset.length() - 1);
            }
            if (!charset.toLowerCase(Locale.ROOT).equals("utf-8")) {
                throw ReviewRejection.badRequest(
                        "Content-Type names charset \"" + charset + "\", but routecert reads only UTF-8: " + FIX);
            }
        }
    }

    /** Refuses a body that is not plain UTF-8 JSON text; linear in its size. */
    static void check(byte[] body) throws ReviewRejection {
        if (body.length >= 3 && body[0] == (byte) 0xEF && body[1] == (byte) 0xBB && body[2] == (byte) 0xBF) {
            throw ReviewRejection.badRequest(
                    "request body starts with a byte order mark, which JSON sent over HTTP must not have: " + FIX
                            + " without one");
        }
        for (int i = 0; i < body.length; i++) {
            if (body[i] == 0) {
                throw ReviewRejection.badRequest("request body has a NUL byte at offset " + i
                        + ", as UTF-16 or UTF-32 text has, and JSON text never does: " + FIX);
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(Math.min(PIECE, body.length + 1));
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw notUtf8(body, in.position(), result.length());
            }
            out.clear();
            if (result.isUnderflow()) {
                break;
            }
        }
        CoderResult result = decoder.flush(out);
        if (result.isError()) {
            throw notUtf8(body, in.position(), result.length());
        }
    }

    private static ReviewRejection notUtf8(byte[] body, int offset, int length) {
        StringBuilder bytes = new StringBuilder();
        for (int i = offset; i < Math.min(body.length, offset + length); i++) {
            bytes.append(bytes.isEmpty() ? "" : " ").append(String.format("0x%02X", body[i] & 0xFF));
        }
        return ReviewRejection.badRequest("request body is not valid UTF-8: " + bytes + " at offset " + offset
                + " is not a UTF-8 character: " + FIX);
    }
}
