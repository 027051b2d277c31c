package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.certificates.SecretState;
import dev.routecert.certificates.StoreException;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.tenancy.SharedHosts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code check --kubeconfig}'s certificate health when a Secret cannot be read: each such Secret is
 * named in a warning, and "Secrets" is not among the checks that ran, as when the user may not read it.
 */
class CheckClusterHealthTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    /** What the API server's error could quote: never in check's output. */
    private static final String SECRET_DATA = "ckh-private-key-material";

    private static final CheckCluster.Settings SETTINGS =
            new CheckCluster.Settings("routecert", SharedHosts.NEVER, RuleSyntax.V3, Duration.ofDays(14), false);

    @Test
    void aSecretThatCannotBeReadIsNamedAndSecretsIsNotSaidToHaveRun() throws Exception {
        CheckCluster.SecretReader reader = (namespace, name, deadline) -> switch (name) {
            case "down-tls" ->
                throw new StoreException(
                        StoreException.Kind.UNAVAILABLE,
                        "could not look up Secret: the API server answered 503: " + SECRET_DATA,
                        null,
                        503);
            case "slow-tls" ->
                throw new StoreException(StoreException.Kind.TIMEOUT, "did not answer: " + SECRET_DATA, null);
            default -> new SecretState(true, null, Map.of());
        };
        try (CheckCluster cluster = new CheckCluster(reader, List.of(), SETTINGS)) {
            for (String secret : List.of("down-tls", "slow-tls", "fine-tls", "down-tls")) {
                admit(cluster, secret);
            }

            assertEquals(
                    List.of(
                            "warning: cluster check Secrets incomplete: Secret shop/down-tls could not be read (the API"
                                    + " server answered 503); the health of the certificates the routes serve from it"
                                    + " is not reported",
                            "warning: cluster check Secrets incomplete: Secret shop/slow-tls could not be read (the"
                                    + " read timed out); the health of the certificates the routes serve from it is"
                                    + " not reported"),
                    cluster.notices());
            assertFalse(cluster.ran().contains("Secrets"), cluster.ran().toString());
            cluster.notices().forEach(n -> assertFalse(n.contains(SECRET_DATA), n));
        }
    }

    @Test
    void secretsRanWhenEveryReadAnswered() throws Exception {
        try (CheckCluster cluster =
                new CheckCluster((namespace, name, deadline) -> SecretState.ABSENT, List.of(), SETTINGS)) {
            Verdict v = admit(cluster, "missing-tls");
            assertTrue(v.warnings().stream().anyMatch(w -> w.startsWith("[secret-missing]")), v.warnings()::toString);
            assertEquals(List.of(), cluster.notices());
            assertEquals(List.of("Secrets"), cluster.ran());
        }
    }

    private static Verdict admit(CheckCluster cluster, String secret) throws Exception {
        JsonNode route = YAML.readTree("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: web, namespace: shop}
                spec:
                  routes:
                    - match: Host(`web.ckh.example`)
                      services: [{name: web, port: 80}]
                  tls: {secretName: %s}
                """.formatted(secret));
        return cluster.admit(
                PolicyRequest.create(route, "default"),
                route,
                new ScopedVerdict(ScopedVerdict.Status.CHECKED, "", Verdict.allow()));
    }
}
