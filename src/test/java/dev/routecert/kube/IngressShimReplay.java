package dev.routecert.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.values.GoDuration;
import dev.routecert.policy.values.IpAddresses;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One sync of cert-manager's ingress-shim for one Ingress, replayed against the API server as its
 * {@code pkg/controller/certificate-shim/sync.go} does it in its default (Update) mode: read the
 * Ingress, refuse it for bad issuer annotations or a repeated secretName (a BadConfig Event and no
 * write), build one Certificate per valid TLS entry, create the missing ones, replace spec and labels
 * of the ones the Ingress controls when {@code certNeedsUpdate} finds a difference, and delete the
 * ones it controls whose secret the Ingress no longer names. For tests of routecert beside the shim.
 *
 * <p>It translates the annotations the tests use (issuer, alt-names, ip-sans, usages, duration,
 * renew-before, common-name and the ACME HTTP-01 ones) and refuses an Ingress with any other
 * cert-manager annotation, so that it never differs from the shim silently.
 */
public final class IngressShimReplay implements AutoCloseable {

    /** The field manager of the shim's writes: the API server takes it from the user agent, as for cert-manager's controller. */
    public static final String FIELD_MANAGER = "cert-manager-ingress-shim";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CM = "cert-manager.io/";
    private static final String ACME = "acme.cert-manager.io/";
    private static final Set<String> TRANSLATED = Set.of(
            CM + "issuer",
            CM + "cluster-issuer",
            CM + "issuer-kind",
            CM + "issuer-group",
            CM + "alt-names",
            CM + "ip-sans",
            CM + "usages",
            CM + "duration",
            CM + "renew-before",
            CM + "common-name",
            ACME + "http01-edit-in-place",
            ACME + "http01-ingress-class",
            ACME + "http01-ingress-ingressclassname");

    private final KubernetesClient client;
    private final String defaultIssuerGroup;
    private final List<String> extraAnnotations;
    private final List<String> events = new ArrayList<>();
    private int writes;

    /** The shim with cert-manager's defaults: no default issuer, group cert-manager.io, no extra annotations. */
    public IngressShimReplay(KubernetesClient client) {
        this(client, "cert-manager.io", List.of());
    }

