package dev.routecert.policy.scope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.routes.RouteKind;
import java.util.Optional;

/**
 * The objects {@code --require-tls} never denies for lacking TLS: cert-manager's HTTP-01 solver
 * Ingresses, which must answer the challenge over plain HTTP, and routes that only redirect to HTTPS.
 * A route redirects only when the first middleware of each of its routes is a Traefik Middleware
 * with {@code redirectScheme.scheme: https} or a {@code redirectRegex} whose replacement starts
 * {@code https://}; an Ingress names it first in {@value #MIDDLEWARES_ANNOTATION}. Middlewares are
 * looked up in {@link ScopeFacts}; one not known there does not exempt (it may not exist), and the
 * fix then says to apply it first. Chains and other controllers' redirect settings are not followed.
 */
public final class RequireTlsExemptions {

    public static final String SOLVER_LABEL = "acme.cert-manager.io/http01-solver";
    public static final String MIDDLEWARES_ANNOTATION = "traefik.ingress.kubernetes.io/router.middlewares";
    public static final String TRAEFIK_GROUP = "traefik.io";
    public static final String TRAEFIK_LEGACY_GROUP = "traefik.containo.us";
    private static final String CRD_PROVIDER = "@kubernetescrd";

    /**
     * @param exempt whether {@code --require-tls} lets this object go without TLS
     * @param why    the reason, for notes
     * @param fix    more words for the fix of the TLS-required denial, empty when there is nothing to add
     */
    public record Exemption(boolean exempt, String why, String fix) {
        public static final Exemption NONE = new Exemption(false, "", "");

        static Exemption pending(String middleware) {
            return new Exemption(
                    false,
                    "",
                    "; if this route only redirects to HTTPS, apply its Middleware " + middleware
                            + " first, then this route");
        }
    }

    private RequireTlsExemptions() {}

    /** The exemption of {@code object} of {@code kind} in {@code namespace}. */
    public static Exemption of(RouteKind kind, JsonNode object, String namespace, ScopeFacts facts) {
        JsonNode meta = object.path("metadata");
        return switch (kind.shape()) {
            case INGRESS -> {
                if (meta.path("labels").path(SOLVER_LABEL).asText("").equals("true")) {
                    yield new Exemption(true, "cert-manager's HTTP-01 solver Ingress (label " + SOLVER_LABEL + ")", "");
                }
                yield ingressRedirect(meta.path("annotations").path(MIDDLEWARES_ANNOTATION), facts);
            }
            // a redirect to HTTPS is an HTTP middleware; a TCP route is never exempt by one
            case INGRESS_ROUTE_TCP -> Exemption.NONE;
            case INGRESS_ROUTE -> ingressRouteRedirect(object.path("spec").path("routes"), namespace, facts);
        };
    }

    private static Exemption ingressRedirect(JsonNode annotation, ScopeFacts facts) {
        if (!annotation.isTextual()) {
            return Exemption.NONE;
        }
        String first = annotation.asText().split(",", -1)[0].trim();
        if (!first.endsWith(CRD_PROVIDER)) {
            return Exemption.NONE;
        }
        String id = first.substring(0, first.length() - CRD_PROVIDER.length());
        Optional<JsonNode> middleware = facts.middlewareByTraefikId(id);
        if (middleware.isEmpty()) {
            return Exemption.pending(id);
        }
        return redirectsToHttps(middleware.get())
                ? new Exemption(true, "its first middleware " + id + " redirects to HTTPS", "")
                : Exemption.NONE;
    }

    private static Exemption ingressRouteRedirect(JsonNode routes, String namespace, ScopeFacts facts) {
        if (!routes.isArray() || routes.isEmpty()) {
            return Exemption.NONE;
        }
        String named = null;
        for (JsonNode route : routes) {
            JsonNode first = route.path("middlewares").path(0);
            String name = first.path("name").asText("");
            if (name.isEmpty() || name.contains("@")) {
                return Exemption.NONE; // none, or another provider's, which routecert cannot read
            }
            String ns = first.path("namespace").asText("");
            String ref = (ns.isEmpty() ? namespace : ns) + "/" + name;
            Optional<JsonNode> middleware = facts.middleware(ns.isEmpty() ? namespace : ns, name);
            if (middleware.isEmpty()) {
                return Exemption.pending(ref);
            }
            if (!redirectsToHttps(middleware.get())) {
                return Exemption.NONE;
            }
            named = named == null ? ref : named;
        }
        return new Exemption(true, "every route's first middleware redirects to HTTPS (" + named + ")", "");
    }

    /** A Middleware that redirects every request to HTTPS. */
    public static boolean redirectsToHttps(JsonNode middleware) {
        JsonNode spec = middleware.path("spec");
        if (spec.path("redirectScheme").path("scheme").asText("").equals("https")) {
            return true;
        }
        return spec.path("redirectRegex").path("replacement").asText("").startsWith("https://");
    }
}
