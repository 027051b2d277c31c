package dev.routecert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.certificates.CertificatePlanner;
import dev.routecert.certificates.ExistingCertificate;
import dev.routecert.certificates.IssuerInfo;
import dev.routecert.certificates.RouteRef;
import dev.routecert.cluster.ClusterConnection;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.Violation;
import dev.routecert.webhook.CertificateAdmission;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code check --kubeconfig} reads from a cluster, read-only: one list per kind, no watch and no
 * write. Traefik's TLSOptions and TLSStores, IngressClasses, Middlewares and Certificates become facts
 * the policy judges against, as if they were documents of the input; Issuers, ClusterIssuers and
 * Certificates feed the webhook's Certificate decisions ({@link CertificatePlanner}, a pure function),
 * so a missing issuer or a foreign Certificate denies as admission would. Loaded only when
 * {@code --kubeconfig} is given.
 */
final class CheckCluster {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A kind to list: apiVersion and kind, and what it is read for. */
    private record Listed(String apiVersion, String kind) {}

    private static final List<Listed> FACTS = List.of(
            new Listed("traefik.io/v1alpha1", "TLSOption"),
            new Listed("traefik.io/v1alpha1", "TLSStore"),
            new Listed("traefik.containo.us/v1alpha1", "TLSOption"),
            new Listed("traefik.containo.us/v1alpha1", "TLSStore"),
            new Listed("traefik.io/v1alpha1", "Middleware"),
            new Listed("traefik.containo.us/v1alpha1", "Middleware"),
            new Listed("networking.k8s.io/v1", "IngressClass"));

    private final List<JsonNode> facts = new ArrayList<>();
    private final Map<String, ExistingCertificate> certificates = new HashMap<>();
    private final Map<String, IssuerInfo> issuers = new HashMap<>();
    private final List<String> ran = new ArrayList<>();
    private boolean decisions;

    private CheckCluster() {}

    /**
     * Lists what the checks need, once each.
     *
     * @throws IOException when the kubeconfig or the cluster cannot be read (a JDK type, so that the
     *     plain path's exception handler loads nothing of the cluster's)
     */
    static CheckCluster read(Path kubeconfig, String context) throws IOException {
        CheckCluster cluster = new CheckCluster();
        try (KubernetesClient client = ClusterConnection.commandLineClient(
                kubeconfig, context == null || context.isBlank() ? null : context.strip())) {
            for (Listed l : FACTS) {
                Optional<List<JsonNode>> items = list(client, l);
                items.ifPresent(cluster.facts::addAll);
                if (items.isPresent()
                        && l.kind().startsWith("TLS")
                        && l.apiVersion().startsWith("traefik.io")) {
                    cluster.ran.add(l.kind() + "s");
                }
            }
            Optional<List<JsonNode>> certs = list(client, new Listed("cert-manager.io/v1", "Certificate"));
            Optional<List<JsonNode>> namespaced = list(client, new Listed("cert-manager.io/v1", "Issuer"));
            Optional<List<JsonNode>> clustered = list(client, new Listed("cert-manager.io/v1", "ClusterIssuer"));
            if (certs.isPresent() && namespaced.isPresent() && clustered.isPresent()) {
                cluster.facts.addAll(certs.get());
                for (JsonNode c : certs.get()) {
                    ExistingCertificate e = ExistingCertificate.from(c);
                    cluster.certificates.put(e.namespace() + "/" + e.name(), e);
                }
                namespaced.get().forEach(i -> cluster.putIssuer("Issuer", i));
                clustered.get().forEach(i -> cluster.putIssuer("ClusterIssuer", i));
                cluster.decisions = true;
                cluster.ran.add("issuers");
                cluster.ran.add("existing Certificates");
            }
        } catch (KubernetesClientException e) {
            throw new IOException("cannot read the cluster: " + e.getMessage());
        }
        return cluster;
    }

    private void putIssuer(String kind, JsonNode object) {
        String ns = kind.equals("Issuer")
                ? object.path("metadata").path("namespace").asText()
                : "";
        issuers.put(
                kind + "/" + ns + "/" + object.path("metadata").path("name").asText(), IssuerInfo.from(kind, object));
    }

    /** Every item of one kind in every namespace; empty when the cluster does not serve the kind. */
    private static Optional<List<JsonNode>> list(KubernetesClient client, Listed l) {
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
            throw e;
        }
    }

    /** The cluster's objects the policy judges against, as documents of the input. */
    List<JsonNode> facts() {
        return List.copyOf(facts);
    }

    /** The cluster checks that ran, to say so in the output. */
    List<String> ran() {
        return List.copyOf(ran);
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