    public IngressShimReplay(KubernetesClient admin, String defaultIssuerGroup, List<String> extraAnnotations) {
        this.client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(admin.getConfiguration())
                        .withUserAgent(FIELD_MANAGER)
                        .build())
                .build();
        this.defaultIssuerGroup = defaultIssuerGroup;
        this.extraAnnotations = List.copyOf(extraAnnotations);
    }

    @Override
    public void close() {
        client.close();
    }

    /** {@code type reason: message} of every Event the replay would have recorded, oldest first. */
    public List<String> events() {
        return List.copyOf(events);
    }

    /**
     * Syncs until a pass writes nothing, as every write re-queues the Ingress; returns the writes
     * (creates, updates and deletes) of all passes.
     */
    public int converge(String namespace, String ingress) {
        int before = writes;
        for (int pass = 0; pass < 10; pass++) {
            int at = writes;
            sync(namespace, ingress);
            if (writes == at) {
                return writes - before;
            }
        }
        throw new AssertionError("the shim did not converge on " + namespace + "/" + ingress + " in 10 passes");
    }

    /** One sync; returns the number of writes it made. */
    public int sync(String namespace, String name) {
        int at = writes;
        GenericKubernetesResource stored = client.genericKubernetesResources("networking.k8s.io/v1", "Ingress")
                .inNamespace(namespace)
                .withName(name)
                .get();
        if (stored == null) {
            return 0;
        }
        JsonNode ingress = JSON.valueToTree(stored);
        JsonNode meta = ingress.path("metadata");
        Map<String, String> annotations = strings(meta.path("annotations"));
        boolean acme = "true".equalsIgnoreCase(annotations.getOrDefault("kubernetes.io/tls-acme", ""))
                || Set.of("1", "t", "T").contains(annotations.getOrDefault("kubernetes.io/tls-acme", ""));
        if (!annotations.containsKey(CM + "issuer") && !annotations.containsKey(CM + "cluster-issuer") && !acme) {
            return 0;
        }
        if (meta.hasNonNull("deletionTimestamp")) {
            return 0;
        }
        for (String key : annotations.keySet()) {
            if ((key.startsWith(CM) || key.startsWith(ACME)) && !TRANSLATED.contains(key)) {
                throw new IllegalArgumentException("the replay does not translate " + key);
            }
        }
        String[] issuer = issuer(annotations);
        if (issuer == null) {
            return 0;
        }
        JsonNode tls = ingress.path("spec").path("tls");
        String duplicate = duplicateSecretNames(tls);
        if (duplicate != null) {
            events.add("Warning BadConfig: " + duplicate);
            return 0;
        }
        String uid = meta.path("uid").asText();
        Map<String, ObjectNode> desired = new LinkedHashMap<>();
        for (int i = 0; i < tls.size(); i++) {
            JsonNode entry = tls.get(i);
            List<String> hosts = new ArrayList<>();
            entry.path("hosts").forEach(h -> hosts.add(h.asText()));
            String secretName = entry.path("secretName").asText("");
            if (hosts.isEmpty() || secretName.isEmpty()) {
                events.add("Warning BadConfig: Skipped a TLS block: spec.tls[" + i + "]");
                continue;
            }
            desired.put(secretName, certificate(ingress, annotations, hosts, secretName, issuer));
        }
        for (ObjectNode crt : desired.values()) {
            String crtName = crt.path("metadata").path("name").asText();
            GenericKubernetesResource existing = client.genericKubernetesResources(ClusterFixture.CERTIFICATES)
                    .inNamespace(namespace)
                    .withName(crtName)
                    .get();
            if (existing == null) {
                client.genericKubernetesResources(ClusterFixture.CERTIFICATES)
                        .inNamespace(namespace)
                        .resource(JSON.convertValue(crt, GenericKubernetesResource.class))
                        .create();
                writes++;
                events.add("Normal CreateCertificate: Successfully created Certificate \"" + crtName + "\"");
                continue;
            }
            ObjectNode live = JSON.valueToTree(existing);
            String controller = controllerUid(live);
            if (controller == null || !controller.equals(uid) || !needsUpdate(live, crt)) {
                continue;
            }
            ObjectNode update = live.deepCopy();
            update.set("spec", crt.get("spec"));
            ObjectNode updateMeta = (ObjectNode) update.get("metadata");
            if (crt.path("metadata").has("labels")) {
                updateMeta.set("labels", crt.path("metadata").get("labels"));
            } else {
                updateMeta.remove("labels");
            }
            if (crt.path("metadata").path("annotations").size() > 0) {
                ObjectNode merged = updateMeta.has("annotations")
                        ? (ObjectNode) updateMeta.get("annotations")
                        : updateMeta.putObject("annotations");
                merged.setAll((ObjectNode) crt.path("metadata").get("annotations"));
            }
            client.genericKubernetesResources(ClusterFixture.CERTIFICATES)
                    .inNamespace(namespace)
                    .resource(JSON.convertValue(update, GenericKubernetesResource.class))
                    .update();
            writes++;
            events.add("Normal UpdateCertificate: Successfully updated Certificate \"" + crtName + "\"");
        }
        Set<String> used = new LinkedHashSet<>();
        tls.forEach(entry -> used.add(entry.path("secretName").asText("")));
        for (GenericKubernetesResource c : client.genericKubernetesResources(ClusterFixture.CERTIFICATES)
                .inNamespace(namespace)
                .list()
                .getItems()) {
            JsonNode live = JSON.valueToTree(c);
            if (uid.equals(controllerUid(live))
                    && !used.contains(live.path("spec").path("secretName").asText())) {
                client.resource(c).delete();
                writes++;
                events.add("Normal DeleteCertificate: Successfully deleted unrequired Certificate \""
                        + c.getMetadata().getName() + "\"");
            }
        }
        return writes - at;
    }

    /** issuerForIngressLike: name, kind, group, or null with a BadConfig Event. */
    private String[] issuer(Map<String, String> a) {
        String name = "";
        String kind = "";
        String group = defaultIssuerGroup;
        boolean hasIssuer = a.containsKey(CM + "issuer");
        boolean hasCluster = a.containsKey(CM + "cluster-issuer");
        if (hasIssuer) {
            name = a.get(CM + "issuer");
            kind = "Issuer";
        }
        if (hasCluster) {
            name = a.get(CM + "cluster-issuer");
            kind = "ClusterIssuer";
        }
        if (a.containsKey(CM + "issuer-kind")) {
            kind = a.get(CM + "issuer-kind");
        }
        if (a.containsKey(CM + "issuer-group")) {
            group = a.get(CM + "issuer-group");
        }
        List<String> errors = new ArrayList<>();
        if (name.isEmpty()) {
            errors.add("failed to determine issuer name to be used for ingress resource");
        }
        if (hasIssuer && hasCluster) {
            errors.add("both \"cert-manager.io/issuer\" and \"cert-manager.io/cluster-issuer\" may not be set");
        }
        if (hasCluster && a.containsKey(CM + "issuer-group")) {
            errors.add("both \"cert-manager.io/cluster-issuer\" and \"cert-manager.io/issuer-group\" may not be set");
        }
        if (hasCluster && a.containsKey(CM + "issuer-kind")) {
            errors.add("both \"cert-manager.io/cluster-issuer\" and \"cert-manager.io/issuer-kind\" may not be set");
        }
        if (!errors.isEmpty()) {
            events.add("Warning BadConfig: Could not determine issuer for ingress due to bad annotations: "
                    + String.join(", ", errors));
            return null;
        }
        return new String[] {name, kind, group};
    }

    /** checkForDuplicateSecretNames: the aggregate of its errors, or null. */
    private static String duplicateSecretNames(JsonNode tls) {
        Map<String, List<Integer>> uses = new LinkedHashMap<>();
        for (int i = 0; i < tls.size(); i++) {
            uses.computeIfAbsent(tls.get(i).path("secretName").asText(""), k -> new ArrayList<>())
                    .add(i);
        }
        List<String> errors = new ArrayList<>();
        uses.forEach((name, at) -> {
            if (at.size() > 1) {
                errors.add("spec.tls[" + at.get(0) + "].secretName: Invalid value: \"" + name
                        + "\": this secret name must only appear in a single TLS entry but is also used in spec.tls["
                        + at.get(1) + "].secretName");
            }
        });
        if (errors.isEmpty()) {
            return null;
        }
        return errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
    }

    private ObjectNode certificate(
            JsonNode ingress, Map<String, String> a, List<String> hosts, String secretName, String[] issuer) {
        JsonNode meta = ingress.path("metadata");
        ObjectNode crt = JsonNodeFactory.instance.objectNode();
        crt.put("apiVersion", "cert-manager.io/v1");
        crt.put("kind", "Certificate");
        ObjectNode m = crt.putObject("metadata");
        m.put("name", secretName);
        m.put("namespace", meta.path("namespace").asText());
        Map<String, String> labels = strings(meta.path("labels"));
        labels.remove("applyset.kubernetes.io/part-of");
        if (!labels.isEmpty()) {
            ObjectNode l = m.putObject("labels");
            labels.forEach(l::put);
        }
        Map<String, String> certAnnotations = new LinkedHashMap<>();
        for (String key : extraAnnotations) {
            if (a.containsKey(key)) {
                certAnnotations.put(key, a.get(key));
            }
        }
        if ("true".equals(a.get(ACME + "http01-edit-in-place"))) {
            certAnnotations.put(
                    ACME + "http01-override-ingress-name", meta.path("name").asText());
            certAnnotations.put(CM + "issue-temporary-certificate", "true");
        }
        if (!a.getOrDefault(ACME + "http01-ingress-class", "").isEmpty()) {
            certAnnotations.put(ACME + "http01-override-ingress-class", a.get(ACME + "http01-ingress-class"));
        }
        if (!a.getOrDefault(ACME + "http01-ingress-ingressclassname", "").isEmpty()) {
            certAnnotations.put(
                    ACME + "http01-override-ingress-ingressclassname", a.get(ACME + "http01-ingress-ingressclassname"));
        }
        if (!certAnnotations.isEmpty()) {
            ObjectNode an = m.putObject("annotations");
            certAnnotations.forEach(an::put);
        }
        m.putArray("ownerReferences")
                .addObject()
                .put("apiVersion", "networking.k8s.io/v1")
                .put("kind", "Ingress")
                .put("name", meta.path("name").asText())
                .put("uid", meta.path("uid").asText())
                .put("controller", true)
                .put("blockOwnerDeletion", true);
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (String h : hosts) {
            (IpAddresses.isIp(h) ? ips : dns).add(h);
        }
        ObjectNode spec = crt.putObject("spec");
        if (a.containsKey(CM + "common-name")) {
            spec.put("commonName", a.get(CM + "common-name"));
        }
        if (a.containsKey(CM + "alt-names")) {
            dns.addAll(List.of(a.get(CM + "alt-names").split(",", -1)));
        }
        if (a.containsKey(CM + "ip-sans")) {
            ips.addAll(List.of(a.get(CM + "ip-sans").split(",", -1)));
        }
        // dedupeSANs: first seen wins, IP addresses compared by value
        List<String> uniqueDns = List.copyOf(new LinkedHashSet<>(dns));
        Map<String, String> uniqueIps = new LinkedHashMap<>();
        ips.forEach(ip -> uniqueIps.putIfAbsent(IpAddresses.canonical(ip).orElse(ip), ip));
        putList(spec, "dnsNames", uniqueDns);
        putList(spec, "ipAddresses", List.copyOf(uniqueIps.values()));
        spec.put("secretName", secretName);
        ObjectNode ref = spec.putObject("issuerRef");
        ref.put("name", issuer[0]);
        if (!issuer[1].isEmpty()) {
            ref.put("kind", issuer[1]);
        }
        if (!issuer[2].isEmpty()) {
            ref.put("group", issuer[2]);
        }
        List<String> usages = List.of("digital signature", "key encipherment");
        if (a.containsKey(CM + "usages")) {
            usages = new ArrayList<>();
            for (String u : a.get(CM + "usages").split(",", -1)) {
                usages.add(u.replaceAll("^ +| +$", ""));
            }
        }
        putList(spec, "usages", usages);
        if (a.containsKey(CM + "duration")) {
            spec.put(
                    "duration",
                    GoDuration.format(GoDuration.parse(a.get(CM + "duration")).nanos()));
        }
        if (a.containsKey(CM + "renew-before")) {
            spec.put(
                    "renewBefore",
                    GoDuration.format(
                            GoDuration.parse(a.get(CM + "renew-before")).nanos()));
        }
        return crt;
    }

    /** certNeedsUpdate, for the fields this replay writes. */
    static boolean needsUpdate(JsonNode a, JsonNode b) {
        if (!a.path("metadata").path("name").equals(b.path("metadata").path("name"))) {
            return true;
        }
        if (!strings(a.path("metadata").path("labels"))
                .equals(strings(b.path("metadata").path("labels")))) {
            return true;
        }
        JsonNode as = a.path("spec");
        JsonNode bs = b.path("spec");
        for (String field : List.of("commonName", "dnsNames", "ipAddresses", "secretName", "revisionHistoryLimit")) {
            if (!orEmpty(as.path(field)).equals(orEmpty(bs.path(field)))) {
                return true;
            }
        }
        if (!as.path("issuerRef").path("name").equals(bs.path("issuerRef").path("name"))
                || !as.path("issuerRef")
                        .path("kind")
                        .equals(bs.path("issuerRef").path("kind"))) {
            return true;
        }
        for (String field : List.of("algorithm", "encoding", "rotationPolicy", "size")) {
            if (!orEmpty(as.path("privateKey").path(field))
                    .equals(orEmpty(bs.path("privateKey").path(field)))) {
                return true;
            }
        }
        return !Objects.equals(duration(as.path("duration")), duration(bs.path("duration")))
                || !Objects.equals(duration(as.path("renewBefore")), duration(bs.path("renewBefore")));
    }

    private static JsonNode orEmpty(JsonNode n) {
        if (n.isMissingNode() || n.isNull() || (n.isArray() && n.isEmpty())) {
            return JsonNodeFactory.instance.missingNode();
        }
        return n;
    }

    private static Long duration(JsonNode n) {
        return n.isTextual() ? GoDuration.parse(n.asText()).nanos() : null;
    }

    static String controllerUid(JsonNode object) {
        for (JsonNode ref : object.path("metadata").path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false)) {
                return ref.path("uid").asText();
            }
        }
        return null;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new HashMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static void putList(ObjectNode parent, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode array = parent.putArray(field);
            values.forEach(array::add);
        }
    }
}
