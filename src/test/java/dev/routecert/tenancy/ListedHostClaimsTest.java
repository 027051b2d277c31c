package dev.routecert.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.CachedKind;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.RouteRef;
import dev.routecert.certificates.StoreException;
import dev.routecert.policy.HostName;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.routes.RouteKind;
import dev.routecert.time.TestClock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Host ownership over one listing of claims and routes: what check --kubeconfig runs, read-only. */
class ListedHostClaimsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestClock clock = new TestClock(Instant.parse("2025-01-01T00:00:00Z"));

    /** A claim Lease as KubeHostClaimStore writes it. */
    private static Lease lease(String host, HostName.Type type, String holder) {
        ClaimKey key = new ClaimKey(host, type);
        LeaseBuilder b = new LeaseBuilder()
                .withNewMetadata()
                .withName(KubeHostClaimStore.leaseName(key))
                .withNamespace("routecert")
                .addToLabels(KubeHostClaimStore.CLAIM_LABEL, "host")
                .addToAnnotations(KubeHostClaimStore.HOST_ANNOTATION, host)
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(holder)
                .endSpec();
        key.zone()
                .ifPresent(zone -> b.editMetadata()
                        .addToLabels(KubeHostClaimStore.ZONE_LABEL, KubeHostClaimStore.hash(zone))
                        .endMetadata());
        return b.build();
    }

    private static ObjectNode ingress(String namespace, String name, String created, String... hosts) {
        ObjectNode o = JSON.createObjectNode();
        o.put("apiVersion", "networking.k8s.io/v1").put("kind", "Ingress");
        ObjectNode meta = o.putObject("metadata").put("name", name).put("namespace", namespace);
        if (created != null) {
            meta.put("creationTimestamp", created);
        }
        var rules = o.putObject("spec").putArray("rules");
        for (String h : hosts) {
            rules.addObject().put("host", h);
        }
        return o;
    }

    private HostOwnership.Outcome review(HostOwnership ownership, String namespace, String host) {
        return ownership.review(
                RouteKind.INGRESS,
                ingress(namespace, "web", null, host),
                new RouteRef("networking.k8s.io", "Ingress", namespace, "web"),
                HostOwnership.Mode.READ_ONLY,
                Deadline.in(Duration.ofSeconds(3), clock));
    }

    private static HostOwnership ownership(List<Lease> leases, List<JsonNode> ingresses) {
        return new ListedHostClaims(leases)
                .ownership(Map.of(CachedKind.INGRESS, ingresses), SharedHosts.NEVER, RuleSyntax.V3);
    }

    @Test
    void aNameAnotherNamespaceClaimedIsDeniedAsAdmissionDeniesIt() {
        HostOwnership ownership = ownership(List.of(lease("shop.example.com", HostName.Type.DNS, "team-a")), List.of());
        HostOwnership.Outcome denied = review(ownership, "team-b", "shop.example.com");
        assertFalse(denied.allowed());
        assertEquals("[host-ownership]", denied.conflicts().get(0).check().tag());
        assertEquals("spec.rules[0].host", denied.conflicts().get(0).field());
        assertTrue(review(ownership, "team-a", "shop.example.com").allowed());
        assertTrue(review(ownership, "team-b", "cart.example.com").allowed());
    }

    @Test
    void aWildcardClaimCoversItsNamesAndANameClaimBlocksTheWildcard() {
        HostOwnership byWildcard =
                ownership(List.of(lease("*.example.com", HostName.Type.WILDCARD, "team-a")), List.of());
        assertFalse(review(byWildcard, "team-b", "shop.example.com").allowed());
        HostOwnership byName = ownership(List.of(lease("shop.example.com", HostName.Type.DNS, "team-a")), List.of());
        assertFalse(review(byName, "team-b", "*.example.com").allowed());
        assertTrue(review(byName, "team-b", "*.other.example").allowed());
    }

    @Test
    void whileNobodyHoldsAClaimTheOlderStoredRouteOfAnotherNamespaceDecides() {
        ObjectNode leaving = ingress("team-c", "leaving", "2024-01-01T00:00:00Z", "cart.example.com");
        ((ObjectNode) leaving.get("metadata")).put("deletionTimestamp", "2024-06-01T00:00:00Z");
        HostOwnership ownership = ownership(
                List.of(), List.of(ingress("team-a", "shop", "2024-01-01T00:00:00Z", "shop.example.com"), leaving));
        assertFalse(review(ownership, "team-b", "shop.example.com").allowed());
        assertTrue(review(ownership, "team-a", "shop.example.com").allowed());
        assertTrue(review(ownership, "team-b", "cart.example.com").allowed(), "a route being deleted serves nothing");
    }

    @Test
    void aLeaseThatIsNoClaimIsIgnoredAndWritesAreRefused() {
        Lease foreign = new LeaseBuilder()
                .withNewMetadata()
                .withName("something-else")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity("team-a")
                .endSpec()
                .build();
        ListedHostClaims claims = new ListedHostClaims(List.of(foreign));
        assertEquals(List.of(), claims.cachedAll());
        ClaimKey key = new ClaimKey("shop.example.com", HostName.Type.DNS);
        Deadline deadline = Deadline.in(Duration.ofSeconds(3), clock);
        StoreException e = assertThrows(StoreException.class, () -> claims.create(key, "team-a", "r", deadline));
        assertEquals(StoreException.Kind.FORBIDDEN, e.kind());
    }
}
