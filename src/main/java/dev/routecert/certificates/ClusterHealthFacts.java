package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.routes.RouteKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What {@code routecert status} reads from a live cluster, read-only and by one list per resource:
 * the routes of every kind routecert handles, the Certificates, and the Secrets' metadata
 * (PartialObjectMetadata: the API server sends no Secret data). No informer, no watch.
 *
 * @param secrets each Secret's annotations by {@code namespace/name}
 */
public record ClusterHealthFacts(
        Map<RouteKind, List<JsonNode>> routes, List<JsonNode> certificates, Map<String, Map<String, String>> secrets) {

    private static final String METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Thrown when the cluster cannot be read; the message says what failed. */
    public static final class ReadFailure extends Exception {
        public ReadFailure(String message) {
            super(message);
        }
    }

    /**
     * Lists everything in {@code namespace}, or in every namespace when it is null. A route kind the
     * API server does not serve has no routes; cert-manager's Certificates must be served.
     */
    public static ClusterHealthFacts read(KubernetesClient client, String namespace) throws ReadFailure {
        Map<RouteKind, List<JsonNode>> routes = new EnumMap<>(RouteKind.class);
        for (RouteKind kind : RouteKind.values()) {
            routes.put(kind, list(client, CachedKind.of(kind), namespace, true));
        }
        List<JsonNode> certificates = list(client, CachedKind.CERTIFICATE, namespace, false);
        return new ClusterHealthFacts(routes, certificates, secrets(client, namespace));
    }

    private static List<JsonNode> list(KubernetesClient client, CachedKind kind, String namespace, boolean optional)
            throws ReadFailure {
        try {
            var resources = client.genericKubernetesResources(kind.context());
            List<GenericKubernetesResource> items = namespace == null
                    ? resources.inAnyNamespace().list().getItems()
                    : resources.inNamespace(namespace).list().getItems();
            List<JsonNode> out = new ArrayList<>();
            for (GenericKubernetesResource item : items) {
                out.add(client.getKubernetesSerialization().convertValue(item, JsonNode.class));
            }
            return out;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 && optional) {
                return List.of();
            }
            throw new ReadFailure("cannot list " + kind.resource()
                    + (e.getCode() == 404 ? ": not served (is cert-manager installed?)" : ": " + e.getMessage()));
        }
    }

    private static Map<String, Map<String, String>> secrets(KubernetesClient client, String namespace)
            throws ReadFailure {
        Map<String, Map<String, String>> out = new HashMap<>();
        String base = namespace == null
                ? URLUtils.join(client.getMasterUrl().toString(), "api/v1/secrets")
                : URLUtils.join(
                        client.getMasterUrl().toString(),
                        "api/v1/namespaces",
                        URLEncoder.encode(namespace, StandardCharsets.UTF_8),
                        "secrets");
        String next = "";
        do {
            String url = base + "?limit=500"
                    + (next.isEmpty() ? "" : "&continue=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            HttpRequest request = client.getHttpClient()
                    .newHttpRequestBuilder()
                    .uri(url)
                    .header("Accept", METADATA_LIST)
                    .build();
            JsonNode page;
            try {
                HttpResponse<String> response =
                        client.getHttpClient().sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
                if (response.code() / 100 != 2) {
                    throw new ReadFailure("cannot list the metadata of secrets: HTTP " + response.code());
                }
                page = JSON.readTree(response.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReadFailure("interrupted while listing secrets");
            } catch (ExecutionException | TimeoutException | IOException e) {
                throw new ReadFailure("cannot list the metadata of secrets: " + e.getMessage());
            }
            for (JsonNode item : page.path("items")) {
                JsonNode meta = item.path("metadata");
                Map<String, String> annotations = new HashMap<>();
                meta.path("annotations").properties().forEach(e -> {
                    if (e.getValue().isTextual()) {
                        annotations.put(e.getKey(), e.getValue().asText());
                    }
                });
                out.put(
                        meta.path("namespace").asText("") + "/"
                                + meta.path("name").asText(""),
                        annotations);
            }
            next = page.path("metadata").path("continue").asText("");
        } while (!next.isEmpty());
        return out;
    }
}
