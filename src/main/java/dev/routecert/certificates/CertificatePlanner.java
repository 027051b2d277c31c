package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.Check;
import dev.routecert.policy.Coverage;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides what to do with one planned Certificate given what the cluster holds: create it, bring
 * routecert's own up to date, reuse one that already covers the route, or deny. Pure: the caller
 * passes the cached Certificate and a view of the cached issuers.
 *
 * <p>The rules: a Certificate is the route's own when routecert wrote it for the route or when the route
 * controls it (its controller ownerReference, whoever wrote it, as cert-manager's ingress-shim does), and
 * then it is brought up to date; any other Certificate is never modified (reused if it covers every
 * planned name, else denied naming it and the missing names); one routecert created for another
 * route is reused if it covers, else denied naming that route; the issuer must exist, and a wildcard
 * needs an issuer that can answer DNS-01.
 */
public final class CertificatePlanner {

    /** Reads cached issuers: ClusterIssuer when {@code namespace} is null. */
    @FunctionalInterface
    public interface Issuers {
        Optional<IssuerInfo> find(String kind, String namespace, String name);
    }

    /** What to do, plus the warnings a person should see either way. */
    public record Outcome(Decision decision, List<String> warnings) {
        public Outcome {
            warnings = List.copyOf(warnings);
        }
    }

    /** One of five answers. */
    public sealed interface Decision {}

    /** No Certificate of that name exists: create {@code certificate} (once the Secret is known to be free). */
    public record Create(ObjectNode certificate) implements Decision {}

    /** routecert's Certificate for this route differs from the plan: apply {@code certificate} over it. */
    public record Update(ObjectNode certificate, ExistingCertificate existing) implements Decision {}

    /** routecert's Certificate for this route already is what the plan says. */
    public record UpToDate(ExistingCertificate existing) implements Decision {}

    /** A Certificate that routecert must not change already covers the route. */
    public record Reuse(ExistingCertificate existing) implements Decision {}

    /** The route cannot be admitted, for the reason {@code violation} gives at its field. */
    public record Deny(Violation violation) implements Decision {
        public String field() {
            return violation.field();
        }

        /** The message with its fix, as the denial's cause carries it. */
        public String message() {
            return violation.causeMessage();
        }
    }

    private CertificatePlanner() {}

    /**
     * @param routeUid    the route's uid when the API server has assigned one (UPDATE; null on CREATE):
     *                    then the Certificate gets a controller ownerReference to it
     * @param secretField where the route names the secret, e.g. {@code spec.tls[1].secretName}
     * @param issuerField where the issuer comes from, e.g. {@code metadata.annotations[cert-manager.io/issuer]}
     */
    public static Outcome decide(
            PlannedCertificate plan,
            RouteRef route,
            String routeUid,
            Optional<ExistingCertificate> existing,
            Issuers issuers,
            String secretField,
            String issuerField) {
        return decide(plan, route, routeUid, existing, issuers, secretField, issuerField, Predecessors.DEFAULT);
    }

    /**
     * As above; a Certificate one of {@code predecessors} made for the route is the route's own too,
     * and keeps their managed-by label.
     */
    public static Outcome decide(
            PlannedCertificate plan,
            RouteRef route,
            String routeUid,
            Optional<ExistingCertificate> existing,
            Issuers issuers,
            String secretField,
            String issuerField,
            Predecessors predecessors) {
        List<String> warnings = new ArrayList<>();
        String ref = plan.namespace() + "/" + plan.name();
        if (existing.isPresent()) {
            ExistingCertificate found = existing.get();
            if (found.deleting()) {
                return new Outcome(
                        deny(
                                Check.CERTIFICATE_DELETING,
                                secretField,
                                "Certificate " + ref + " is being deleted",
                                "apply the route again once it is gone"),
                        warnings);
            }
            if (!predecessors.owns(found, route, routeUid)) {
                boolean ours = found.managedByRoutecert() && found.route().isPresent();
                return reuseOrDeny(plan, route, found, ours, secretField, warnings);
            }
        }
        Deny issuerProblem = checkIssuer(plan, issuers, issuerField, warnings);
        if (issuerProblem != null) {
            return new Outcome(issuerProblem, warnings);
        }
        ObjectNode desired = render(plan, route, routeUid);
        if (existing.isEmpty()) {
            return new Outcome(new Create(desired), warnings);
        }
        ExistingCertificate found = existing.get();
        Map<String, String> kept = plan.shimForm() ? Map.of() : predecessors.keptLabels(found);
        if (!kept.isEmpty()) {
            ObjectNode labels = (ObjectNode) desired.path("metadata").path("labels");
            kept.forEach(labels::put);
            if (!found.managedByRoutecert()) {
                warnings.add(Check.CERTIFICATE_ADOPTED.tag() + " routecert takes over Certificate " + found.ref()
                        + ", which " + kept.values().iterator().next()
                        + " made for this route; its Secret " + found.secretName() + " and certificate stay");
            }
        }
        boolean same = matches(desired, found, routeUid);
        return new Outcome(same ? new UpToDate(found) : new Update(desired, found), warnings);
    }

    private static Outcome reuseOrDeny(
            PlannedCertificate plan,
            RouteRef route,
            ExistingCertificate found,
            boolean ours,
            String secretField,
            List<String> warnings) {
        String who = ours
                ? "created by routecert for " + found.route().get()
                : "not created by routecert, so routecert never changes it";
        if (!found.secretName().equals(plan.secretName())) {
            return new Outcome(
                    deny(
                            Check.CERTIFICATE_OTHER_SECRET,
                            secretField,
                            "Certificate " + found.ref() + " (" + who + ") writes Secret '"
                                    + found.secretName() + "', not '" + plan.secretName()
                                    + "', so routecert cannot create the Certificate "
                                    + plan.name()
                                    + " this route needs",
                            "use another secretName, or rename that Certificate"),
                    warnings);
        }
        List<String> needed = new ArrayList<>(plan.dnsNames());
        needed.addAll(plan.ipAddresses());
        List<String> missing = Coverage.missing(found.names(), needed);
        if (missing.isEmpty()) {
            warnings.add(Check.CERTIFICATE_REUSED.tag() + " routecert reuses Certificate " + found.ref() + " (" + who
                    + "): it already covers " + String.join(", ", needed));
            return new Outcome(new Reuse(found), warnings);
        }
        String fix = ours
                ? "change " + found.route().get().kind() + " "
                        + found.route().get().name() + " to cover them too, or give this route its own secretName"
                : "add them to that Certificate's dnsNames, or give this route its own secretName";
        return new Outcome(
                deny(
                        Check.CERTIFICATE_NOT_COVERING,
                        secretField,
                        "Certificate " + found.ref() + " (" + who + ") does not cover " + String.join(", ", missing),
                        fix),
                warnings);
    }

    /** Null when the issuer is fine; external issuers cannot be checked and only earn a warning. */
    static Deny checkIssuer(PlannedCertificate plan, Issuers issuers, String issuerField, List<String> warnings) {
        PlannedCertificate.IssuerRef ref = plan.issuerRef();
        String group = ref.group() == null || ref.group().isEmpty() ? PolicyConfig.CERT_MANAGER_GROUP : ref.group();
        String kind = ref.kind() == null || ref.kind().isEmpty() ? PolicyConfig.ISSUER : ref.kind();
        if (!PolicyConfig.CERT_MANAGER_GROUP.equals(group)) {
            warnings.add(Check.ISSUER_EXTERNAL.tag() + " issuer " + kind + "/" + ref.name() + " of group " + group
                    + " is an external issuer: routecert cannot check that it exists or which names it can sign");
            return null;
        }
        boolean cluster = PolicyConfig.CLUSTER_ISSUER.equals(kind);
        if (!cluster && !PolicyConfig.ISSUER.equals(kind)) {
            return deny(
                    Check.ISSUER_KIND_UNKNOWN,
                    issuerField,
                    "issuer kind '" + kind + "' does not exist in group cert-manager.io",
                    "use Issuer or ClusterIssuer");
        }
        Optional<IssuerInfo> issuer = issuers.find(kind, cluster ? null : plan.namespace(), ref.name());
        if (issuer.isEmpty()) {
            return deny(
                    Check.ISSUER_NOT_FOUND,
                    issuerField,
                    (cluster ? "ClusterIssuer " + ref.name() : "Issuer " + plan.namespace() + "/" + ref.name())
                            + " does not exist",
                    "create it, or name an existing " + kind);
        }
        List<String> unsolvable = plan.dnsNames().stream()
                .filter(Coverage::isWildcard)
                .filter(name -> !issuer.get().canIssueWildcard(name))
                .toList();
        if (!unsolvable.isEmpty()) {
            return deny(
                    Check.ISSUER_NO_DNS01,
                    issuerField,
                    issuer.get().describe() + " is an ACME issuer without a DNS-01 solver for "
                            + String.join(", ", unsolvable) + ", and ACME validates wildcard names only through DNS-01",
                    "add a dns01 solver to the issuer, or list the names instead of a wildcard");
        }
        return null;
    }

    private static Deny deny(Check check, String field, String message, String fix) {
        return new Deny(Violation.invalid(check, field, message, fix));
    }

    /**
     * The Certificate routecert applies: the plan (with the labels and annotations it carries), the
     * route annotation, and a controller ownerReference when the route's uid is known (so Kubernetes
     * deletes it with the route). The managed-by label marks it too, except where cert-manager's
     * ingress-shim also acts on the route: the shim resets the labels to the route's own, so there the
     * Certificate is exactly the shim's and the route annotation, which the shim keeps, marks it alone.
     */
    public static ObjectNode render(PlannedCertificate plan, RouteRef route, String routeUid) {
        ObjectNode certificate = plan.toCertificate();
        ObjectNode meta = (ObjectNode) certificate.get("metadata");
        if (!plan.shimForm()) {
            ObjectNode labels = meta.has("labels") ? (ObjectNode) meta.get("labels") : meta.putObject("labels");
            labels.put(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY);
        }
        ObjectNode annotations =
                meta.has("annotations") ? (ObjectNode) meta.get("annotations") : meta.putObject("annotations");
        annotations.put(Ownership.ROUTE_ANNOTATION, route.annotationValue());
        if (routeUid != null && !routeUid.isEmpty()) {
            ArrayNode owners = meta.putArray("ownerReferences");
            owners.addObject()
                    .put("apiVersion", route.apiVersion())
                    .put("kind", route.kind())
                    .put("name", route.name())
                    .put("uid", routeUid)
                    .put("controller", true)
                    .put("blockOwnerDeletion", true);
        }
        return certificate;
    }

    /**
     * Whether the Certificate already is what {@code desired} says: the same spec and owners, the same
     * labels (cert-manager's ingress-shim compares them whole), and every annotation of {@code desired}
     * with its value (others, such as the written-ahead stamp, may be there too).
     */
    static boolean matches(ObjectNode desired, ExistingCertificate found, String routeUid) {
        if (!desired.path("spec").equals(found.spec())
                || !found.ownerUids().equals(routeUid == null ? List.of() : List.of(routeUid))) {
            return false;
        }
        JsonNode meta = desired.path("metadata");
        Map<String, String> labels = new HashMap<>();
        meta.path("labels")
                .properties()
                .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        if (!labels.equals(found.labels())) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : meta.path("annotations").properties()) {
            if (!e.getValue().asText().equals(found.annotations().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** One line for a person: {@code ns/name with dnsNames [a, b], issuer ClusterIssuer/x}. */
    public static String describe(JsonNode certificate) {
        JsonNode spec = certificate.path("spec");
        JsonNode meta = certificate.path("metadata");
        List<String> names = new ArrayList<>();
        spec.path("dnsNames").forEach(n -> names.add(n.asText()));
        spec.path("ipAddresses").forEach(n -> names.add(n.asText()));
        JsonNode issuer = spec.path("issuerRef");
        return "Certificate " + meta.path("namespace").asText() + "/"
                + meta.path("name").asText()
                + " (secret " + spec.path("secretName").asText() + ") for " + String.join(", ", names)
                + ", issuer " + issuer.path("kind").asText("Issuer") + "/"
                + issuer.path("name").asText()
                + ("cert-manager.io".equals(issuer.path("group").asText("cert-manager.io"))
                        ? ""
                        : " (" + issuer.path("group").asText() + ")");
    }
}
