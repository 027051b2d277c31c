package dev.routecert.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How serve logs.
 *
 * @param level  error, warn, info, debug or trace
 * @param format text (one line per event) or json (one object per line, as controller-runtime's zap writes)
 */
public record LogOptions(String level, String format) {

    public static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");
    public static final List<String> FORMATS = List.of("text", "json");

    public static LogOptions defaults() {
        return new LogOptions("info", "text");
    }

    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (level == null || !LEVELS.contains(level)) {
            problems.add("--log-level must be one of error, warn, info, debug, got '" + level + "'");
        }
        if (format == null || !FORMATS.contains(format.toLowerCase(Locale.ROOT))) {
            problems.add("--log-format must be text or json, got '" + format + "'");
        }
        return problems;
    }
}
