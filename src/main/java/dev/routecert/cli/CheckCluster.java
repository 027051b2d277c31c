package dev.routecert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.certificates.CachedKind;
import dev.routecert.certificates.CertificatePlanner;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.ExistingCertificate;
import dev.routecert.certificates.HealthFacts;
import dev.routecert.certificates.IssuerInfo;
import dev.routecert.certificates.KubeCertificateStore;
import dev.routecert.certificates.RouteRef;
import dev.routecert.certificates.SecretState;
import dev.routecert.certificates.StoreException;
import dev.routecert.cluster.ClusterConnection;
import dev.routecert.log.LogSetup;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.Violation;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.routes.RouteKind;
import dev.routecert.tenancy.HostOwnership;
import dev.routecert.tenancy.ListedHostClaims;
import dev.routecert.time.Clock;
import dev.routecert.webhook.CertificateAdmission;
import dev.routecert.webhook.HealthWarnings;
import dev.routecert.webhook.RouteAdmission;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code check --kubeconfig} reads from a cluster, read-only: one list per kind, no watch and no
 * write. Traefik's TLSOptions and TLSStores, IngressClasses, Middlewares and Certificates become facts
 * the policy judges against, as if they were documents of the input; Issuers, ClusterIssuers and
 * Certificates feed the webhook's Certificate decisions ({@link CertificatePlanner}, a pure function),
 * so a missing issuer or a foreign Certificate denies as admission would. The host claims and the
 * stored routes feed admission's {@link HostOwnership} in its read-only mode, and the Certificates and
 * one metadata GET per referenced Secret its {@link HealthWarnings}. With a policy file, the
 * Namespaces' labels feed its namespace selectors, as admission's cache of them does. A kind the kubeconfig's user may
 * not read leaves its checks out, with a warning; so does a Secret whose read fails, by name. Loaded only when {@code --kubeconfig} is given.
 */
