package dev.routecert.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Traefik's own TLS objects as a route reaches them: a {@code tls.options} reference resolved as
 * Traefik's Kubernetes CRD provider resolves it, a {@code tls.store} that Traefik never reads, the
 * dynamic option name of an Ingress's {@code router.tls.options}, and the default TLSStore whose
 * certificate may already cover a {@code tls: {}} route. Pure: what exists comes in as {@link TlsObjectFacts}.
 * Shared by every kind that has a Traefik TLS section.
 */
final class TraefikTlsObjects {

    /** Traefik's name of its Kubernetes CRD provider, after {@code @} in a cross-provider name. */
    static final String CRD_PROVIDER = "kubernetescrd";

    /** The name of Traefik's default TLSOption and default TLSStore. */
    static final String DEFAULT = "default";

    /** At most this many existing TLSOptions in a fix. */
    private static final int MAX_SUGGESTED = 5;

    private TraefikTlsObjects() {}

    /**
     * {@code tls.options {name, namespace}} of an IngressRoute (either group): a name with {@code @} is
     * taken as written, else the TLSOption {@code namespace/name} (the route's namespace by default), and
     * a namespace other than the route's only with Traefik's {@code allowCrossNamespace}. Traefik drops a
     * route whose reference it refuses, and fails the router whose TLSOption does not exist.
     *
     * @param field where the reference is written, e.g. {@code spec.tls.options}
     */
    static void checkOptionsReference(
            Findings f,
            String field,
            String name,
            String namespace,
            String routeNamespace,
            PolicyConfig config,
            TlsObjectFacts facts) {
        if (name == null || name.isEmpty()) {
            return;
        }
        if (name.contains("@")) {
            if (namespace != null) {
                f.warn(
                        Check.TLS_OPTIONS_NAMESPACE_IGNORED,
                        field + ".namespace",
                        "'" + HostName.shorten(name) + "' is a cross-provider name, which Traefik takes as written: it"
                                + " ignores namespace '" + HostName.shorten(namespace) + "'; remove it");
            }
            if (name.endsWith("@" + CRD_PROVIDER) && !config.traefikAllowCrossNamespace()) {
                f.deny(Violation.forbidden(
                        Check.TLS_OPTIONS_CROSS_NAMESPACE,
                        field + ".name",
                        "'" + HostName.shorten(name) + "' names a TLSOption as <namespace>-<name>@" + CRD_PROVIDER
                                + ", which Traefik refuses while its allowCrossNamespace is false (its default),"
                                + " and then drops the route",
                        "write name: <TLSOption name> (and namespace:, for another namespace) instead; if Traefik runs"
                                + " with providers.kubernetesCRD.allowCrossNamespace=true, start routecert with"
                                + " --traefik-allow-cross-namespace"));
                return;
            }
            checkDynamicName(f, field + ".name", name, routeNamespace, facts, false);
            return;
        }
        String ns = namespace == null ? routeNamespace : namespace;
        if (ns != null && !ns.equals(routeNamespace) && !config.traefikAllowCrossNamespace()) {
            f.deny(Violation.forbidden(
                    Check.TLS_OPTIONS_CROSS_NAMESPACE,
                    field + ".namespace",
                    "TLSOption " + ns + "/" + HostName.shorten(name) + " is outside the route's namespace "
                            + routeNamespace + ", and Traefik refuses references to other namespaces while its"
                            + " allowCrossNamespace is false (its default), dropping the route",
                    "create the TLSOption in " + routeNamespace + " and remove namespace; if Traefik runs with"
                            + " providers.kubernetesCRD.allowCrossNamespace=true, start routecert with"
                            + " --traefik-allow-cross-namespace"));
            return;
        }
        if (name.equals(DEFAULT)) {
            f.deny(Violation.invalid(
                    Check.TLS_OPTIONS_MISSING,
                    field + ".name",
                    "a TLSOption named default is Traefik's default options for every router and is not registered"
                            + " under its namespace, so Traefik looks for " + ns + "-default, finds none"
                            + " ('unknown TLS options') and fails the router",
                    "remove spec.tls.options: the default TLSOption applies without it"));
            return;
        }
        Optional<List<JsonNode>> options = facts.tlsOptions();
        if (options.isEmpty()) {
            f.note(field + ": TLSOption " + ns + "/" + name + " was not checked: routecert does not know the"
                    + " cluster's TLSOptions (no cluster, or the TLSOption CRD is not served)");
            return;
        }
        for (JsonNode o : options.get()) {
            if (ns.equals(namespaceOf(o)) && name.equals(nameOf(o))) {
                return;
            }
        }
        f.deny(Violation.invalid(
                Check.TLS_OPTIONS_MISSING,
                field + ".name",
                "TLSOption " + ns + "/" + HostName.shorten(name) + " does not exist; Traefik fails a router whose"
                        + " TLS options are unknown, and serves none of its routes",
                existingHint(options.get(), ns, name)));
    }

