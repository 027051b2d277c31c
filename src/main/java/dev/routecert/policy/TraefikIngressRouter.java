package dev.routecert.policy;

import dev.routecert.routes.IngressView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An Ingress's {@code traefik.ingress.kubernetes.io/router.*} annotations as Traefik's Ingress provider
 * counts them: {@code router.tls} or any {@code router.tls.*} key makes the router TLS; a value that
 * does not decode makes Traefik skip the whole Ingress; {@code router.tls.certresolver} has Traefik's
 * ACME obtain the certificate; {@code router.tls.options} is a dynamic TLS option name. {@code spec.tls}
 * alone only loads the Secrets: the router is TLS through the annotations or an entry point with
 * {@code http.tls}.
 */
final class TraefikIngressRouter {

    /**
     * What the annotations say.
     *
     * @param tls          whether the router is TLS by its annotations
     * @param certResolver the {@code router.tls.certresolver} annotation when the router is TLS and it is set, else null
     * @param entryPoints  the {@code router.entrypoints} list, null when the annotation is absent (every entry point)
     */
    record Reading(boolean tls, IngressView.Annotation certResolver, List<String> entryPoints) {}

    private TraefikIngressRouter() {}

    static Reading read(
            Findings f, IngressView.TraefikRouter router, String namespace, PolicyConfig config, TlsObjectFacts facts) {
        boolean tls = !router.tlsKeys().isEmpty();
        if (router.tls() != null) {
            // Go's ParseBool trims nothing
            Boolean value = goBool(router.tls().value());
            if (value == null) {
                f.deny(Violation.invalid(
                        Check.TRAEFIK_ROUTER_TLS,
                        router.tls().field(),
                        "'" + HostName.shorten(router.tls().value()) + "' is not a boolean; Traefik cannot decode this"
                                + " Ingress's annotations and skips the whole Ingress, serving none of its rules",
                        "write \"true\" or \"false\""));
            } else {
                tls |= value;
            }
        }
        if (router.options() != null) {
            TraefikTlsObjects.checkDynamicName(
                    f, router.options().field(), router.options().value().trim(), namespace, facts, true);
        }
        IngressView.Annotation resolver =
                router.certResolver() != null && !router.certResolver().value().isBlank() && tls
                        ? router.certResolver()
                        : null;
        List<String> entryPoints = null;
        if (router.entryPoints() != null) {
            entryPoints = new ArrayList<>();
            for (String e : router.entryPoints().value().split(",", -1)) {
                if (!e.isBlank()) {
                    entryPoints.add(e.trim());
                }
            }
        }
        return new Reading(tls, resolver, entryPoints);
    }

    /**
     * {@code spec.tls} on a router that is not TLS by its annotations and is not known to be on an entry
     * point with {@code http.tls}: Traefik loads the Secrets, and may serve the hosts over plain HTTP only.
     */
    static void warnNotTls(Findings f, Reading router, PolicyConfig config) {
        if (router.tls() || onTlsEntryPoint(router.entryPoints(), config.traefikTlsEntryPoints())) {
            return;
        }
        f.warn(
                Check.TLS_ROUTER_NOT_TLS,
                "spec.tls",
                "Traefik loads these Secrets but serves this Ingress over TLS only on an entry point with http.tls ("
                        + (config.traefikTlsEntryPoints().isEmpty()
                                ? "none is known to routecert"
                                : String.join(
                                                ", ",
                                                config.traefikTlsEntryPoints().stream()
                                                        .sorted()
                                                        .toList())
                                        + " is not in router.entrypoints")
                        + ") or with the annotation " + IngressView.TRAEFIK_ANNOTATION_PREFIX + "router.tls: \"true\"");
    }

    static String certResolverNote(Reading router) {
        return "no Certificate planned: the annotation " + router.certResolver().key() + " '"
                + router.certResolver().value().trim() + "' makes Traefik obtain the certificate itself";
    }

    /** Without {@code router.entrypoints} the router is on every entry point, the TLS ones among them. */
    private static boolean onTlsEntryPoint(List<String> entryPoints, Set<String> tlsEntryPoints) {
        if (tlsEntryPoints.isEmpty()) {
            return false;
        }
        if (entryPoints == null || entryPoints.isEmpty()) {
            return true;
        }
        return entryPoints.stream().anyMatch(tlsEntryPoints::contains);
    }

    /** Go's {@code strconv.ParseBool}, which Traefik's label parser uses; null when it refuses the value. */
    static Boolean goBool(String s) {
        return switch (s) {
            case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
            default -> null;
        };
    }
}
