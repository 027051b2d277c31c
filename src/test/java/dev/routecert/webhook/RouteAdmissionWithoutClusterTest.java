package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.certificates.FakeCertificateStore;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Without a cluster, /mutate answers as the policy does and says which Certificate it did not create. */
class RouteAdmissionWithoutClusterTest {

    @Test
    void warnsThatThePlannedCertificateWasNotCreated() throws Exception {
        JsonNode object = FakeCertificateStore.JSON.readTree("""
                {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"shop","namespace":"web"},
                 "spec":{"rules":[{"host":"shop.example.com"}],"tls":[{"hosts":["shop.example.com"],"secretName":"shop-tls"}]}}""");
        RouteAdmission admission = new RouteAdmission(
                new RoutePolicy(PolicyConfig.defaults().withDefaultIssuer("le", "ClusterIssuer")),
                RouteAdmission.Mode.MUTATE_WITHOUT_CLUSTER);
        AdmissionDecision decision = admission.review(new AdmissionRequest(
                "u",
                "networking.k8s.io",
                "v1",
                "Ingress",
                "ingresses",
                "",
                "shop",
                "web",
                "CREATE",
                "alice",
                false,
                object,
                null));
        assertTrue(decision.allowed());
        assertEquals(
                List.of(
                        "[no-cluster] routecert did not create Certificate web/shop-tls because it has no cluster connection"),
                decision.warnings());
        AdmissionDecision dryRun = admission.review(new AdmissionRequest(
                "u",
                "networking.k8s.io",
                "v1",
                "Ingress",
                "ingresses",
                "",
                "shop",
                "web",
                "CREATE",
                "alice",
                true,
                object,
                null));
        assertEquals(List.of(), dryRun.warnings());
    }
}