    /**
     * A dynamic TLS option name, as an Ingress's {@code router.tls.options} writes it (and an
     * IngressRoute's cross-provider name): {@code default}, {@code <namespace>-<name>@kubernetescrd}
     * for a TLSOption, or {@code <name>@<provider>} for another provider's, which routecert cannot see.
     *
     * @param bare whether a name without {@code @} is possible here: Traefik qualifies it with the
     *     router's own provider, which defines no TLS options for an Ingress
     */
    static void checkDynamicName(
            Findings f, String field, String value, String routeNamespace, TlsObjectFacts facts, boolean bare) {
        if (value == null || value.isEmpty() || value.equals(DEFAULT)) {
            return;
        }
        int at = value.lastIndexOf('@');
        if (at < 0) {
            if (bare) {
                f.deny(Violation.invalid(
                        Check.TLS_OPTIONS_MISSING,
                        field,
                        "'" + HostName.shorten(value) + "' names no provider, so Traefik looks for it among the Ingress"
                                + " provider's TLS options, of which there are none ('unknown TLS options'), and fails"
                                + " the router",
                        "write <namespace>-<name>@" + CRD_PROVIDER + " for a TLSOption, e.g. " + routeNamespace + "-"
                                + HostName.shorten(value) + "@" + CRD_PROVIDER));
            }
            return;
        }
        String provider = value.substring(at + 1);
        String id = value.substring(0, at);
        if (!provider.equals(CRD_PROVIDER)) {
            f.note(field + ": '" + value + "' names TLS options of Traefik's " + provider
                    + " provider, which routecert cannot see; it was not checked");
            return;
        }
        Optional<List<JsonNode>> options = facts.tlsOptions();
        if (options.isEmpty()) {
            f.note(field + ": TLSOption '" + value + "' was not checked: routecert does not know the cluster's"
                    + " TLSOptions (no cluster, or the TLSOption CRD is not served)");
            return;
        }
        Set<String> ids = new TreeSet<>();
        Set<String> defaults = new TreeSet<>();
        for (JsonNode o : options.get()) {
            if (DEFAULT.equals(nameOf(o))) {
                defaults.add(namespaceOf(o)); // registered as default, not under its namespace
            } else {
                ids.add(namespaceOf(o) + "-" + nameOf(o));
            }
        }
        if (id.equals(DEFAULT) ? defaults.size() == 1 : ids.contains(id)) {
            return;
        }
        List<String> closest = closest(ids, id);
        f.deny(Violation.invalid(
                Check.TLS_OPTIONS_MISSING,
                field,
                "no TLSOption is named '" + HostName.shorten(id) + "' as <namespace>-<name>; Traefik fails a router"
                        + " whose TLS options are unknown, and serves none of its routes",
                closest.isEmpty()
                        ? "create the TLSOption, or remove the annotation"
                        : "name an existing one: "
                                + String.join(
                                        ", ",
                                        closest.stream()
                                                .map(c -> c + "@" + CRD_PROVIDER)
                                                .toList())));
    }

    /** {@code tls.store}: Traefik's CRD provider never reads it, and every router uses the default store. */
    static void checkStore(Findings f, String field, String name) {
        if (name != null && !name.isEmpty() && !name.equals(DEFAULT)) {
            f.warn(
                    Check.TLS_STORE_NOT_DEFAULT,
                    field + ".name",
                    "Traefik uses only the TLSStore named default and ignores tls.store, so '" + HostName.shorten(name)
                            + "' has no effect; remove tls.store");
        }
    }

