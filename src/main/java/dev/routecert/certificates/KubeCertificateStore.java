package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The {@link CertificateStore} on a real API server. Reads of Certificates and issuers come from
 * {@link ClusterCaches}; Certificates are read, created and applied (server-side apply, field
 * manager routecert) through fabric8's resource API as untyped resources, so that what the API server
 * gets is exactly the tree {@link CertificatePlanner} rendered. Two calls that the resource API cannot
 * express go through its HTTP client: a delete with a uid precondition, and a metadata-only read of
 * a Secret. Each call is bounded by its {@link Deadline} and nothing retries behind the caller's back.
 */
public final class KubeCertificateStore implements CertificateStore {

    private static final ResourceDefinitionContext CERTIFICATES = CachedKind.CERTIFICATE.context();
    private static final String PARTIAL_METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final ClusterCaches caches;
    private final WriteGuard guard;

    public KubeCertificateStore(KubernetesClient client, ClusterCaches caches) {
        this(client, caches, WriteGuard.NONE);
    }

    /** {@code guard} refuses creates, applies and deletes in the namespaces routecert excludes. */
    public KubeCertificateStore(KubernetesClient client, ClusterCaches caches, WriteGuard guard) {
        this.client = client;
        this.caches = caches;
        this.guard = guard;
    }

    /**
     * A client for calls that must finish within {@code deadline}: connection and request timeouts
     * from it, no retries (fabric8 would otherwise back off for many seconds on a 5xx), and the
     * user agent {@code routecert} so the API server names routecert as the field manager of what it
     * creates.
     */
    public static KubernetesClient deadlineClient(Config base, Duration deadline, String version) {
        int millis = (int) Math.max(100, deadline.toMillis());
        Config config = new ConfigBuilder(base)
                .withConnectionTimeout(millis)
                .withRequestTimeout(millis)
                .withRequestRetryBackoffLimit(0)
                .withUserAgent(Ownership.FIELD_MANAGER + "/" + version)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Override
    public Optional<ExistingCertificate> cachedCertificate(String namespace, String name) {
        return caches.get(CachedKind.CERTIFICATE, namespace, name).map(ExistingCertificate::from);
    }

    @Override
    public List<JsonNode> cachedCertificatesWriting(String namespace, String secretName) {
        return caches.certificatesForSecret(namespace, secretName);
    }

    @Override
    public Optional<IssuerInfo> cachedIssuer(String kind, String namespace, String name) {
        CachedKind cached = namespace == null ? CachedKind.CLUSTER_ISSUER : CachedKind.ISSUER;
        return caches.get(cached, namespace, name).map(object -> IssuerInfo.from(kind, object));
    }

    @Override
    public Optional<ExistingCertificate> readCertificate(String namespace, String name, Deadline deadline)
            throws StoreException {
        GenericKubernetesResource found = call(
                deadline,
                "read Certificate " + namespace + "/" + name,
                c -> certificates(c, namespace).withName(name).get());
        return Optional.ofNullable(found).map(this::json).map(ExistingCertificate::from);
    }

    @Override
    public List<JsonNode> readCertificatesWriting(String namespace, String secretName, Deadline deadline)
            throws StoreException {
        List<GenericKubernetesResource> all = call(
                deadline,
                "list Certificates of " + namespace,
                c -> certificates(c, namespace).list().getItems());
        return all.stream()
                .map(this::json)
                .filter(c -> secretName.equals(c.path("spec").path("secretName").asText(null)))
                .toList();
    }

    @Override
    public ExistingCertificate create(ObjectNode certificate, Deadline deadline) throws StoreException {
        String namespace = certificate.path("metadata").path("namespace").asText();
        String name = certificate.path("metadata").path("name").asText();
        guard.check(namespace, "create Certificate " + namespace + "/" + name);
        GenericKubernetesResource body = resource(certificate);
        GenericKubernetesResource created = call(
                deadline,
                "create Certificate " + namespace + "/" + name,
                c -> certificates(c, namespace).resource(body).create());
        return ExistingCertificate.from(json(created));
    }

    @Override
    public ExistingCertificate apply(ObjectNode certificate, String resourceVersion, Deadline deadline)
            throws StoreException {
        ObjectNode tree = certificate.deepCopy();
        // optimistic concurrency: CONFLICT if it changed since we judged it
        ((ObjectNode) tree.get("metadata")).put("resourceVersion", resourceVersion);
        String namespace = tree.path("metadata").path("namespace").asText();
        String name = tree.path("metadata").path("name").asText();
        String action = "apply Certificate " + namespace + "/" + name;
        guard.check(namespace, action);
        GenericKubernetesResource body = resource(tree);
        try {
            GenericKubernetesResource applied = call(
                    deadline,
                    action,
                    c -> certificates(c, namespace)
                            .resource(body)
                            .fieldManager(Ownership.FIELD_MANAGER)
                            .forceConflicts()
                            .serverSideApply());
            return ExistingCertificate.from(json(applied));
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                throw new StoreException(
                        StoreException.Kind.CONFLICT, "Certificate " + namespace + "/" + name + " is gone", null);
            }
            throw e;
        }
    }

