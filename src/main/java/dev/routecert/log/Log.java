package dev.routecert.log;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * A logger that escapes every argument of every line: names, uids and messages reach the log from
 * requests and stored objects, and a newline or a quote in one of them must not forge a line or a
 * field. Arguments are written by {@link #quote}; a trailing {@link Throwable} is written as one
 * escaped {@code cause=} field instead of a stack trace, whose first line would carry its message raw.
 *
 * <p>With {@code --log-format=json} ({@link #structured}), each {@code key={}} of a format becomes a
 * field of its own, its value unquoted (the JSON encoder escapes it), and the message keeps the rest.
 */
public final class Log {

    /** Longer values are cut: a log line is for finding a request, and the request holds the rest. */
    public static final int MAX_VALUE = 256;

    /** Set by {@link LogSetup}: whether lines are written as JSON with their fields apart. */
    private static volatile boolean structured;

    private final Logger logger;

    private Log(Logger logger) {
        this.logger = logger;
    }

    public static Log of(Class<?> type) {
        return new Log(LoggerFactory.getLogger(type));
    }

    public static Log of(String name) {
        return new Log(LoggerFactory.getLogger(name));
    }

    public boolean isDebugEnabled() {
        return logger.isDebugEnabled();
    }

    public void debug(String format, Object... args) {
        if (logger.isDebugEnabled()) {
            emit(Level.DEBUG, format, args);
        }
    }

    public void info(String format, Object... args) {
        if (logger.isInfoEnabled()) {
            emit(Level.INFO, format, args);
        }
    }

    public void warn(String format, Object... args) {
        if (logger.isWarnEnabled()) {
            emit(Level.WARN, format, args);
        }
    }

    public void error(String format, Object... args) {
        if (logger.isErrorEnabled()) {
            emit(Level.ERROR, format, args);
        }
    }

    static void structured(boolean on) {
        structured = on;
    }

    private void emit(Level level, String format, Object[] args) {
        if (!structured) {
            logger.atLevel(level).log(format(format, args));
            return;
        }
        Line line = fields(format, args);
        LoggingEventBuilder event = logger.atLevel(level).setMessage(line.message());
        for (String[] field : line.fields()) {
            event = event.addKeyValue(field[0], field[1]);
        }
        event.log();
    }

    /** A line taken apart: the message without its {@code key={}} pairs, and those pairs. */
    record Line(String message, List<String[]> fields) {}

    /**
     * Each {@code {}} preceded by {@code key=} (a word after a space or at the start) becomes the field
     * {@code key}; any other {@code {}} is filled in the message as in text; a trailing Throwable no
     * placeholder takes becomes the field {@code error}.
     */
    static Line fields(String format, Object... args) {
        int n = args.length;
        Throwable cause = n > 0 && args[n - 1] instanceof Throwable t ? t : null;
        List<String[]> fields = new ArrayList<>(n);
        StringBuilder b = new StringBuilder(format.length());
        int arg = 0;
        int from = 0;
        for (int at = format.indexOf("{}"); at >= 0 && arg < n; at = format.indexOf("{}", from)) {
            Object value = args[arg++];
            int key = keyStart(format, from, at);
            if (key >= 0) {
                b.append(format, from, key);
                fields.add(new String[] {format.substring(key, at - 1), raw(value)});
            } else {
                b.append(format, from, at);
                b.append(
                        switch (value) {
                            case Throwable t -> quote(describe(t));
                            case Whole w -> quoteWhole(w.value());
                            case null, default -> quote(value);
                        });
            }
            from = at + 2;
        }
        b.append(format, from, format.length());
        if (cause != null && arg < n) {
            fields.add(new String[] {"error", describe(cause)});
        }
        // the text around a field that was taken out: no double space, no colon left dangling at the end
        String message = b.toString().replaceAll(" {2,}", " ").strip().replaceAll("[:;,]$", "");
        return new Line(message, fields);
    }

    /** Where the {@code key=} that ends at {@code at} starts, or -1 when {@code {}} follows no key. */
    private static int keyStart(String format, int from, int at) {
        if (at - 1 < from || format.charAt(at - 1) != '=') {
            return -1;
        }
        int start = at - 1;
        while (start > from && isKeyChar(format.charAt(start - 1))) {
            start--;
        }
        if (start == at - 1 || start > 0 && format.charAt(start - 1) != ' ' && start > from) {
            return -1;
        }
        return start;
    }

    private static boolean isKeyChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.';
    }

    /** A field's value: the text itself (the JSON encoder escapes it), cut as {@link #quote} cuts. */
    private static String raw(Object value) {
        return switch (value) {
            case Throwable t -> cut(describe(t), MAX_VALUE);
            case Whole w -> String.valueOf(w.value());
            case null, default -> cut(String.valueOf(value), MAX_VALUE);
        };
    }

    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int keep = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, keep) + "...(" + (s.length() - keep) + " more characters)";
    }

    /**
     * The line: each {@code {}} replaced by the next argument, quoted; a trailing Throwable that no
     * placeholder takes is appended as {@code cause=...}. The result contains no line break.
     */
    static String format(String format, Object... args) {
        int n = args.length;
        Throwable cause = n > 0 && args[n - 1] instanceof Throwable t ? t : null;
        StringBuilder b = new StringBuilder(format.length() + 32 * n);
        int arg = 0;
        int from = 0;
        for (int at = format.indexOf("{}"); at >= 0 && arg < n; at = format.indexOf("{}", from)) {
            b.append(format, from, at);
            Object value = args[arg++];
            b.append(
                    switch (value) {
                        case Throwable t -> quote(describe(t));
                        case Whole w -> quoteWhole(w.value());
                        case null, default -> quote(value);
                    });
            from = at + 2;
        }
        b.append(format, from, format.length());
        if (cause != null && arg < n) {
            b.append(" cause=").append(quote(describe(cause)));
        }
        return b.toString();
    }

    /**
     * A value as it may appear in a log line. A word of printable ASCII without quotes, backslashes or
     * '=' is written as it is; anything else is quoted and escaped as Go's {@code %q} does: control
     * characters, quotes and backslashes escaped, non-printable characters as {@code \\uXXXX}. Values
     * longer than {@link #MAX_VALUE} characters are cut and say how much was left out.
     */
    public static String quote(Object value) {
        return quote(value, MAX_VALUE);
    }

    /** {@link #quote} without the length limit, for debug lines that show a whole request. */
    public static String quoteWhole(Object value) {
        return quote(value, Integer.MAX_VALUE);
    }

    /** An argument written whole, escaped but not cut: for a debug line that shows a whole request. */
    public static Object whole(Object value) {
        return new Whole(value);
    }

    private record Whole(Object value) {}

    private static String quote(Object value, int max) {
        String s = String.valueOf(value);
        if (!s.isEmpty() && s.length() <= max && isBare(s)) {
            return s;
        }
        int keep = s.length();
        if (keep > max) {
            keep = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        }
        StringBuilder b = new StringBuilder(keep + 16).append('"');
        for (int i = 0; i < keep; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isSurrogate(c)) {
                        int cp = s.codePointAt(i);
                        if (Character.isSupplementaryCodePoint(cp) && i + 1 < keep && isPrintable(cp)) {
                            b.appendCodePoint(cp);
                            i++;
                        } else {
                            escape(b, c);
                        }
                    } else if (isPrintable(c)) {
                        b.append(c);
                    } else {
                        escape(b, c);
                    }
                }
            }
        }
        if (keep < s.length()) {
            b.append("...(").append(s.length() - keep).append(" more characters)");
        }
        return b.append('"').toString();
    }

    private static boolean isBare(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '=') {
                return false;
            }
        }
        return true;
    }

    /** As Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR,
                    Character.SURROGATE,
                    Character.PRIVATE_USE,
                    Character.UNASSIGNED -> false;
            default -> true;
        };
    }

    private static void escape(StringBuilder b, char c) {
        String hex = Integer.toHexString(c);
        if (c < 0x80) {
            b.append("\\x").append(hex.length() < 2 ? "0" : "").append(hex);
        } else {
            b.append("\\u").append("0".repeat(4 - hex.length())).append(hex);
        }
    }

    /**
     * {@code Class at where-it-was-thrown: message}, then up to three causes: one line, enough to find
     * the failure, with the place before the message because a long message is cut.
     */
    public static String describe(Throwable t) {
        StringBuilder b = new StringBuilder(t.getClass().getName());
        StackTraceElement[] trace = t.getStackTrace();
        if (trace.length > 0) {
            b.append(" at ").append(trace[0]);
        }
        b.append(": ").append(t.getMessage());
        Throwable c = t.getCause();
        for (int i = 0; i < 3 && c != null && c != t; i++, c = c.getCause()) {
            b.append("; caused by ").append(c);
        }
        return b.toString();
    }
}
