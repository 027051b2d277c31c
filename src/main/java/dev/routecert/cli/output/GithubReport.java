package dev.routecert.cli.output;

import dev.routecert.policy.Violation;
import java.io.PrintWriter;

/**
 * {@code --output github}: GitHub Actions workflow commands, which the runner turns into annotations
 * on the pull request's files: {@code ::error file=F,line=L,col=C,title=[id]::message} for a denial,
 * {@code ::warning ...} for a warning, then a {@code ::notice} with the summary.
 */
public final class GithubReport {

    private GithubReport() {}

    public static void write(CheckReport report, boolean quiet, PrintWriter out) {
        for (CheckedObject o : report.objects()) {
            if (!o.checked()) {
                continue;
            }
            for (Violation v : o.verdict().violations()) {
                command(out, "error", o, v);
            }
            for (Violation v : o.verdict().warned()) {
                command(out, "warning", o, v);
            }
            for (String w : o.otherWarnings()) {
                String file = Paths.relative(o.file());
                out.println(
                        "::warning " + (file == null ? "" : "file=" + property(file) + ",line=" + o.at().line() + ",")
                                + "title=" + property(o.title()) + "::" + data(w));
            }
        }
        for (String e : report.inputErrors()) {
            out.println((e.startsWith("warning:") ? "::warning::" : "::error::") + data(e));
        }
        if (!quiet) {
            StringBuilder b =
                    new StringBuilder("routecert checked " + report.objects().size() + " objects:");
            report.counts()
                    .forEach((k, n) ->
                            b.append(' ').append(k).append(' ').append(n).append(','));
            b.setLength(b.length() - 1);
            if (!report.clusterChecks().isEmpty()) {
                b.append("; cluster checks: ").append(String.join(", ", report.clusterChecks()));
            }
            out.println("::notice title=routecert check::" + data(b.toString()));
        }
    }

    private static void command(PrintWriter out, String level, CheckedObject o, Violation v) {
        StringBuilder b = new StringBuilder("::").append(level).append(' ');
        String file = Paths.relative(o.file());
        if (file != null) {
            Locations.Position p = o.at().of(v.field());
            b.append("file=").append(property(file));
            if (p.line() > 0) {
                b.append(",line=").append(p.line());
                int col = o.at().column(v.field(), o.text(v.field()), v.offset());
                if (col > 0) {
                    b.append(",col=").append(col);
                }
            }
            b.append(',');
        }
        b.append("title=").append(property(v.check().tag()));
        String message = v.field() + ": " + v.message() + (v.hint() == null ? "" : " (fix: " + v.hint() + ")") + " ["
                + o.title() + "]";
        out.println(b.append("::").append(data(message)));
    }

    /** A command's message, escaped as the Actions runner reads it. */
    static String data(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    /** A command's property value, where ':' and ',' would end it. */
    static String property(String s) {
        return data(s).replace(":", "%3A").replace(",", "%2C");
    }
}
