package dev.routecert.routes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A read-only view of a Traefik {@code IngressRoute} or {@code IngressRouteTCP} ({@code traefik.io/v1alpha1}
 * or the legacy {@code traefik.containo.us/v1alpha1}; both groups have the same shape). The TCP kind
 * is laid out the same way, except that its routes have no {@code kind} and its TLS may be
 * {@code passthrough}. It reads only what the policy needs from the raw tree; everything else stays
 * in the raw object, untouched.
 */
public final class IngressRouteView {

    /** How {@code spec.tls} is written: absent, an object (correct), a list (Ingress style) or something else. */
    public enum TlsShape {
        ABSENT,
        OBJECT,
        LIST,
        OTHER
    }

    /**
     * One entry of {@code spec.routes}.
     *
     * @param match  the rule, or null when missing or not a string
     * @param kind   {@code spec.routes[i].kind}, null when absent (Traefik then uses {@code Rule})
     * @param syntax {@code spec.routes[i].syntax}, null when absent
     */
    public record Route(int index, String match, String kind, String syntax) {
        public String field() {
            return "spec.routes[" + index + "]";
        }
    }

    /** One entry of {@code spec.tls.domains}. */
    public record Domain(int index, String main, List<String> sans) {
        public Domain {
            // a SAN that is not a string is kept as null (reported as a shape problem): List.copyOf refuses nulls
            sans = Collections.unmodifiableList(new ArrayList<>(sans));
        }
    }

    /**
     * {@code spec.tls.options} or {@code spec.tls.store}: a reference to a Traefik TLSOption or TLSStore.
     *
     * @param namespace null when not written (Traefik then uses the route's)
     */
    public record TlsRef(String field, String name, String namespace) {}

    /**
     * {@code spec.tls} when it is an object.
     *
     * @param options {@code spec.tls.options}, null when absent or not an object
     * @param store   {@code spec.tls.store}, null when absent or not an object
     */
    public record Tls(String secretName, String certResolver, List<Domain> domains, TlsRef options, TlsRef store) {
        public Tls {
            domains = List.copyOf(domains);
        }

        public Tls(String secretName, String certResolver, List<Domain> domains) {
            this(secretName, certResolver, domains, null, null);
        }
    }

    private final RouteKind kind;
    private final ObjectMetaView meta;
    private final List<Route> routes;
    private final boolean routesPresent;
    private final TlsShape tlsShape;
    private final Tls tls;
    private final boolean parentRefs;
    private final boolean passthrough;
    private final List<ShapeProblem> problems;

    private IngressRouteView(
            RouteKind kind,
            ObjectMetaView meta,
            List<Route> routes,
            boolean routesPresent,
            TlsShape tlsShape,
            Tls tls,
            boolean parentRefs,
            boolean passthrough,
            List<ShapeProblem> problems) {
        this.kind = kind;
        this.meta = meta;
        this.routes = List.copyOf(routes);
        this.routesPresent = routesPresent;
        this.tlsShape = tlsShape;
        this.tls = tls;
        this.parentRefs = parentRefs;
        this.passthrough = passthrough;
        this.problems = List.copyOf(problems);
    }

    public static IngressRouteView of(RouteKind kind, JsonNode object) {
        ObjectMetaView meta = ObjectMetaView.of(object);
        List<ShapeProblem> problems = new ArrayList<>(meta.problems());
        JsonNode spec = object == null ? null : object.get("spec");
        if (spec != null && !spec.isNull() && !spec.isObject()) {
            problems.add(new ShapeProblem("spec", "must be an object"));
            spec = null;
        }

        JsonNode rs = Json.value(spec, "routes");
        List<Route> routes = new ArrayList<>(rs == null ? 0 : rs.size());
        if (rs != null) {
            if (!rs.isArray()) {
                problems.add(new ShapeProblem("spec.routes", "must be a list of routes, not " + Json.describe(rs)));
            } else {
                for (int i = 0; i < rs.size(); i++) {
                    JsonNode r = rs.get(i);
                    if (!r.isObject()) {
                        problems.add(
                                new ShapeProblem("spec.routes[" + i + "]", "must be an object with a match field"));
                        continue;
                    }
                    // field paths are built only for a problem: this loop runs for every route
                    String match = Json.string(r, "match", "spec.routes", i, problems);
                    // a TCP route has no kind: the API server prunes one, and Traefik never reads it
                    String routeKind = tcp(kind) ? null : Json.string(r, "kind", "spec.routes", i, problems);
                    String syntax = Json.string(r, "syntax", "spec.routes", i, problems);
                    routes.add(new Route(i, match, routeKind, syntax));
                }
            }
        }

        TlsShape shape = TlsShape.ABSENT;
        Tls tls = null;
        boolean passthrough = false;
        JsonNode t = Json.value(spec, "tls");
        if (t != null) {
            if (t.isObject()) {
                shape = TlsShape.OBJECT;
                tls = readTls(t, problems);
                if (tcp(kind)) {
                    passthrough = Json.bool(t, "passthrough", "spec.tls.passthrough", problems);
                }
            } else {
                shape = t.isArray() ? TlsShape.LIST : TlsShape.OTHER;
            }
        }

        JsonNode p = Json.value(spec, "parentRefs");
        boolean parentRefs = p != null && (!p.isArray() || !p.isEmpty());
        return new IngressRouteView(kind, meta, routes, rs != null, shape, tls, parentRefs, passthrough, problems);
    }