final class CheckCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A kind to list: apiVersion and kind, and what it is read for. */
    private record Listed(String apiVersion, String kind) {}

    private static final Listed CERTIFICATE = new Listed("cert-manager.io/v1", "Certificate");

    private static final List<Listed> FACTS = List.of(
            new Listed("traefik.io/v1alpha1", "TLSOption"),
            new Listed("traefik.io/v1alpha1", "TLSStore"),
            new Listed("traefik.containo.us/v1alpha1", "TLSOption"),
            new Listed("traefik.containo.us/v1alpha1", "TLSStore"),
            new Listed("traefik.io/v1alpha1", "Middleware"),
            new Listed("traefik.containo.us/v1alpha1", "Middleware"),
            new Listed("networking.k8s.io/v1", "IngressClass"));

    /**
     * What admission is configured with that the cluster checks need, as {@code serve} takes it.
     *
     * @param namespaceLabels whether the policy file selects namespaces by label, so the cluster's
     *     Namespaces are listed for their labels
     */
    record Settings(
            String claimsNamespace,
            SharedHosts sharing,
            RuleSyntax defaultSyntax,
            Duration expiryWarning,
            boolean namespaceLabels) {}

    /** How long one object's reads may take: the command-line client's own request timeout. */
    private static final Duration READS = Duration.ofSeconds(30);

    /** One metadata-only read of a Secret; the client's GET, another in tests. */
    @FunctionalInterface
    interface SecretReader {
        SecretState read(String namespace, String name, Deadline deadline) throws StoreException;
    }

    private final KubernetesClient client;
    private final SecretReader secrets;
    private final Clock clock = Clock.system();
    private final List<JsonNode> facts = new ArrayList<>();
    private final Map<String, ExistingCertificate> certificates = new HashMap<>();
    private final List<JsonNode> certificateObjects = new ArrayList<>();
    private final Map<String, IssuerInfo> issuers = new HashMap<>();
    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    private final Set<Listed> forbiddenKinds = new HashSet<>();
    private final List<String> ran = new ArrayList<>();
    private final Set<String> notices = new LinkedHashSet<>();
    private final Set<String> secretsForbidden = new LinkedHashSet<>();
    /** Each Secret read that failed otherwise (timeout, 5xx, unreachable), with why: its health is unknown. */
    private final Map<String, String> secretsUnread = new LinkedHashMap<>();

    private boolean decisions;
    private HealthWarnings health;
    private HostOwnership ownership;

    private CheckCluster(KubernetesClient client) {
        this.client = client;
        this.secrets = (namespace, name, deadline) ->
                KubeCertificateStore.readSecretMetadata(client, namespace, name, deadline);
    }

    /** Certificate health alone, over the Certificates given and the Secrets {@code secrets} reads. */
    CheckCluster(SecretReader secrets, List<JsonNode> certificates, Settings settings) {
        this.client = null;
        this.secrets = secrets;
        healthOver(certificates, settings);
    }

    /**
     * Lists what the checks need, once each; the client stays open for the Secrets' GETs until {@link #close}.
     *
     * @throws IOException when the kubeconfig or the cluster cannot be read (a JDK type, so that the
     *     plain path's exception handler loads nothing of the cluster's)
     */
    static CheckCluster read(Path kubeconfig, String context, Settings settings) throws IOException {
        // admission's decisions log at INFO what check prints in its own output
        LogSetup.quiet(HostOwnership.class, HealthWarnings.class);
        KubernetesClient client = ClusterConnection.commandLineClient(
                kubeconfig, context == null || context.isBlank() ? null : context.strip());
        CheckCluster cluster = new CheckCluster(client);
        try {
            cluster.list(settings);
        } catch (KubernetesClientException e) {
            client.close();
            throw new IOException("cannot read the cluster: " + e.getMessage());
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return cluster;
    }

    private void list(Settings settings) {
        if (settings.namespaceLabels()) {
            listNamespaces();
        }
        for (Listed l : FACTS) {
            Optional<List<JsonNode>> items = list(client, l);
            items.ifPresent(facts::addAll);
            if (items.isPresent()
                    && l.kind().startsWith("TLS")
                    && l.apiVersion().startsWith("traefik.io")) {
                ran.add(l.kind() + "s");
            }
        }
        Optional<List<JsonNode>> certs = list(client, CERTIFICATE);
        Optional<List<JsonNode>> namespaced = list(client, new Listed("cert-manager.io/v1", "Issuer"));
        Optional<List<JsonNode>> clustered = list(client, new Listed("cert-manager.io/v1", "ClusterIssuer"));
        if (certs.isPresent() && namespaced.isPresent() && clustered.isPresent()) {
            facts.addAll(certs.get());
            for (JsonNode c : certs.get()) {
                ExistingCertificate e = ExistingCertificate.from(c);
                certificates.put(e.namespace() + "/" + e.name(), e);
            }
            namespaced.get().forEach(i -> putIssuer("Issuer", i));
            clustered.get().forEach(i -> putIssuer("ClusterIssuer", i));
            decisions = true;
            ran.add("issuers");
            ran.add("existing Certificates");
        }
        // no Certificate kind served: none writes a Secret; one the user may not list: health unknown
        if (certs.isPresent() || !forbidden(CERTIFICATE)) {
            healthOver(certs.orElse(List.of()), settings);
        }
        ownership(settings);
    }

    /** Every Namespace's labels, from one list; the user may not list them: noted, and none known. */
    private void listNamespaces() {
        try {
            for (Namespace ns : client.namespaces().list().getItems()) {
                Map<String, String> labels = ns.getMetadata().getLabels();
                namespaceLabels.put(ns.getMetadata().getName(), labels == null ? Map.of() : Map.copyOf(labels));
            }
            ran.add("namespace labels");
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403) {
                throw e;
            }
            notices.add("warning: cluster check namespace labels not run: the kubeconfig's user may not list"
                    + " Namespaces (403 Forbidden); the policy file's namespace selectors (overrides, tenancy,"
                    + " sharedHosts) see only the labels of the input's Namespace documents, and any other"
                    + " namespace by its name alone, so its policy and the hosts it shares may differ from"
                    + " admission's");
        }
    }

    /** The labels of the cluster's Namespaces by name; empty when they were not listed. */
    Map<String, Map<String, String>> namespaceLabels() {
        return Map.copyOf(namespaceLabels);
    }

    private void healthOver(List<JsonNode> certs, Settings settings) {
        certificateObjects.addAll(certs);
        health = new HealthWarnings(new ListedHealthFacts(), clock, settings.expiryWarning(), settings.defaultSyntax());
    }

    /** Host ownership from one list of the claims and one of each route kind; left out when one is forbidden. */
    private void ownership(Settings settings) {
        Map<CachedKind, List<JsonNode>> routes = new EnumMap<>(CachedKind.class);
        for (RouteKind kind : RouteKind.values()) {
            Optional<List<JsonNode>> items = list(client, new Listed(kind.apiVersion(), kind.kind()));
            if (items.isEmpty() && forbidden(new Listed(kind.apiVersion(), kind.kind()))) {
                notices.add("warning: cluster check host ownership not run: it needs every stored route, and the"
                        + " kubeconfig's user may not list " + kind.kind() + " (" + kind.apiVersion() + ")");
                return;
            }
            routes.put(CachedKind.of(kind), items.orElse(List.of()));
        }
        ListedHostClaims claims;
        try {
            claims = ListedHostClaims.list(client, settings.claimsNamespace());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403) {
                throw e;
            }
            notices.add("warning: cluster check host ownership not run: the kubeconfig's user may not list Leases"
                    + " (the host claims) in namespace " + settings.claimsNamespace() + " (403 Forbidden)");
            return;
        }
        ownership = claims.ownership(routes, settings.sharing(), settings.defaultSyntax());
    }

    private void putIssuer(String kind, JsonNode object) {
        String ns = kind.equals("Issuer")
                ? object.path("metadata").path("namespace").asText()
                : "";
        issuers.put(
                kind + "/" + ns + "/" + object.path("metadata").path("name").asText(), IssuerInfo.from(kind, object));
    }

    /**
     * Every item of one kind in every namespace; empty when the cluster does not serve the kind, or
     * the user may not list it (then noted).
     */
    private Optional<List<JsonNode>> list(KubernetesClient client, Listed l) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (GenericKubernetesResource r : client.genericKubernetesResources(l.apiVersion(), l.kind())
                    .inAnyNamespace()
                    .list()
                    .getItems()) {
                out.add(JSON.valueToTree(r));
            }
            return Optional.of(out);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty(); // the CRD is not installed: nothing of that kind to judge against
            }
            if (e.getCode() == 403) {
                forbiddenKinds.add(l);
                notices.add("warning: the kubeconfig's user may not list " + l.kind() + " (" + l.apiVersion()
                        + ") in every namespace (403 Forbidden): the cluster checks that read them are not run");
                return Optional.empty();
            }
            throw e;
        }
    }

    private boolean forbidden(Listed l) {
        return forbiddenKinds.contains(l);
    }

    /** The cluster's objects the policy judges against, as documents of the input. */
    List<JsonNode> facts() {
        return List.copyOf(facts);
    }

    /** The cluster checks that ran, to say so in the output; complete once every object is checked. */
    List<String> ran() {
        List<String> all = new ArrayList<>(ran);
        if (health != null && secretsForbidden.isEmpty() && secretsUnread.isEmpty()) {
            all.add("Secrets");
        }
        if (ownership != null) {
            all.add("host ownership");
        }
        return all;
    }

    /** Checks left out because the kubeconfig's user may not read what they need, as {@code warning:} lines. */
    List<String> notices() {
        List<String> all = new ArrayList<>(notices);
        if (health != null && !secretsForbidden.isEmpty()) {
            all.add("warning: cluster check Secrets not run: the kubeconfig's user may not get Secrets in namespace"
                    + (secretsForbidden.size() == 1 ? " " : "s ") + String.join(", ", secretsForbidden)
                    + " (403 Forbidden); the health of the certificates the routes serve there is not reported");
        }
        secretsUnread.forEach((secret, why) -> all.add("warning: cluster check Secrets incomplete: Secret " + secret
                + " could not be read (" + why + "); the health of the certificates the routes serve from it is"
                + " not reported"));
        return all;
    }

    /**
     * The verdict with what admission decides from the cluster, in admission's order: host ownership
     * (also for an opted-out object), then the Certificate decisions and the certificate health of an
     * object that passed both.
     */
    Verdict admit(PolicyRequest request, JsonNode object, ScopedVerdict judged) {
        Verdict v = judged.verdict();
        if (judged.outOfScope() || !v.allowed()) {
            return v;
        }
        Optional<RouteKind> kind = RouteKind.of(request.group(), request.version(), request.kind());
        if (kind.isEmpty()) {
            return v;
        }
        String name = object.path("metadata").path("name").asText("");
        // the review a dry-run CREATE of the object would be
        AdmissionRequest review = new AdmissionRequest(
                "",
                request.group(),
                request.version(),
                request.kind(),
                kind.get().resource(),
                "",
                name,
                request.namespace(),
                "CREATE",
                "",
                true,
                object,
                null);
        RouteRef route = new RouteRef(request.group(), request.kind(), request.namespace(), name);
        Deadline deadline = Deadline.in(READS, clock);
        if (ownership != null) {
            HostOwnership.Outcome claims =
                    RouteAdmission.claims(ownership, review, route, HostOwnership.Mode.READ_ONLY, deadline);
            if (!claims.allowed()) {
                return new Verdict(claims.conflicts(), v.warnings(), null, List.of(), v.notes(), v.warned(), v.audit());
            }
        }
        if (judged.skipped()) {
            return v;
        }
        Verdict decided = decide(request, object, v);
        if (health == null || !decided.allowed()) {
            return decided;
        }
        Set<String> requested = new HashSet<>();
        decided.certificates().forEach(c -> requested.add(c.secretName()));
        List<String> warnings = new ArrayList<>(decided.warnings());
        warnings.addAll(health.warnings(review, requested, deadline));
        return new Verdict(
                decided.violations(),
                warnings,
                decided.patch(),
                decided.certificates(),
                decided.notes(),
                decided.warned(),
                decided.audit());
    }

    /**
     * Certificate health's facts from the listed Certificates, and each Secret's metadata from one GET
     * as {@code PartialObjectMetadata}: its data is never sent to check.
     */
    private final class ListedHealthFacts implements HealthFacts {

        @Override
        public List<JsonNode> cachedCertificatesWriting(String namespace, String secretName) {
            return certificateObjects.stream()
                    .filter(c -> namespace.equals(
                                    c.path("metadata").path("namespace").asText(""))
                            && secretName.equals(
                                    c.path("spec").path("secretName").asText("")))
                    .toList();
        }

        @Override
        public List<JsonNode> readCertificatesWriting(String namespace, String secretName, Deadline deadline) {
            return cachedCertificatesWriting(namespace, secretName); // the listing is as fresh as check reads
        }

        @Override
        public SecretState readSecret(String namespace, String name, Deadline deadline) throws StoreException {
            try {
                return secrets.read(namespace, name, deadline);
            } catch (StoreException e) {
                if (e.status() == 403) {
                    secretsForbidden.add(namespace);
                } else {
                    secretsUnread.putIfAbsent(namespace + "/" + name, why(e));
                }
                throw e;
            } catch (RuntimeException e) {
                secretsUnread.putIfAbsent(namespace + "/" + name, "the read failed");
                throw e;
            }
        }
    }

    /**
     * Why a Secret was not read, from the status and kind alone: the API server's message could quote
     * anything, and check's output names the Secret, never what it holds.
     */
    private static String why(StoreException e) {
        if (e.status() != 0) {
            return "the API server answered " + e.status();
        }
        return switch (e.kind()) {
            case TIMEOUT -> "the read timed out";
            case UNAVAILABLE -> "the API server cannot be reached";
            default -> "the read failed";
        };
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }

    /** The verdict with the webhook's Certificate decisions for the object's planned Certificates. */
    Verdict decide(PolicyRequest request, JsonNode object, Verdict v) {
        if (!decisions || v.certificates().isEmpty()) {
            return v;
        }
        List<Violation> violations = new ArrayList<>(v.violations());
        List<String> warnings = new ArrayList<>(v.warnings());
        List<String> notes = new ArrayList<>(v.notes());
        // as admission: a denied or reused plan creates nothing
        List<PlannedCertificate> created = new ArrayList<>();
        String name = object.path("metadata").path("name").asText("");
        RouteRef route = new RouteRef(request.group(), request.kind(), request.namespace(), name);
        for (PlannedCertificate plan : v.certificates()) {
            CertificatePlanner.Outcome outcome = CertificatePlanner.decide(
                    plan,
                    route,
                    null,
                    Optional.ofNullable(certificates.get(plan.namespace() + "/" + plan.name())),
                    (kind, ns, n) -> Optional.ofNullable(issuers.get(kind + "/" + (ns == null ? "" : ns) + "/" + n)),
                    CertificateAdmission.secretField(route, object, plan.secretName()),
                    CertificateAdmission.issuerField(object));
            warnings.addAll(outcome.warnings());
            switch (outcome.decision()) {
                case CertificatePlanner.Deny d -> violations.add(d.violation());
                case CertificatePlanner.Reuse r ->
                    notes.add("the cluster's Certificate " + r.existing().ref()
                            + " already covers this route; none would be created");
                case CertificatePlanner.UpToDate u ->
                    notes.add("the cluster's Certificate " + u.existing().ref()
                            + " is already this route's and up to date");
                default -> created.add(plan);
            }
        }
        return new Verdict(violations, warnings, v.patch(), created, notes, v.warned(), v.audit());
    }
}
