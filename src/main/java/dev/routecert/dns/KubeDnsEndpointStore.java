package dev.routecert.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.DeadlineCalls;
import dev.routecert.certificates.Ownership;
import dev.routecert.certificates.StoreException;
import dev.routecert.certificates.WriteGuard;
import dev.routecert.policy.dns.DnsEndpointOwnership;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** The {@link DnsEndpointStore} on a real API server, through fabric8's untyped resource API. */
public final class KubeDnsEndpointStore implements DnsEndpointStore {

    static final ResourceDefinitionContext DNS_ENDPOINTS = new ResourceDefinitionContext.Builder()
            .withGroup("externaldns.k8s.io")
            .withVersion("v1alpha1")
            .withKind("DNSEndpoint")
            .withPlural("dnsendpoints")
            .withNamespaced(true)
            .build();

    /** Items per page of a list, as client-go's pagers ask. */
    private static final long PAGE = 500;

    private final KubernetesClient client;
    private final WriteGuard guard;

    public KubeDnsEndpointStore(KubernetesClient client, WriteGuard guard) {
        this.client = client;
        this.guard = guard;
    }

    @Override
    public Optional<JsonNode> read(String namespace, String name, Deadline deadline) throws StoreException {
        GenericKubernetesResource found = DeadlineCalls.call(
                client,
                deadline,
                "read DNSEndpoint " + namespace + "/" + name,
                c -> c.genericKubernetesResources(DNS_ENDPOINTS)
                        .inNamespace(namespace)
                        .withName(name)
                        .get());
        return Optional.ofNullable(found).map(this::json);
    }

    @Override
    public JsonNode create(ObjectNode endpoint, Deadline deadline) throws StoreException {
        String namespace = endpoint.path("metadata").path("namespace").asText();
        String action = "create DNSEndpoint " + namespace + "/"
                + endpoint.path("metadata").path("name").asText();
        guard.check(namespace, action);
        GenericKubernetesResource body = resource(endpoint);
        return json(DeadlineCalls.call(
                client,
                deadline,
                action,
                c -> c.genericKubernetesResources(DNS_ENDPOINTS)
                        .inNamespace(namespace)
                        .resource(body)
                        .create()));
    }

    @Override
    public JsonNode apply(ObjectNode endpoint, String resourceVersion, Deadline deadline) throws StoreException {
        ObjectNode tree = endpoint.deepCopy();
        ((ObjectNode) tree.get("metadata")).put("resourceVersion", resourceVersion);
        String namespace = tree.path("metadata").path("namespace").asText();
        String name = tree.path("metadata").path("name").asText();
        String action = "apply DNSEndpoint " + namespace + "/" + name;
        guard.check(namespace, action);
        GenericKubernetesResource body = resource(tree);
        try {
            return json(DeadlineCalls.call(
                    client,
                    deadline,
                    action,
                    c -> c.genericKubernetesResources(DNS_ENDPOINTS)
                            .inNamespace(namespace)
                            .resource(body)
                            .fieldManager(Ownership.FIELD_MANAGER)
                            .forceConflicts()
                            .serverSideApply()));
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                throw new StoreException(
                        StoreException.Kind.CONFLICT, "DNSEndpoint " + namespace + "/" + name + " is gone", null);
            }
            throw e;
        }
    }

    @Override
    public List<JsonNode> listManaged(List<String> managers, Supplier<Deadline> perPage) throws StoreException {
        String values = String.join(",", managers);
        List<JsonNode> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String key :
                List.of(DnsEndpointOwnership.MANAGED_BY_LABEL, DnsEndpointOwnership.LEGACY_MANAGED_BY_LABEL)) {
            String selector = key + " in (" + values + ")";
            String next = null;
            do {
                ListOptions page = new ListOptionsBuilder()
                        .withLabelSelector(selector)
                        .withLimit(PAGE)
                        .withContinue(next)
                        .build();
                GenericKubernetesResourceList list = DeadlineCalls.call(
                        client,
                        perPage.get(),
                        "list DNSEndpoints",
                        c -> c.genericKubernetesResources(DNS_ENDPOINTS)
                                .inAnyNamespace()
                                .list(page));
                for (GenericKubernetesResource item : list.getItems()) {
                    if (seen.add(item.getMetadata().getUid())) {
                        out.add(json(item));
                    }
                }
                next = list.getMetadata() == null ? null : list.getMetadata().getContinue();
            } while (next != null && !next.isEmpty());
        }
        return out;
    }

    @Override
    public boolean delete(String namespace, String name, String uid, String resourceVersion, Deadline deadline)
            throws StoreException {
        String action = "delete DNSEndpoint " + namespace + "/" + name;
        guard.check(namespace, action);
        return DeadlineCalls.call(client, deadline, action, c -> {
            GenericKubernetesResource current = c.genericKubernetesResources(DNS_ENDPOINTS)
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
            if (current == null
                    || !uid.equals(current.getMetadata().getUid())
                    || (resourceVersion != null
                            && !resourceVersion.equals(current.getMetadata().getResourceVersion()))) {
                return false; // gone, replaced, or changed since the decision: the next pass decides again
            }
            // the check and the delete are two calls; the resourceVersion lock closes the gap
            c.genericKubernetesResources(DNS_ENDPOINTS)
                    .inNamespace(namespace)
                    .withName(name)
                    .lockResourceVersion(current.getMetadata().getResourceVersion())
                    .delete();
            return true;
        });
    }

    private GenericKubernetesResource resource(ObjectNode tree) {
        return client.getKubernetesSerialization().convertValue(tree, GenericKubernetesResource.class);
    }

    private JsonNode json(GenericKubernetesResource resource) {
        return client.getKubernetesSerialization().convertValue(resource, JsonNode.class);
    }
}