    private static boolean tcp(RouteKind kind) {
        return kind != null && kind.shape() == RouteKind.Shape.INGRESS_ROUTE_TCP;
    }

    private static Tls readTls(JsonNode t, List<ShapeProblem> problems) {
        String secretName = Json.string(t, "secretName", "spec.tls.secretName", problems);
        String certResolver = Json.string(t, "certResolver", "spec.tls.certResolver", problems);
        List<Domain> domains = new ArrayList<>();
        JsonNode ds = Json.value(t, "domains");
        if (ds != null) {
            if (!ds.isArray()) {
                problems.add(new ShapeProblem(
                        "spec.tls.domains", "must be a list of {main, sans}, not " + Json.describe(ds)));
            } else {
                for (int i = 0; i < ds.size(); i++) {
                    JsonNode d = ds.get(i);
                    String path = "spec.tls.domains[" + i + "]";
                    if (!d.isObject()) {
                        problems.add(new ShapeProblem(path, "must be an object with main and sans"));
                        continue;
                    }
                    String main = Json.string(d, "main", path + ".main", problems);
                    List<String> sans = Json.hostList(d, "sans", path + ".sans", problems);
                    domains.add(new Domain(i, main, sans));
                }
            }
        }
        return new Tls(
                secretName, certResolver, domains, reference(t, "options", problems), reference(t, "store", problems));
    }

    /** {@code spec.tls.<field>}, a {name, namespace} reference; null when absent or not an object. */
    private static TlsRef reference(JsonNode tls, String field, List<ShapeProblem> problems) {
        JsonNode r = Json.value(tls, field);
        String path = "spec.tls." + field;
        if (r == null) {
            return null;
        }
        if (!r.isObject()) {
            problems.add(new ShapeProblem(path, "must be an object with name and namespace, not " + Json.describe(r)));
            return null;
        }
        String name = Json.string(r, "name", path + ".name", problems);
        String namespace = Json.string(r, "namespace", path + ".namespace", problems);
        return new TlsRef(path, name, namespace == null || namespace.isEmpty() ? null : namespace);
    }

    /** Which of the IngressRoute kinds (API groups) this object is. */
    public RouteKind kind() {
        return kind;
    }

    public ObjectMetaView meta() {
        return meta;
    }

    public List<Route> routes() {
        return routes;
    }

    public boolean routesPresent() {
        return routesPresent;
    }

    public TlsShape tlsShape() {
        return tlsShape;
    }

    /** {@code spec.tls} when it is an object, else null. */
    public Tls tls() {
        return tls;
    }

    /** True when {@code spec.parentRefs} is set (a child route in Traefik's multi-layer routing). */
    public boolean hasParentRefs() {
        return parentRefs;
    }

    /** True for an IngressRouteTCP. */
    public boolean tcp() {
        return tcp(kind);
    }

    /**
     * {@code spec.tls.passthrough} of an IngressRouteTCP: Traefik forwards the TLS connection
     * untouched, and the backend presents its own certificate. Always false for an IngressRoute.
     */
    public boolean passthrough() {
        return passthrough;
    }

    public List<ShapeProblem> problems() {
        return problems;
    }
}
