package dev.routecert.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cert-manager Certificate that an object needs, as the policy planned it. The server creates or
 * updates it; {@link #toCertificate()} renders the {@code cert-manager.io/v1} object with name,
 * namespace, and the labels and annotations cert-manager's ingress-shim would give it (ownership
 * marks are the server's to add).
 *
 * <p>Null or empty optional fields are left out of the rendered spec, so cert-manager applies its own
 * defaults.
 *
 * @param labels      the route's labels, as the shim copies them
 * @param annotations the Certificate annotations the shim writes (HTTP-01 overrides, extra annotations)
 * @param shimForm    true when cert-manager's ingress-shim also acts on the route (an Ingress with its
 *                    annotations): then the Certificate must be exactly the shim's, with no label of routecert's
 */
public record PlannedCertificate(
        String name,
        String namespace,
        String secretName,
        List<String> dnsNames,
        List<String> ipAddresses,
        IssuerRef issuerRef,
        String commonName,
        String duration,
        String renewBefore,
        List<String> usages,
        PrivateKey privateKey,
        Integer revisionHistoryLimit,
        Subject subject,
        List<String> emailAddresses,
        List<String> uris,
        SecretTemplate secretTemplate,
        String sourceGroup,
        String sourceKind,
        String sourceName,
        Integer renewBeforePercentage,
        Map<String, String> labels,
        Map<String, String> annotations,
        boolean shimForm) {

    public PlannedCertificate {
        dnsNames = copy(dnsNames);
        ipAddresses = copy(ipAddresses);
        usages = copy(usages);
        emailAddresses = copy(emailAddresses);
        uris = copy(uris);
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
        annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
    }

    /** A plan without a renewal percentage, labels or annotations, for a route the shim does not act on. */
    public PlannedCertificate(
            String name,
            String namespace,
            String secretName,
            List<String> dnsNames,
            List<String> ipAddresses,
            IssuerRef issuerRef,
            String commonName,
            String duration,
            String renewBefore,
            List<String> usages,
            PrivateKey privateKey,
            Integer revisionHistoryLimit,
            Subject subject,
            List<String> emailAddresses,
            List<String> uris,
            SecretTemplate secretTemplate,
            String sourceGroup,
            String sourceKind,
            String sourceName) {
        this(
                name,
                namespace,
                secretName,
                dnsNames,
                ipAddresses,
                issuerRef,
                commonName,
                duration,
                renewBefore,
                usages,
                privateKey,
                revisionHistoryLimit,
                subject,
                emailAddresses,
                uris,
                secretTemplate,
                sourceGroup,
                sourceKind,
                sourceName,
                null,
                Map.of(),
                Map.of(),
                false);
    }

    /** This plan under another Certificate name (one a predecessor gave it), for the same Secret. */
    public PlannedCertificate withName(String other) {
        return new PlannedCertificate(
                other,
                namespace,
                secretName,
                dnsNames,
                ipAddresses,
                issuerRef,
                commonName,
                duration,
                renewBefore,
                usages,
                privateKey,
                revisionHistoryLimit,
                subject,
                emailAddresses,
                uris,
                secretTemplate,
                sourceGroup,
                sourceKind,
                sourceName,
                renewBeforePercentage,
                labels,
                annotations,
                shimForm);
    }

    /** {@code spec.issuerRef}: which issuer signs the Certificate. */
    public record IssuerRef(String name, String kind, String group) {}

    /** {@code spec.privateKey}; every field is optional. */
    public record PrivateKey(String algorithm, Integer size, String encoding, String rotationPolicy) {
        boolean isEmpty() {
            return algorithm == null && size == null && encoding == null && rotationPolicy == null;
        }
    }

    /** {@code spec.subject}, from the {@code cert-manager.io/subject-*} annotations. */
    public record Subject(
            List<String> organizations,
            List<String> organizationalUnits,
            List<String> countries,
            List<String> provinces,
            List<String> localities,
            List<String> postalCodes,
            List<String> streetAddresses,
            String serialNumber) {
        public Subject {
            organizations = copy(organizations);
            organizationalUnits = copy(organizationalUnits);
            countries = copy(countries);
            provinces = copy(provinces);
            localities = copy(localities);
            postalCodes = copy(postalCodes);
            streetAddresses = copy(streetAddresses);
        }

        boolean isEmpty() {
            return organizations.isEmpty()
                    && organizationalUnits.isEmpty()
                    && countries.isEmpty()
                    && provinces.isEmpty()
                    && localities.isEmpty()
                    && postalCodes.isEmpty()
                    && streetAddresses.isEmpty()
                    && (serialNumber == null || serialNumber.isEmpty());
        }
    }

    /** {@code spec.secretTemplate}, from the {@code cert-manager.io/secret-template} annotation. */
    public record SecretTemplate(Map<String, String> labels, Map<String, String> annotations) {
        public SecretTemplate {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }
    }

    /** The {@code cert-manager.io/v1} Certificate, as a Jackson tree ready to send. */
    public ObjectNode toCertificate() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode crt = f.objectNode();
        crt.put("apiVersion", "cert-manager.io/v1");
        crt.put("kind", "Certificate");
        ObjectNode meta = crt.putObject("metadata");
        meta.put("name", name);
        if (namespace != null) {
            meta.put("namespace", namespace);
        }
        putMap(meta, "labels", labels);
        putMap(meta, "annotations", annotations);
        ObjectNode spec = crt.putObject("spec");
        spec.put("secretName", secretName);
        if (commonName != null) {
            spec.put("commonName", commonName);
        }
        putList(spec, "dnsNames", dnsNames);
        putList(spec, "ipAddresses", ipAddresses);
        putList(spec, "emailAddresses", emailAddresses);
        putList(spec, "uris", uris);
        ObjectNode ref = spec.putObject("issuerRef");
        ref.put("name", issuerRef.name());
        ref.put("kind", issuerRef.kind());
        ref.put("group", issuerRef.group());
        if (duration != null) {
            spec.put("duration", duration);
        }
        if (renewBefore != null) {
            spec.put("renewBefore", renewBefore);
        }
        if (renewBeforePercentage != null) {
            spec.put("renewBeforePercentage", renewBeforePercentage);
        }
        putList(spec, "usages", usages);
        if (privateKey != null && !privateKey.isEmpty()) {
            ObjectNode pk = spec.putObject("privateKey");
            if (privateKey.algorithm() != null) {
                pk.put("algorithm", privateKey.algorithm());
            }
            if (privateKey.size() != null) {
                pk.put("size", privateKey.size());
            }
            if (privateKey.encoding() != null) {
                pk.put("encoding", privateKey.encoding());
            }
            if (privateKey.rotationPolicy() != null) {
                pk.put("rotationPolicy", privateKey.rotationPolicy());
            }
        }
        if (revisionHistoryLimit != null) {
            spec.put("revisionHistoryLimit", revisionHistoryLimit);
        }
        if (subject != null && !subject.isEmpty()) {
            ObjectNode s = spec.putObject("subject");
            putList(s, "organizations", subject.organizations());
            putList(s, "organizationalUnits", subject.organizationalUnits());
            putList(s, "countries", subject.countries());
            putList(s, "provinces", subject.provinces());
            putList(s, "localities", subject.localities());
            putList(s, "postalCodes", subject.postalCodes());
            putList(s, "streetAddresses", subject.streetAddresses());
            if (subject.serialNumber() != null && !subject.serialNumber().isEmpty()) {
                s.put("serialNumber", subject.serialNumber());
            }
        }
        if (secretTemplate != null
                && (!secretTemplate.labels().isEmpty()
                        || !secretTemplate.annotations().isEmpty())) {
            ObjectNode t = spec.putObject("secretTemplate");
            putMap(t, "annotations", secretTemplate.annotations());
            putMap(t, "labels", secretTemplate.labels());
        }
        return crt;
    }

    private static void putList(ObjectNode parent, String field, List<String> values) {
        if (values != null && !values.isEmpty()) {
            ArrayNode a = parent.putArray(field);
            values.forEach(a::add);
        }
    }

    private static void putMap(ObjectNode parent, String field, Map<String, String> values) {
        if (!values.isEmpty()) {
            ObjectNode o = parent.putObject(field);
            values.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> o.put(e.getKey(), e.getValue()));
        }
    }

    private static List<String> copy(List<String> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}
