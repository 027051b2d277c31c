package dev.routecert.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RouteKindTest {

    @Test
    void handlesBothTraefikGroupsAndIngressV1Only() {
        assertEquals(
                RouteKind.INGRESS_ROUTE,
                RouteKind.of("traefik.io", "v1alpha1", "IngressRoute").orElseThrow());
        assertEquals(
                RouteKind.INGRESS_ROUTE_LEGACY,
                RouteKind.of("traefik.containo.us", "v1alpha1", "IngressRoute").orElseThrow());
        assertEquals(
                RouteKind.INGRESS,
                RouteKind.of("networking.k8s.io", "v1", "Ingress").orElseThrow());
        assertEquals(
                RouteKind.INGRESS_ROUTE_TCP,
                RouteKind.of("traefik.io", "v1alpha1", "IngressRouteTCP").orElseThrow());
        assertEquals(
                RouteKind.INGRESS_ROUTE_TCP_LEGACY,
                RouteKind.of("traefik.containo.us", "v1alpha1", "IngressRouteTCP")
                        .orElseThrow());
        assertFalse(RouteKind.of("traefik.io", "v1alpha1", "IngressRouteUDP").isPresent());
        assertFalse(RouteKind.of("networking.k8s.io", "v1beta1", "Ingress").isPresent());
        assertFalse(RouteKind.of("", "v1", "ConfigMap").isPresent());
        assertFalse(RouteKind.of(null, null, null).isPresent());
    }

    @Test
    void anOwnershipAnnotationNamesAKindWithoutItsVersion() {
        assertEquals(
                RouteKind.INGRESS_ROUTE_LEGACY,
                RouteKind.of("traefik.containo.us", "IngressRoute").orElseThrow());
        assertEquals("traefik.containo.us/v1alpha1", RouteKind.INGRESS_ROUTE_LEGACY.apiVersion());
        assertEquals("networking.k8s.io/v1", RouteKind.INGRESS.apiVersion());
        assertFalse(RouteKind.of("traefik.io", "Middleware").isPresent());
    }

    /** Both shipped webhooks are called for exactly the kinds the registry lists, no more and no fewer. */
    @Test
    void theShippedWebhookRulesMatchTheRegistry() throws IOException {
        Set<String> registered = new TreeSet<>();
        for (RouteKind k : RouteKind.values()) {
            registered.add(k.group() + "/" + k.version() + "/" + k.resource());
        }
        List<JsonNode> configurations = documents("manifests/webhook.yaml");
        int webhooks = 0;
        for (JsonNode configuration : configurations) {
            for (JsonNode webhook : configuration.path("webhooks")) {
                webhooks++;
                Set<String> ruled = new TreeSet<>();
                for (JsonNode rule : webhook.path("rules")) {
                    for (JsonNode group : rule.path("apiGroups")) {
                        for (JsonNode version : rule.path("apiVersions")) {
                            for (JsonNode resource : rule.path("resources")) {
                                ruled.add(group.asText() + "/" + version.asText() + "/" + resource.asText());
                            }
                        }
                    }
                }
                assertEquals(registered, ruled, webhook.path("name").asText());
            }
        }
        assertEquals(2, webhooks, "a mutating and a validating webhook");
    }

    /** The informer caches list and watch every registered kind, so RBAC must grant exactly that. */
    @Test
    void theShippedRbacLetsTheCachesWatchEveryRegisteredKind() throws IOException {
        Set<String> watchable = new TreeSet<>();
        for (JsonNode document : documents("manifests/rbac.yaml")) {
            for (JsonNode rule : document.path("rules")) {
                List<String> verbs = new ArrayList<>();
                rule.path("verbs").forEach(v -> verbs.add(v.asText()));
                if (!verbs.containsAll(List.of("list", "watch"))) {
                    continue;
                }
                for (JsonNode group : rule.path("apiGroups")) {
                    for (JsonNode resource : rule.path("resources")) {
                        watchable.add(group.asText() + "/" + resource.asText());
                    }
                }
            }
        }
        for (RouteKind k : RouteKind.values()) {
            assertTrue(watchable.contains(k.group() + "/" + k.resource()), k + " is not watchable: " + watchable);
        }
    }

    private static List<JsonNode> documents(String file) throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        try (MappingIterator<JsonNode> it =
                yaml.readerFor(JsonNode.class).readValues(Path.of(file).toFile())) {
            return it.readAll();
        }
    }
}