    @Override
    public void delete(String namespace, String name, String uid, Deadline deadline) throws StoreException {
        guard.check(namespace, "delete Certificate " + namespace + "/" + name);
        ObjectNode options = JSON.createObjectNode();
        options.put("apiVersion", "v1").put("kind", "DeleteOptions").put("propagationPolicy", "Background");
        options.putObject("preconditions").put("uid", uid);
        // a 404 comes back too: already gone, which is what was asked
        send(
                client,
                "DELETE",
                URLUtils.join(
                        client.getMasterUrl().toString(),
                        "apis",
                        CERTIFICATES.getGroup(),
                        CERTIFICATES.getVersion(),
                        "namespaces",
                        enc(namespace),
                        CERTIFICATES.getPlural(),
                        enc(name)),
                options,
                "application/json",
                deadline,
                "delete Certificate " + namespace + "/" + name);
    }

    @Override
    public SecretState readSecret(String namespace, String name, Deadline deadline) throws StoreException {
        return readSecretMetadata(client, namespace, name, deadline);
    }

    /**
     * One GET of the Secret as {@code PartialObjectMetadata}: the API server sends its metadata and
     * never its data.
     */
    public static SecretState readSecretMetadata(
            KubernetesClient client, String namespace, String name, Deadline deadline) throws StoreException {
        Response response = send(
                client,
                "GET",
                URLUtils.join(
                        client.getMasterUrl().toString(), "api/v1/namespaces", enc(namespace), "secrets", enc(name)),
                null,
                PARTIAL_METADATA,
                deadline,
                "look up Secret " + namespace + "/" + name);
        if (response.code == 404) {
            return SecretState.ABSENT;
        }
        JsonNode meta = response.body.path("metadata");
        JsonNode owner = meta.path("annotations").path(Ownership.SECRET_CERTIFICATE_ANNOTATION);
        Map<String, String> annotations = new HashMap<>();
        meta.path("annotations").properties().forEach(e -> {
            if (e.getValue().isTextual()) {
                annotations.put(e.getKey(), e.getValue().asText());
            }
        });
        return new SecretState(true, owner.isTextual() ? owner.asText() : null, annotations);
    }

    private static NonNamespaceOperation<
                    GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            certificates(KubernetesClient c, String namespace) {
        return c.genericKubernetesResources(CERTIFICATES).inNamespace(namespace);
    }

    private GenericKubernetesResource resource(ObjectNode tree) {
        return client.getKubernetesSerialization().convertValue(tree, GenericKubernetesResource.class);
    }

    private JsonNode json(GenericKubernetesResource resource) {
        return client.getKubernetesSerialization().convertValue(resource, JsonNode.class);
    }

    /** One call of the resource API within {@code deadline} ({@link DeadlineCalls}). */
    private <T> T call(Deadline deadline, String action, Function<KubernetesClient, T> operation)
            throws StoreException {
        return DeadlineCalls.call(client, deadline, action, operation);
    }

    /** A response of a request made through the client's HTTP client: 2xx and 404 come back, the rest is thrown. */
    private record Response(int code, JsonNode body) {}

    private static Response send(
            KubernetesClient client,
            String method,
            String url,
            JsonNode body,
            String accept,
            Deadline deadline,
            String action)
            throws StoreException {
        long left = DeadlineCalls.timeLeft(deadline, action);
        // The API server stops working on the request at its own end too, and says so.
        HttpRequest.Builder request = client.getHttpClient()
                .newHttpRequestBuilder()
                .uri(url + "?timeout=" + Math.max(1, left) + "ms")
                .header("Accept", accept)
                .timeout(left, TimeUnit.MILLISECONDS);
        if (body != null) {
            request.method(method, "application/json", body.toString());
        }
        CompletableFuture<HttpResponse<String>> future =
                client.getHttpClient().sendAsync(request.build(), String.class);
        HttpResponse<String> response;
        try {
            response = DeadlineCalls.await(future, left, deadline, action);
        } catch (ExecutionException e) {
            throw DeadlineCalls.unreachable(deadline, action, e.getCause() == null ? e : e.getCause());
        }
        JsonNode parsed;
        try {
            String text = response.body();
            parsed = text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            parsed =
                    JSON.createObjectNode().put("message", "HTTP " + response.code() + " with a body that is not JSON");
        }
        if (response.code() / 100 != 2 && response.code() != 404) {
            throw DeadlineCalls.failure(
                    response.code(),
                    parsed.path("reason").asText(""),
                    parsed.path("message").asText("HTTP " + response.code()),
                    action);
        }
        return new Response(response.code(), parsed);
    }

    private static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
