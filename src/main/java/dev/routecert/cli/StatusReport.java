package dev.routecert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.ClusterHealthFacts;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Violation;
import dev.routecert.policy.health.CertificateHealth;
import dev.routecert.policy.health.CertificateStatus;
import dev.routecert.policy.health.HealthFinding;
import dev.routecert.policy.health.HealthState;
import dev.routecert.policy.health.SecretMetadata;
import dev.routecert.policy.health.TlsSecretUse;
import dev.routecert.routes.RouteKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The certificate health of every route with TLS secrets in a cluster's facts, in the words of the
 * warnings {@code kubectl apply} prints. A Secret routecert plans a Certificate for and that does not
 * exist yet counts as requested: routecert's reconciler creates it.
 */
record StatusReport(int checked, List<Entry> unhealthy) {

    record Entry(RouteKind kind, String namespace, String name, HealthState state, List<HealthFinding> findings) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static StatusReport of(ClusterHealthFacts facts, RoutePolicy policy, Instant now, Duration window) {
        Map<String, CertificateStatus> bySecret = new HashMap<>();
        for (JsonNode c : facts.certificates()) {
            CertificateStatus status = CertificateStatus.from(c);
            bySecret.putIfAbsent(status.namespace() + "/" + status.secretName(), status);
        }
        int checked = 0;
        List<Entry> unhealthy = new ArrayList<>();
        for (Map.Entry<RouteKind, List<JsonNode>> byKind : facts.routes().entrySet()) {
            RouteKind kind = byKind.getKey();
            for (JsonNode route : byKind.getValue()) {
                String namespace = route.path("metadata").path("namespace").asText("");
                List<TlsSecretUse> uses =
                        TlsSecretUse.of(kind, route, policy.config().defaultSyntax());
                if (uses.isEmpty()) {
                    continue;
                }
                checked++;
                Map<String, CertificateStatus> certificates = new HashMap<>();
                Map<String, SecretMetadata> secrets = new HashMap<>();
                for (TlsSecretUse use : uses) {
                    String key = namespace + "/" + use.secretName();
                    CertificateStatus c = bySecret.get(key);
                    if (c != null) {
                        certificates.put(use.secretName(), c);
                    }
                    Map<String, String> annotations = facts.secrets().get(key);
                    secrets.put(
                            use.secretName(),
                            annotations == null ? SecretMetadata.ABSENT : SecretMetadata.present(annotations));
                }
                Set<String> requested = new HashSet<>();
                for (String secret : planned(policy, route, namespace)) {
                    if (!certificates.containsKey(secret)) {
                        requested.add(secret);
                    }
                }
                List<HealthFinding> findings = CertificateHealth.assess(
                        namespace,
                        uses,
                        certificates,
                        secrets,
                        requested,
                        CertificateHealth.issuerAnnotated(route),
                        now,
                        window);
                if (!findings.isEmpty()) {
                    unhealthy.add(new Entry(
                            kind,
                            namespace,
                            route.path("metadata").path("name").asText(""),
                            CertificateHealth.state(findings),
                            findings));
                }
            }
        }
        return new StatusReport(checked, unhealthy);
    }

    /**
     * The Secrets routecert would create Certificates for: none for a route out of scope, opted out,
     * or that the policy cannot judge.
     */
    private static List<String> planned(RoutePolicy policy, JsonNode route, String namespace) {
        try {
            ScopedVerdict judged = policy.judge(PolicyRequest.create(route, namespace));
            if (judged.outOfScope() || judged.skipped()) {
                return List.of(); // routecert creates nothing for it
            }
            return judged.verdict().certificates().stream()
                    .map(PlannedCertificate::secretName)
                    .toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    String text() {
        StringBuilder b = new StringBuilder();
        for (Entry e : unhealthy) {
            b.append(e.kind().kind())
                    .append(' ')
                    .append(e.namespace())
                    .append('/')
                    .append(e.name())
                    .append(": ")
                    .append(e.state().label())
                    .append('\n');
            for (HealthFinding f : e.findings()) {
                b.append("  ").append(f.text()).append('\n');
            }
        }
        b.append(checked)
                .append(checked == 1 ? " route" : " routes")
                .append(" with TLS secrets checked, ")
                .append(unhealthy.size())
                .append(" unhealthy\n");
        return b.toString();
    }

    String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("checked", checked);
        root.put("unhealthy", unhealthy.size());
        ArrayNode routes = root.putArray("routes");
        for (Entry e : unhealthy) {
            ObjectNode r = routes.addObject();
            r.put("apiVersion", e.kind().apiVersion());
            r.put("kind", e.kind().kind());
            r.put("namespace", e.namespace());
            r.put("name", e.name());
            r.put("health", e.state().label());
            ArrayNode findings = r.putArray("findings");
            for (HealthFinding f : e.findings()) {
                Violation v = f.violation().bounded();
                findings.addObject()
                        .put("check", v.check().id())
                        .put("health", f.state().label())
                        .put("secretName", f.secretName())
                        .put("field", v.field())
                        .put("message", v.message())
                        .put("fix", v.hint());
            }
        }
        return root.toPrettyString() + "\n";
    }
}