    /**
     * Whether the default TLSStore's certificate covers every one of {@code served}: its
     * {@code defaultCertificate} (the names of the cert-manager Certificate that writes its Secret), else
     * its {@code defaultGeneratedCert.domain}. True adds a note saying which store and certificate;
     * false when they do not cover, or routecert cannot know their names (a note says why when a
     * default store exists).
     */
    static boolean defaultStoreCovers(Findings f, List<HostName> served, TlsObjectFacts facts) {
        if (served.isEmpty()) {
            return false;
        }
        Optional<List<JsonNode>> stores = facts.tlsStores();
        if (stores.isEmpty()) {
            return false;
        }
        Set<String> namespaces = new TreeSet<>();
        List<JsonNode> defaults = new ArrayList<>();
        for (JsonNode s : stores.get()) {
            if (DEFAULT.equals(nameOf(s)) && namespaces.add(namespaceOf(s))) {
                defaults.add(s); // the same store in both API groups counts once
            }
        }
        if (defaults.isEmpty()) {
            return false;
        }
        if (defaults.size() > 1) {
            f.note("TLSStores named default exist in the namespaces " + String.join(", ", namespaces)
                    + "; Traefik drops them all ('Default TLS Stores defined in multiple namespaces'), so no default"
                    + " store covers this route");
            return false;
        }
        JsonNode store = defaults.getFirst();
        String ns = namespaceOf(store);
        JsonNode spec = store.path("spec");
        List<String> names = new ArrayList<>();
        String source;
        String secret = spec.path("defaultCertificate").path("secretName").asText("");
        if (!secret.isEmpty()) {
            Optional<List<JsonNode>> certificates = facts.certificatesWriting(ns, secret);
            if (certificates.isEmpty() || certificates.get().isEmpty()) {
                f.note("the default TLSStore " + ns + "/default serves Secret " + secret + ", whose names routecert"
                        + " cannot know without a cert-manager Certificate writing it; planned as without the store");
                return false;
            }
            JsonNode crt = certificates.get().getFirst();
            crt.path("spec").path("dnsNames").forEach(n -> names.add(n.asText("")));
            crt.path("spec").path("ipAddresses").forEach(n -> names.add(n.asText("")));
            String cn = crt.path("spec").path("commonName").asText("");
            if (!cn.isEmpty()) {
                names.add(cn);
            }
            source = "Secret " + ns + "/" + secret + " of Certificate " + ns + "/"
                    + crt.path("metadata").path("name").asText("");
        } else if (spec.path("defaultGeneratedCert").path("domain").isObject()) {
            JsonNode domain = spec.path("defaultGeneratedCert").path("domain");
            names.add(domain.path("main").asText(""));
            domain.path("sans").forEach(n -> names.add(n.asText("")));
            source = "the certificate its defaultGeneratedCert obtains from resolver '"
                    + spec.path("defaultGeneratedCert").path("resolver").asText("") + "'";
        } else {
            return false;
        }
        List<HostName> covering = new ArrayList<>();
        for (String n : names) {
            HostName.Check c = HostName.check(n);
            if (c.ok() && c.name() != null) {
                covering.add(c.name());
            }
        }
        NameSet set = NameSet.of(covering);
        for (HostName s : served) {
            if (!set.covers(s)) {
                return false;
            }
        }
        f.note("no Certificate planned: the default TLSStore " + ns + "/default serves " + source
                + ", whose names cover every host this route serves");
        return true;
    }

    private static String existingHint(List<JsonNode> options, String ns, String name) {
        Set<String> inNamespace = new LinkedHashSet<>();
        for (JsonNode o : options) {
            if (ns.equals(namespaceOf(o)) && !DEFAULT.equals(nameOf(o))) {
                inNamespace.add(nameOf(o));
            }
        }
        if (inNamespace.isEmpty()) {
            return "create TLSOption " + ns + "/" + HostName.shorten(name) + ", or remove spec.tls.options: namespace "
                    + ns + " has no TLSOption";
        }
        return "create it, or name an existing TLSOption of " + ns + ": "
                + String.join(", ", closest(inNamespace, name));
    }

    /** At most {@link #MAX_SUGGESTED} of {@code names}, closest to {@code wanted} first. */
    private static List<String> closest(Set<String> names, String wanted) {
        // a name from the request may be long; a Kubernetes name is at most 253 characters
        String w = wanted.length() > HostName.MAX_NAME ? wanted.substring(0, HostName.MAX_NAME) : wanted;
        return names.stream()
                .sorted(Comparator.comparingInt((String n) -> Check.distance(w, n))
                        .thenComparing(Comparator.naturalOrder()))
                .limit(MAX_SUGGESTED)
                .toList();
    }

    private static String namespaceOf(JsonNode o) {
        return o.path("metadata").path("namespace").asText("");
    }

    private static String nameOf(JsonNode o) {
        return o.path("metadata").path("name").asText("");
    }
}
