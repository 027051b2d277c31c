package dev.routecert.policy.values;

import java.util.List;

/** Comma-separated values as Go's {@code encoding/csv} reads them, for cert-manager's list annotations. */
public final class GoCsv {

    private GoCsv() {}

    /**
     * Splits one record into {@code out} as Go's encoding/csv reads it (what cert-manager's
     * SplitWithEscapeCSV accepts); returns null, or what is wrong with {@code s}.
     */
    public static String splitRecord(String s, List<String> out) {
        if (s.isEmpty()) {
            return "no values";
        }
        int i = 0;
        int n = s.length();
        while (true) {
            StringBuilder field = new StringBuilder();
            if (i < n && s.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        return "a quoted value is not closed";
                    }
                    char c = s.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && s.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.append(c);
                    i++;
                }
                if (i < n && s.charAt(i) != ',') {
                    if (s.charAt(i) == '\n' || s.charAt(i) == '\r') {
                        return "values span more than one line";
                    }
                    return "extraneous or missing \" in a quoted value";
                }
            } else {
                while (i < n && s.charAt(i) != ',') {
                    char c = s.charAt(i);
                    if (c == '"') {
                        return "bare \" in a value that is not quoted";
                    }
                    if (c == '\n' || c == '\r') {
                        if (s.substring(i).isBlank()) {
                            i = n; // a trailing line break ends the record
                            break;
                        }
                        return "values span more than one line";
                    }
                    field.append(c);
                    i++;
                }
            }
            out.add(field.toString());
            if (i >= n) {
                return null;
            }
            i++; // the comma
        }
    }
}
