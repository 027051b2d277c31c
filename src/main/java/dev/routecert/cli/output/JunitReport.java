package dev.routecert.cli.output;

import dev.routecert.policy.Violation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * {@code --output junit}: JUnit XML as CI systems read test reports. One testsuite per file, one
 * testcase per object: a failure for a denial (its messages in the text), skipped for an object not
 * checked, the warnings and notes as the testcase's system-out. Inputs that could not be read are
 * errors of a testsuite of their own.
 */
public final class JunitReport {

    private JunitReport() {}

    public static void write(CheckReport report, boolean quiet, PrintWriter out) {
        out.println(toXml(report, quiet));
    }

    public static String toXml(CheckReport report, boolean quiet) {
        Map<String, List<CheckedObject>> byFile = new LinkedHashMap<>();
        report.shown(quiet)
                .forEach(o ->
                        byFile.computeIfAbsent(o.file(), k -> new ArrayList<>()).add(o));
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            x.writeAttribute("name", "routecert check");
            x.writeAttribute(
                    "tests",
                    String.valueOf(byFile.values().stream().mapToInt(List::size).sum()));
            x.writeAttribute("failures", String.valueOf(report.counts().get("DENY")));
            x.writeAttribute("errors", String.valueOf(errors(report).size()));
            for (Map.Entry<String, List<CheckedObject>> e : byFile.entrySet()) {
                suite(x, e.getKey(), e.getValue(), report.clusterChecks());
            }
            if (!report.inputErrors().isEmpty()) {
                inputs(x, report.inputErrors());
            }
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write JUnit XML", e);
        }
        return text.toString();
    }

    private static List<String> errors(CheckReport report) {
        return report.inputErrors().stream()
                .filter(e -> !e.startsWith("warning:"))
                .toList();
    }

    private static void suite(XMLStreamWriter x, String file, List<CheckedObject> objects, List<String> clusterChecks)
            throws XMLStreamException {
        x.writeCharacters("\n  ");
        x.writeStartElement("testsuite");
        x.writeAttribute("name", clean(file));
        x.writeAttribute("tests", String.valueOf(objects.size()));
        x.writeAttribute(
                "failures",
                String.valueOf(objects.stream()
                        .filter(o -> o.checked() && !o.verdict().allowed())
                        .count()));
        x.writeAttribute("errors", "0");
        x.writeAttribute(
                "skipped",
                String.valueOf(objects.stream().filter(o -> !o.checked()).count()));
        if (!clusterChecks.isEmpty()) {
            x.writeCharacters("\n    ");
            x.writeStartElement("properties");
            x.writeEmptyElement("property");
            x.writeAttribute("name", "routecert.clusterChecks");
            x.writeAttribute("value", clean(String.join(", ", clusterChecks)));
            x.writeEndElement();
        }
        for (CheckedObject o : objects) {
            x.writeCharacters("\n    ");
            x.writeStartElement("testcase");
            x.writeAttribute("classname", clean(file));
            x.writeAttribute("name", clean(o.title() + " (document " + o.document() + ", line " + o.at().line() + ")"));
            if (!o.checked()) {
                x.writeStartElement("skipped");
                x.writeCharacters(clean(o.skippedWhy()));
                x.writeEndElement();
            } else if (!o.verdict().allowed()) {
                x.writeStartElement("failure");
                x.writeAttribute("type", "DENY");
                x.writeAttribute("message", clean(o.verdict().summary()));
                StringBuilder b = new StringBuilder();
                for (Violation v : o.verdict().violations()) {
                    b.append(v.describe())
                            .append(" (")
                            .append(file)
                            .append(':')
                            .append(o.at().of(v.field()).line())
                            .append(")\n");
                }
                x.writeCharacters(clean(b.toString()));
                x.writeEndElement();
            }
            List<String> out = new ArrayList<>();
            o.verdict().warnings().forEach(w -> out.add("warning: " + w));
            if (o.checked()) {
                o.verdict().audit().forEach(v -> out.add("audit: " + v.describe()));
                o.verdict().notes().forEach(n -> out.add("note: " + n));
            }
            if (!out.isEmpty()) {
                x.writeStartElement("system-out");
                x.writeCharacters(clean(String.join("\n", out)));
                x.writeEndElement();
            }
            x.writeEndElement();
        }
        x.writeCharacters("\n  ");
        x.writeEndElement();
    }

    private static void inputs(XMLStreamWriter x, List<String> problems) throws XMLStreamException {
        x.writeCharacters("\n  ");
        x.writeStartElement("testsuite");
        x.writeAttribute("name", "inputs");
        x.writeAttribute("tests", String.valueOf(problems.size()));
        x.writeAttribute("failures", "0");
        x.writeAttribute(
                "errors",
                String.valueOf(
                        problems.stream().filter(p -> !p.startsWith("warning:")).count()));
        for (String p : problems) {
            x.writeCharacters("\n    ");
            x.writeStartElement("testcase");
            x.writeAttribute("classname", "inputs");
            x.writeAttribute("name", clean(p));
            if (p.startsWith("warning:")) {
                x.writeStartElement("system-out");
            } else {
                x.writeStartElement("error");
                x.writeAttribute("message", clean(p));
            }
            x.writeCharacters(clean(p));
            x.writeEndElement();
            x.writeEndElement();
        }
        x.writeCharacters("\n  ");
        x.writeEndElement();
    }

    /** The text without the characters XML 1.0 cannot hold (a manifest's string may carry them). */
    static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            boolean ok = c == 0x9
                    || c == 0xA
                    || c == 0xD
                    || (c >= 0x20 && c <= 0xD7FF)
                    || (c >= 0xE000 && c <= 0xFFFD)
                    || c >= 0x10000;
            b.appendCodePoint(ok ? c : 0xFFFD);
        });
        return b.toString();
    }
}
