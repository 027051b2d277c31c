package dev.routecert.cli.output;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.Action;
import dev.routecert.policy.Check;
import dev.routecert.policy.Violation;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code --output sarif}: SARIF 2.1.0 for code-scanning pages. One run; the driver's rules are every
 * check id, and each finding is a result at the file and line of its field: denials are errors,
 * warnings warnings, findings admitted in audit mode notes.
 */
public final class SarifReport {

    private SarifReport() {}

    /** @param checksUrl the published checks page, whose anchors become the rules' help URIs; empty for none */
    public static void write(CheckReport report, String version, String checksUrl, PrintWriter out) {
        out.println(toJson(report, version, checksUrl).toPrettyString());
    }

    public static ObjectNode toJson(CheckReport report, String version, String checksUrl) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "routecert");
        driver.put("version", version);
        List<Check> checks = Arrays.asList(Check.values());
        ArrayNode rules = driver.putArray("rules");
        for (Check c : checks) {
            ObjectNode r = rules.addObject();
            r.put("id", c.id());
            r.putObject("shortDescription")
                    .put("text", c.id() + " (" + c.natural().name().toLowerCase(Locale.ROOT) + " by nature)");
            r.putObject("help")
                    .put("text", "See the check " + c.id() + " in routecert's checks.md (anchor #" + c.id() + ").");
            if (!checksUrl.isEmpty()) {
                r.put("helpUri", checksUrl + "#" + c.id());
            }
            r.putObject("defaultConfiguration").put("level", c.natural() == Action.DENY ? "error" : "warning");
        }
        ArrayNode cluster = run.putObject("properties").putArray("clusterChecks");
        report.clusterChecks().forEach(cluster::add);
        ObjectNode invocation = run.putArray("invocations").addObject();
        invocation.put("executionSuccessful", report.exitCode() != 2);
        invocation.put("exitCode", report.exitCode());
        ArrayNode notifications = invocation.putArray("toolExecutionNotifications");
        for (String e : report.inputErrors()) {
            ObjectNode n = notifications.addObject();
            n.put("level", e.startsWith("warning:") ? "warning" : "error");
            n.putObject("message").put("text", e);
        }
        ArrayNode results = run.putArray("results");
        for (CheckedObject o : report.objects()) {
            if (!o.checked()) {
                continue;
            }
            o.verdict().violations().forEach(v -> results.add(result(o, v, "error", checks)));
            o.verdict().warned().forEach(v -> results.add(result(o, v, "warning", checks)));
            o.verdict().audit().forEach(v -> results.add(result(o, v, "note", checks)));
            for (String w : o.otherWarnings()) {
                ObjectNode r = results.addObject();
                Optional<Check> c = idOf(w);
                c.ifPresent(x -> {
                    r.put("ruleId", x.id());
                    r.put("ruleIndex", checks.indexOf(x));
                });
                r.put("level", "warning");
                r.putObject("message").put("text", w + " [" + o.title() + "]");
                location(r, o, new Locations.Position(o.at().line(), 0));
            }
        }
        return root;
    }

    private static ObjectNode result(CheckedObject o, Violation v, String level, List<Check> checks) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("ruleId", v.check().id());
        r.put("ruleIndex", checks.indexOf(v.check()));
        r.put("level", level);
        r.putObject("message").put("text", v.causeMessage() + " [" + o.title() + ", " + v.field() + "]");
        Locations.Position p = o.at().of(v.field());
        int column = o.at().column(v.field(), o.text(v.field()), v.offset());
        location(r, o, new Locations.Position(p.line(), column > 0 ? column : 0));
        return r;
    }

    private static void location(ObjectNode r, CheckedObject o, Locations.Position p) {
        String uri = Paths.uri(o.file());
        if (uri == null) {
            return; // standard input has no artifact to point at
        }
        ObjectNode physical = r.putArray("locations").addObject().putObject("physicalLocation");
        physical.putObject("artifactLocation").put("uri", uri);
        if (p.line() > 0) {
            ObjectNode region = physical.putObject("region");
            region.put("startLine", p.line());
            if (p.column() > 0) {
                region.put("startColumn", p.column());
            }
        }
    }

    /** The check whose id starts a message, as {@code [id] ...}. */
    static Optional<Check> idOf(String message) {
        if (!message.startsWith("[")) {
            return Optional.empty();
        }
        int end = message.indexOf(']');
        return end < 0 ? Optional.empty() : Check.byId(message.substring(1, end));
    }
}
