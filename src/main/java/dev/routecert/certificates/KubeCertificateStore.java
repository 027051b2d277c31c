package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link CertificateStore} on a real API server. Reads of Certificates and issuers come from
 * {@link ClusterCaches}; the calls go through fabric8's HTTP client (its authentication, TLS and
 * proxy set-up) as plain REST requests, so that each carries exactly the deadline, field manager,
 * preconditions and {@code Accept} header it needs, and nothing retries behind the caller's back.
 */
public final class KubeCertificateStore implements CertificateStore {

    private static final String CERTIFICATES = "/apis/cert-manager.io/v1/namespaces/%s/certificates";
    private static final String PARTIAL_METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final ClusterCaches caches;
    private final String base;

    public KubeCertificateStore(KubernetesClient client, ClusterCaches caches) {
        this.client = client;
        this.caches = caches;
        String master = client.getMasterUrl().toString();
        this.base = master.endsWith("/") ? master.substring(0, master.length() - 1) : master;
    }

    /**
     * A client for calls that must finish within {@code deadline}: connection and request timeouts
     * from it, no retries (fabric8 would otherwise back off for many seconds on a 5xx), and the
     * user agent {@code routecert} so the API server names routecert as the field manager.
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
    public Optional<IssuerInfo> cachedIssuer(String kind, String namespace, String name) {
        CachedKind cached = namespace == null ? CachedKind.CLUSTER_ISSUER : CachedKind.ISSUER;
        return caches.get(cached, namespace, name).map(object -> IssuerInfo.from(kind, object));
    }

    @Override
    public Optional<ExistingCertificate> readCertificate(String namespace, String name, Deadline deadline)
            throws StoreException {
        Response response = send(
                "GET",
                certificateUrl(namespace, name),
                null,
                null,
                "application/json",
                deadline,
                "read Certificate " + namespace + "/" + name);
        if (response.code == 404) {
            return Optional.empty();
        }
        return Optional.of(ExistingCertificate.from(response.ok()));
    }

    @Override
    public SecretState readSecret(String namespace, String name, Deadline deadline) throws StoreException {
        Response response = send(
                "GET",
                base + "/api/v1/namespaces/" + enc(namespace) + "/secrets/" + enc(name),
                null,
                null,
                PARTIAL_METADATA,
                deadline,
                "look up Secret " + namespace + "/" + name);
        if (response.code == 404) {
            return SecretState.ABSENT;
        }
        JsonNode meta = response.ok().path("metadata");
        JsonNode owner = meta.path("annotations").path(Ownership.SECRET_CERTIFICATE_ANNOTATION);
        return new SecretState(true, owner.isTextual() ? owner.asText() : null);
    }

    @Override
    public ExistingCertificate create(ObjectNode certificate, Deadline deadline) throws StoreException {
        String namespace = certificate.path("metadata").path("namespace").asText();
        String name = certificate.path("metadata").path("name").asText();
        Response response = send(
                "POST",
                base + CERTIFICATES.formatted(enc(namespace)) + "?fieldManager=" + Ownership.FIELD_MANAGER,
                "application/json",
                certificate,
                "application/json",
                deadline,
                "create Certificate " + namespace + "/" + name);
        return ExistingCertificate.from(response.ok());
    }

    @Override
    public ExistingCertificate apply(ObjectNode certificate, String resourceVersion, Deadline deadline)
            throws StoreException {
        ObjectNode body = certificate.deepCopy();
        ObjectNode meta = (ObjectNode) body.get("metadata");
        meta.put(
                "resourceVersion",
                resourceVersion); // optimistic concurrency: CONFLICT if it changed since we judged it
        String namespace = meta.path("namespace").asText();
        String name = meta.path("name").asText();
        Response response = send(
                "PATCH",
                certificateUrl(namespace, name) + "?fieldManager=" + Ownership.FIELD_MANAGER + "&force=true",
                "application/apply-patch+yaml",
                body,
                "application/json",
                deadline,
                "apply Certificate " + namespace + "/" + name);
        if (response.code == 404) {
            throw new StoreException(
                    StoreException.Kind.CONFLICT, "Certificate " + namespace + "/" + name + " is gone", null);
        }
        return ExistingCertificate.from(response.ok());
    }

    @Override
    public void delete(String namespace, String name, String uid, Deadline deadline) throws StoreException {
        ObjectNode options = JSON.createObjectNode();
        options.put("apiVersion", "v1").put("kind", "DeleteOptions").put("propagationPolicy", "Background");
        options.putObject("preconditions").put("uid", uid);
        Response response = send(
                "DELETE",
                certificateUrl(namespace, name),
                "application/json",
                options,
                "application/json",
                deadline,
                "delete Certificate " + namespace + "/" + name);
        if (response.code != 404) {
            response.ok();
        }
    }

    private String certificateUrl(String namespace, String name) {
        return base + CERTIFICATES.formatted(enc(namespace)) + "/" + enc(name);
    }

    /** A response: 2xx and 404 come back; anything else is thrown as a {@link StoreException}. */
    private record Response(int code, JsonNode body, String action) {
        JsonNode ok() throws StoreException {
            if (code / 100 != 2) {
                throw failure(code, body, action);
            }
            return body;
        }
    }

