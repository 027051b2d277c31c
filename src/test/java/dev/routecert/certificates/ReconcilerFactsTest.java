package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.routecert.policy.NamespaceRules;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.scope.DocumentFacts;
import dev.routecert.policy.scope.ScopeFacts;
import dev.routecert.policy.scope.ScopeSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reconciler judges stored routes without Traefik's TLS objects, so that losing one deletes no Certificate. */
class ReconcilerFactsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode yaml(String text) throws Exception {
        return YAML.readTree(text);
    }

    private static RoutePolicy policy(ScopeFacts facts) {
        return new RoutePolicy(
                PolicyConfig.defaults().withDefaultIssuer("letsencrypt", "ClusterIssuer"),
                ScopeSettings.everything(),
                facts,
                NamespaceRules.Source.DEFAULT);
    }

    @Test
    void aRouteNamingATlsOptionThatIsGoneIsDeniedAtAdmissionButStillPlannedByTheReconciler() throws Exception {
        JsonNode route = yaml("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: shop, namespace: shop}
                spec:
                  routes:
                    - match: Host(`shop.example.com`)
                  tls:
                    secretName: shop-tls
                    options: {name: strict}
                """);
        // the cluster serves TLSOptions, and none named strict is left in the namespace
        JsonNode other =
                yaml("{apiVersion: traefik.io/v1alpha1, kind: TLSOption, metadata: {name: lax, namespace: shop}}");
        ScopeFacts cluster = DocumentFacts.of(List.of(other), "shop");
        PolicyRequest request = PolicyRequest.create(route, "shop");

        assertFalse(policy(cluster).judge(request).verdict().allowed(), "admission stops the next apply");
        var reconciled = policy(CertificateManager.withoutTlsObjects(cluster))
                .judge(request)
                .verdict();
        assertTrue(reconciled.allowed(), reconciled.summary());
        assertFalse(reconciled.certificates().isEmpty(), "the stored route keeps its Certificate");
    }
}
