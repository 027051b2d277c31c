package dev.routecert.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.routes.ObjectMetaView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code --certificate-template}: a cert-manager Certificate whose fields fill every Certificate
 * routecert alone plans. Its spec is held as the {@code cert-manager.io/*} annotations that would say the
 * same, so a route's own annotations win field by field and both pass through the same cert-manager
 * validation; its issuerRef is the default issuer.
 *
 * @param defaults    spec fields as the equivalent route annotations
 * @param issuer      {@code spec.issuerRef}, or null
 * @param labels      {@code metadata.labels}, under the route's own
 * @param annotations {@code metadata.annotations}, under those routecert derives from the route
 */
public record CertificateTemplate(
        Map<String, String> defaults,
        PlannedCertificate.IssuerRef issuer,
        Map<String, String> labels,
        Map<String, String> annotations) {

    /** No template. */
    public static final CertificateTemplate NONE = new CertificateTemplate(Map.of(), null, Map.of(), Map.of());

    /** The route's own: naming them in a template would give every route the same Certificate. */
    static final Set<String> ROUTE_FIELDS = Set.of(
            "metadata.name",
            "metadata.namespace",
            "metadata.generateName",
            "spec.secretName",
            "spec.dnsNames",
            "spec.ipAddresses",
            "spec.commonName",
            "spec.emailAddresses",
            "spec.uris");

    /** Each spec field the template may set, with the annotation that says the same. */
    private static final Map<String, String> FIELD_OF_ANNOTATION = Map.ofEntries(
            Map.entry(CertManagerAnnotations.DURATION, "spec.duration"),
            Map.entry(CertManagerAnnotations.RENEW_BEFORE, "spec.renewBefore"),
            Map.entry(CertManagerAnnotations.RENEW_BEFORE_PERCENTAGE, "spec.renewBeforePercentage"),
            Map.entry(CertManagerAnnotations.USAGES, "spec.usages"),
            Map.entry(CertManagerAnnotations.REVISION_HISTORY_LIMIT, "spec.revisionHistoryLimit"),
            Map.entry(CertManagerAnnotations.PRIVATE_KEY_ALGORITHM, "spec.privateKey.algorithm"),
            Map.entry(CertManagerAnnotations.PRIVATE_KEY_SIZE, "spec.privateKey.size"),
            Map.entry(CertManagerAnnotations.PRIVATE_KEY_ENCODING, "spec.privateKey.encoding"),
            Map.entry(CertManagerAnnotations.PRIVATE_KEY_ROTATION_POLICY, "spec.privateKey.rotationPolicy"),
            Map.entry(CertManagerAnnotations.SECRET_TEMPLATE, "spec.secretTemplate"),
            Map.entry(CertManagerAnnotations.SUBJECT_ORGANIZATIONS, "spec.subject.organizations"),
            Map.entry(CertManagerAnnotations.SUBJECT_ORGANIZATIONAL_UNITS, "spec.subject.organizationalUnits"),
            Map.entry(CertManagerAnnotations.SUBJECT_COUNTRIES, "spec.subject.countries"),
            Map.entry(CertManagerAnnotations.SUBJECT_PROVINCES, "spec.subject.provinces"),
            Map.entry(CertManagerAnnotations.SUBJECT_LOCALITIES, "spec.subject.localities"),
            Map.entry(CertManagerAnnotations.SUBJECT_POSTAL_CODES, "spec.subject.postalCodes"),
            Map.entry(CertManagerAnnotations.SUBJECT_STREET_ADDRESSES, "spec.subject.streetAddresses"),
            Map.entry(CertManagerAnnotations.SUBJECT_SERIAL_NUMBER, "spec.subject.serialNumber"));

    public CertificateTemplate {
        defaults = sorted(defaults);
        labels = sorted(labels);
        annotations = sorted(annotations);
    }

    public boolean isEmpty() {
        return defaults.isEmpty() && issuer == null && labels.isEmpty() && annotations.isEmpty();
    }

    /**
     * The annotations a route's Certificate is read from: the template's under the route's own. The
     * renewal time and the key size depend on their neighbours, so a route that sets either renewal
     * annotation drops both of the template's, and one that sets the key algorithm drops its size.
     */
    Map<String, String> under(Map<String, String> route) {
        if (defaults.isEmpty()) {
            return route;
        }
        Map<String, String> merged = new LinkedHashMap<>(defaults);
        if (route.containsKey(CertManagerAnnotations.RENEW_BEFORE)
                || route.containsKey(CertManagerAnnotations.RENEW_BEFORE_PERCENTAGE)) {
            merged.remove(CertManagerAnnotations.RENEW_BEFORE);
            merged.remove(CertManagerAnnotations.RENEW_BEFORE_PERCENTAGE);
        }
        if (route.containsKey(CertManagerAnnotations.PRIVATE_KEY_ALGORITHM)) {
            merged.remove(CertManagerAnnotations.PRIVATE_KEY_SIZE);
        }
        merged.putAll(route);
        return merged;
    }

    /** A parsed template, or why it cannot be used: each problem starts with the field it is about. */
    public record Parsed(CertificateTemplate template, List<String> problems) {
        public Parsed {
            problems = List.copyOf(problems);
        }
    }

    /** Reads and validates a template with cert-manager's rules; {@code root} is the parsed YAML. */
    public static Parsed parse(JsonNode root) {
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            return new Parsed(NONE, List.of("the template must be a YAML mapping: a cert-manager Certificate"));
        }
        String apiVersion = root.path("apiVersion").asText("");
        if (!"cert-manager.io/v1".equals(apiVersion)) {
            problems.add("apiVersion: must be cert-manager.io/v1, not '" + apiVersion + "'");
        }
        String kind = root.path("kind").asText("");
        if (!"Certificate".equals(kind)) {
            problems.add("kind: must be Certificate, not '" + kind + "'");
        }
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!Set.of("apiVersion", "kind", "metadata", "spec").contains(e.getKey())) {
                problems.add(e.getKey() + ": not read from a template; only metadata and spec are");
            }
        }
        JsonNode meta = root.path("metadata");
        Map<String, String> labels = new TreeMap<>();
        Map<String, String> annotations = new TreeMap<>();
        if (!meta.isMissingNode() && !meta.isNull()) {
            if (!meta.isObject()) {
                problems.add("metadata: must be a mapping");
            } else {
                for (Map.Entry<String, JsonNode> e : meta.properties()) {
                    String f = "metadata." + e.getKey();
                    switch (e.getKey()) {
                        case "labels" -> strings(e.getValue(), f, labels, problems);
                        case "annotations" -> strings(e.getValue(), f, annotations, problems);
                        default -> problems.add(refused(f));
                    }
                }
            }
        }
        JsonNode spec = root.path("spec");
        Map<String, String> defaults = new LinkedHashMap<>();
        PlannedCertificate.IssuerRef issuer = null;
        if (!spec.isObject()) {
            problems.add("spec: must be a mapping with at least issuerRef or another field to fill");
        } else {
            for (Map.Entry<String, JsonNode> e : spec.properties()) {
                String f = "spec." + e.getKey();
                JsonNode v = e.getValue();
                switch (e.getKey()) {
                    case "issuerRef" -> issuer = issuer(v, problems);
                    case "duration" -> text(v, f, CertManagerAnnotations.DURATION, defaults, problems);
                    case "renewBefore" -> text(v, f, CertManagerAnnotations.RENEW_BEFORE, defaults, problems);
                    case "renewBeforePercentage" ->
                        integer(v, f, CertManagerAnnotations.RENEW_BEFORE_PERCENTAGE, defaults, problems);
                    case "revisionHistoryLimit" ->
                        integer(v, f, CertManagerAnnotations.REVISION_HISTORY_LIMIT, defaults, problems);
                    case "usages" -> list(v, f, CertManagerAnnotations.USAGES, defaults, problems, false);
                    case "privateKey" -> privateKey(v, defaults, problems);
                    case "subject" -> subject(v, defaults, problems);
                    case "secretTemplate" -> {
                        if (!v.isObject()) {
                            problems.add(f + ": must be a mapping with labels and/or annotations");
                        } else {
                            defaults.put(CertManagerAnnotations.SECRET_TEMPLATE, v.toString());
                        }
                    }
                    default -> problems.add(refused(f));
                }
            }
        }
        for (String key : labels.keySet()) {
            String err = KubeNames.qualifiedNameError(key);
            if (err == null) {
                err = KubeNames.labelValueError(labels.get(key));
            }
            if (err != null) {
                problems.add("metadata.labels[" + key + "]: " + err);
            }
        }
        for (String key : annotations.keySet()) {
            String err = KubeNames.qualifiedNameError(key);
            if (err != null) {
                problems.add("metadata.annotations[" + key + "]: " + err);
            }
        }
        // the same checks a route's annotations get, named by the template field they came from
        Findings findings = new Findings();
        CertManagerAnnotations.read(
                new ObjectMetaView(null, null, null, defaults, List.of()), PolicyConfig.defaults(), findings, false);
        for (Violation v : findings.findings) {
            if (v.check().natural() == Action.WARN) {
                continue; // what cert-manager ignores, such as an Ed25519 key size, stops nothing
            }
            problems.add(templateField(v.field()) + ": " + v.message() + " (" + v.hint() + ")");
        }
        if (!problems.isEmpty()) {
            return new Parsed(NONE, problems);
        }
        return new Parsed(new CertificateTemplate(defaults, issuer, labels, annotations), List.of());
    }

    private static String refused(String field) {
        if (ROUTE_FIELDS.contains(field)) {
            return field + ": is the route's own, so a template may not set it; routecert derives it from each route";
        }
        return field + ": not a field routecert fills from a template (it reads metadata.labels, "
                + "metadata.annotations and spec issuerRef, duration, renewBefore, renewBeforePercentage, usages, "
                + "privateKey, subject, secretTemplate, revisionHistoryLimit)";
    }

    private static String templateField(String annotationField) {
        for (Map.Entry<String, String> e : FIELD_OF_ANNOTATION.entrySet()) {
            if (annotationField.equals(CertManagerAnnotations.field(e.getKey()))) {
                return e.getValue();
            }
        }
        return annotationField;
    }

    private static PlannedCertificate.IssuerRef issuer(JsonNode v, List<String> problems) {
        if (!v.isObject()) {
            problems.add("spec.issuerRef: must be a mapping with name, kind and group");
            return null;
        }
        String name = v.path("name").asText("");
        String kind = v.path("kind").asText(PolicyConfig.ISSUER);
        String group = v.path("group").asText(PolicyConfig.CERT_MANAGER_GROUP);
        boolean ok = true;
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!Set.of("name", "kind", "group").contains(e.getKey())) {
                problems.add("spec.issuerRef." + e.getKey() + ": not a field of issuerRef (name, kind, group)");
                ok = false;
            } else if (!e.getValue().isTextual()) {
                problems.add("spec.issuerRef." + e.getKey() + ": must be a string");
                ok = false;
            }
        }
        if (name.isEmpty()) {
            problems.add("spec.issuerRef.name: is required (cert-manager: issuerRef.name: Required value)");
            ok = false;
        }
        if (PolicyConfig.CERT_MANAGER_GROUP.equals(group)
                && !PolicyConfig.ISSUER.equals(kind)
                && !PolicyConfig.CLUSTER_ISSUER.equals(kind)) {
            problems.add("spec.issuerRef.kind: '" + kind + "' is not Issuer or ClusterIssuer, the kinds of group "
                    + PolicyConfig.CERT_MANAGER_GROUP);
            ok = false;
        }
        return ok ? new PlannedCertificate.IssuerRef(name, kind, group) : null;
    }

    private static void text(JsonNode v, String field, String key, Map<String, String> into, List<String> problems) {
        if (!v.isTextual()) {
            problems.add(field + ": must be a string");
        } else {
            into.put(key, v.asText());
        }
    }

    private static void integer(JsonNode v, String field, String key, Map<String, String> into, List<String> problems) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            problems.add(field + ": must be a whole number");
        } else {
            into.put(key, Integer.toString(v.asInt()));
        }
    }

    /** A list as the annotation writes it: commas between values, as CSV where the annotation is CSV. */
    private static void list(
            JsonNode v, String field, String key, Map<String, String> into, List<String> problems, boolean csv) {
        if (!v.isArray()) {
            problems.add(field + ": must be a list of strings");
            return;
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                problems.add(field + ": must be a list of strings");
                return;
            }
            values.add(csv ? quoted(item.asText()) : item.asText());
        }
        if (values.isEmpty()) {
            return;
        }
        if (!csv) {
            for (String value : values) {
                if (value.contains(",")) {
                    problems.add(field + ": '" + value + "' is not a key usage cert-manager knows");
                    return;
                }
            }
        }
        into.put(key, String.join(",", values));
    }

    private static String quoted(String value) {
        if (value.contains(",") || value.contains("\"") || value.startsWith(" ")) {
            return "\"" + value.replace("\"", "\"\"") + "\"";
        }
        return value;
    }

    private static void privateKey(JsonNode v, Map<String, String> into, List<String> problems) {
        if (!v.isObject()) {
            problems.add("spec.privateKey: must be a mapping");
            return;
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            String f = "spec.privateKey." + e.getKey();
            switch (e.getKey()) {
                case "algorithm" -> text(e.getValue(), f, CertManagerAnnotations.PRIVATE_KEY_ALGORITHM, into, problems);
                case "encoding" -> text(e.getValue(), f, CertManagerAnnotations.PRIVATE_KEY_ENCODING, into, problems);
                case "rotationPolicy" ->
                    text(e.getValue(), f, CertManagerAnnotations.PRIVATE_KEY_ROTATION_POLICY, into, problems);
                case "size" -> integer(e.getValue(), f, CertManagerAnnotations.PRIVATE_KEY_SIZE, into, problems);
                default -> problems.add(f + ": not a field of privateKey (algorithm, size, encoding, rotationPolicy)");
            }
        }
    }

    private static void subject(JsonNode v, Map<String, String> into, List<String> problems) {
        if (!v.isObject()) {
            problems.add("spec.subject: must be a mapping");
            return;
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            String f = "spec.subject." + e.getKey();
            String key = FIELD_OF_ANNOTATION.entrySet().stream()
                    .filter(a -> a.getValue().equals(f))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse(null);
            if (key == null) {
                problems.add(f + ": not a subject field routecert fills (organizations, organizationalUnits, "
                        + "countries, provinces, localities, postalCodes, streetAddresses, serialNumber)");
            } else if (key.equals(CertManagerAnnotations.SUBJECT_SERIAL_NUMBER)) {
                text(e.getValue(), f, key, into, problems);
            } else {
                list(e.getValue(), f, key, into, problems, true);
            }
        }
    }

    private static void strings(JsonNode v, String field, Map<String, String> into, List<String> problems) {
        if (v.isNull()) {
            return;
        }
        if (!v.isObject()) {
            problems.add(field + ": must be a mapping of strings");
            return;
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isTextual()) {
                problems.add(field + "[" + e.getKey() + "]: must be a string");
            } else {
                into.put(e.getKey(), e.getValue().asText());
            }
        }
    }

    private static Map<String, String> sorted(Map<String, String> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(m)));
    }
}
