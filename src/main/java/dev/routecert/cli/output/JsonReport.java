package dev.routecert.cli.output;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.Violation;
import java.io.PrintWriter;

/**
 * {@code --output json}: one object with the schema's version, a summary and an entry per object. The
 * shape is described by {@code check-output.schema.json} beside this class's package in the jar.
 */
public final class JsonReport {

    /** Raised when a field is removed or changes meaning; new fields do not raise it. */
    public static final int SCHEMA_VERSION = 1;

    private JsonReport() {}

    public static void write(CheckReport report, boolean quiet, PrintWriter out) {
        out.println(toJson(report, quiet).toPrettyString());
    }

    public static ObjectNode toJson(CheckReport report, boolean quiet) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        ObjectNode summary = root.putObject("summary");
        summary.put("objects", report.objects().size());
        ObjectNode verdicts = summary.putObject("verdicts");
        report.counts().forEach(verdicts::put);
        summary.put("exitCode", report.exitCode());
        ArrayNode cluster = summary.putArray("clusterChecks");
        report.clusterChecks().forEach(cluster::add);
        ArrayNode errors = summary.putArray("inputErrors");
        report.inputErrors().forEach(errors::add);
        ArrayNode objects = root.putArray("objects");
        report.shown(quiet).forEach(o -> objects.add(entry(o)));
        return root;
    }

    private static ObjectNode entry(CheckedObject c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("file", c.file());
        o.put("document", c.document());
        o.put("line", c.at().line());
        o.put("apiVersion", c.apiVersion());
        o.put("kind", c.kind());
        o.put("namespace", c.namespace());
        if (c.name() == null) {
            o.putNull("name");
        } else {
            o.put("name", c.name());
        }
        o.put("checked", c.checked());
        o.put("verdict", c.label());
        if (!c.checked()) {
            o.put("skipped", c.skippedWhy());
        }
        Verdict v = c.verdict();
        o.put("allowed", v.allowed());
        ArrayNode violations = o.putArray("violations");
        for (Violation x : v.violations()) {
            ObjectNode j = finding(violations.addObject(), c, x);
            j.put("fix", x.hint());
            if (x.offset() != null) {
                j.put("offset", x.offset());
            }
            j.put("reason", x.reason());
        }
        ArrayNode warned = o.putArray("warnedFindings");
        v.warned().forEach(x -> finding(warned.addObject(), c, x));
        ArrayNode audit = o.putArray("audit");
        v.audit().forEach(x -> finding(audit.addObject(), c, x));
        v.warnings().forEach(o.putArray("warnings")::add);
        v.notes().forEach(o.putArray("notes")::add);
        o.set("patch", v.patch() == null ? JsonNodeFactory.instance.nullNode() : v.patch());
        ArrayNode certs = o.putArray("certificates");
        for (PlannedCertificate p : v.certificates()) {
            certs.add(p.toCertificate());
        }
        o.put("summary", v.summary());
        return o;
    }

    private static ObjectNode finding(ObjectNode j, CheckedObject c, Violation x) {
        j.put("check", x.check().id());
        j.put("field", x.field());
        j.put("message", x.message());
        Locations.Position p = c.at().of(x.field());
        j.put("line", p.line());
        int column = c.at().column(x.field(), c.text(x.field()), x.offset());
        if (column > 0) {
            j.put("column", column);
        }
        return j;
    }
}