    private Response send(
            String method,
            String url,
            String contentType,
            JsonNode body,
            String accept,
            Deadline deadline,
            String action)
            throws StoreException {
        Duration left = deadline.remaining();
        if (left.toMillis() <= 0) {
            throw new StoreException(
                    StoreException.Kind.TIMEOUT,
                    "could not " + action + ": no time left within "
                            + deadline.total().toMillis() + "ms",
                    null);
        }
        // The API server stops working on the request at its own end too, and says so.
        String timed = url + (url.contains("?") ? "&" : "?") + "timeout=" + Math.max(1, left.toMillis()) + "ms";
        HttpRequest.Builder request = client.getHttpClient()
                .newHttpRequestBuilder()
                .uri(timed)
                .header("Accept", accept)
                .timeout(left.toMillis(), TimeUnit.MILLISECONDS);
        if (body != null) {
            request.method(method, contentType, body.toString());
        } else if (!"GET".equals(method)) {
            throw new IllegalArgumentException(method + " without a body");
        }
        CompletableFuture<HttpResponse<String>> future =
                client.getHttpClient().sendAsync(request.build(), String.class);
        HttpResponse<String> response;
        try {
            response = future.get(left.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StoreException(
                    StoreException.Kind.TIMEOUT,
                    "could not " + action + ": the API server did not answer within "
                            + deadline.total().toMillis() + "ms",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Kind.UNAVAILABLE, "could not " + action + ": interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            boolean timeout = cause instanceof HttpTimeoutException
                    || cause instanceof TimeoutException
                    || String.valueOf(cause.getMessage())
                            .toLowerCase(Locale.ROOT)
                            .contains("timeout")
                    || String.valueOf(cause.getMessage())
                            .toLowerCase(Locale.ROOT)
                            .contains("timed out");
            throw new StoreException(
                    timeout ? StoreException.Kind.TIMEOUT : StoreException.Kind.UNAVAILABLE,
                    "could not " + action + ": "
                            + (timeout
                                    ? "the API server did not answer within "
                                            + deadline.total().toMillis() + "ms"
                                    : "the API server cannot be reached (" + cause.getMessage() + ")"),
                    cause);
        }
        JsonNode parsed;
        try {
            String text = response.body();
            parsed = text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            parsed =
                    JSON.createObjectNode().put("message", "HTTP " + response.code() + " with a body that is not JSON");
        }
        return new Response(response.code(), parsed, action);
    }

    private static StoreException failure(int code, JsonNode status, String action) {
        String reason = status.path("reason").asText("");
        String message = status.path("message").asText("HTTP " + code);
        StoreException.Kind kind;
        if (code == 409 && "AlreadyExists".equals(reason)) {
            kind = StoreException.Kind.ALREADY_EXISTS;
        } else if (code == 409) {
            kind = StoreException.Kind.CONFLICT;
        } else if (code == 404) {
            kind = StoreException.Kind.NOT_FOUND;
        } else if (code == 504 || "Timeout".equals(reason)) {
            kind = StoreException.Kind.TIMEOUT;
        } else if (code >= 500 || code == 429) {
            kind = StoreException.Kind.UNAVAILABLE;
        } else {
            kind = StoreException.Kind.REJECTED;
        }
        return new StoreException(
                kind, "could not " + action + ": the API server answered " + code + ": " + message, null);
    }

    private static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
