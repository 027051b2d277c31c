package dev.routecert.routes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A read-only view of a {@code networking.k8s.io/v1 Ingress}: its rule hosts and TLS entries. */
public final class IngressView {

    /** {@code spec.rules[i]}; host is null for a rule that matches any host. */
    public record Rule(int index, String host) {
        public String field() {
            return "spec.rules[" + index + "].host";
        }
    }

    /** {@code spec.tls[i]}; hosts may be empty and secretName null. */
    public record Tls(int index, List<String> hosts, String secretName) {
        public Tls {
            hosts = hosts == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(hosts));
        }

        public String field() {
            return "spec.tls[" + index + "]";
        }
    }

    /** The prefix of Traefik's Ingress annotations; Traefik matches it as written, and the rest of the key in any case. */
    public static final String TRAEFIK_ANNOTATION_PREFIX = "traefik.ingress.kubernetes.io/";

    /** One {@code traefik.ingress.kubernetes.io/router.*} annotation: the key as written, and its value. */
    public record Annotation(String key, String value) {
        public String field() {
            return "metadata.annotations[" + key + "]";
        }
    }

    /**
     * The router annotations that decide whether Traefik serves this Ingress over TLS, read as Traefik's
     * label parser reads them (the part after the prefix in any case). Each is null when absent.
     *
     * @param tls          {@code router.tls}
     * @param tlsKeys      the {@code router.tls.*} keys (certresolver, options, domains...), each of which
     *                     also makes the router TLS
     * @param certResolver {@code router.tls.certresolver}
     * @param options      {@code router.tls.options}
     * @param entryPoints  {@code router.entrypoints}
     */
    public record TraefikRouter(
            Annotation tls,
            List<Annotation> tlsKeys,
            Annotation certResolver,
            Annotation options,
            Annotation entryPoints) {
        public TraefikRouter {
            tlsKeys = List.copyOf(tlsKeys);
        }

        static TraefikRouter of(Map<String, String> annotations) {
            Annotation tls = null;
            Annotation certResolver = null;
            Annotation options = null;
            Annotation entryPoints = null;
            List<Annotation> tlsKeys = new ArrayList<>();
            for (Map.Entry<String, String> e : annotations.entrySet()) {
                if (!e.getKey().startsWith(TRAEFIK_ANNOTATION_PREFIX)) {
                    continue;
                }
                String key =
                        e.getKey().substring(TRAEFIK_ANNOTATION_PREFIX.length()).toLowerCase(Locale.ROOT);
                Annotation a = new Annotation(e.getKey(), e.getValue());
                switch (key) {
                    case "router.tls" -> tls = a;
                    case "router.tls.certresolver" -> certResolver = a;
                    case "router.tls.options" -> options = a;
                    case "router.entrypoints" -> entryPoints = a;
                    default -> {}
                }
                if (key.startsWith("router.tls.")) {
                    tlsKeys.add(a);
                }
            }
            return new TraefikRouter(tls, tlsKeys, certResolver, options, entryPoints);
        }
    }

    private final ObjectMetaView meta;
    private final List<Rule> rules;
    private final List<Tls> tls;
    private final boolean defaultBackend;
    private final List<ShapeProblem> problems;

    private IngressView(
            ObjectMetaView meta, List<Rule> rules, List<Tls> tls, boolean defaultBackend, List<ShapeProblem> problems) {
        this.meta = meta;
        this.rules = List.copyOf(rules);
        this.tls = List.copyOf(tls);
        this.defaultBackend = defaultBackend;
        this.problems = List.copyOf(problems);
    }

    public static IngressView of(JsonNode object) {
        ObjectMetaView meta = ObjectMetaView.of(object);
        List<ShapeProblem> problems = new ArrayList<>(meta.problems());
        JsonNode spec = object == null ? null : object.get("spec");
        if (spec != null && !spec.isNull() && !spec.isObject()) {
            problems.add(new ShapeProblem("spec", "must be an object"));
            spec = null;
        }
        JsonNode rs = Json.value(spec, "rules");
        List<Rule> rules = new ArrayList<>(rs == null ? 0 : rs.size());
        if (rs != null) {
            if (!rs.isArray()) {
                problems.add(new ShapeProblem("spec.rules", "must be a list"));
            } else {
                for (int i = 0; i < rs.size(); i++) {
                    JsonNode r = rs.get(i);
                    if (!r.isObject()) {
                        problems.add(new ShapeProblem("spec.rules[" + i + "]", "must be an object"));
                        continue;
                    }
                    String host = Json.string(r, "host", "spec.rules", i, problems);
                    rules.add(new Rule(i, host == null || host.isEmpty() ? null : host));
                }
            }
        }
        List<Tls> tls = new ArrayList<>();
        JsonNode ts = Json.value(spec, "tls");
        if (ts != null) {
            if (!ts.isArray()) {
                problems.add(new ShapeProblem(
                        "spec.tls", "must be a list of {hosts, secretName}, not " + Json.describe(ts)));
            } else {
                for (int i = 0; i < ts.size(); i++) {
                    JsonNode t = ts.get(i);
                    String path = "spec.tls[" + i + "]";
                    if (!t.isObject()) {
                        problems.add(new ShapeProblem(path, "must be an object with hosts and secretName"));
                        continue;
                    }
                    List<String> hosts = Json.hostList(t, "hosts", path + ".hosts", problems);
                    String secretName = Json.string(t, "secretName", path + ".secretName", problems);
                    tls.add(new Tls(i, hosts, secretName == null || secretName.isEmpty() ? null : secretName));
                }
            }
        }
        boolean defaultBackend = Json.present(spec, "defaultBackend");
        return new IngressView(meta, rules, tls, defaultBackend, problems);
    }

    public ObjectMetaView meta() {
        return meta;
    }

    /** Traefik's router annotations on this Ingress. */
    public TraefikRouter traefikRouter() {
        return TraefikRouter.of(meta.annotations());
    }

    public List<Rule> rules() {
        return rules;
    }

    public List<Tls> tls() {
        return tls;
    }

    /** True when requests that match no rule still reach a backend (so any host name is served). */
    public boolean hasDefaultBackend() {
        return defaultBackend;
    }

    public List<ShapeProblem> problems() {
        return problems;
    }
}
