package dev.routecert.dns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.log.Log;
import dev.routecert.policy.dns.DnsTargets;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The targets of {@code --dns-target-service}, kept current by an informer on that one Service (a
 * field selector on its name: routecert watches no other Service), and the listeners told when they
 * change.
 */
public final class ServiceTargets implements DnsTargetSource, AutoCloseable {

    private static final Log log = Log.of(ServiceTargets.class);

    private final String namespace;
    private final String name;
    private final AtomicReference<List<String>> current = new AtomicReference<>(List.of());
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final SharedIndexInformer<Service> informer;

    public ServiceTargets(KubernetesClient client, String namespace, String name) {
        this.namespace = namespace;
        this.name = name;
        this.informer = client.services().inNamespace(namespace).withName(name).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service service) {
                update(client, service);
            }

            @Override
            public void onUpdate(Service old, Service service) {
                update(client, service);
            }

            @Override
            public void onDelete(Service service, boolean finalStateUnknown) {
                update(client, null);
            }
        });
    }

    private void update(KubernetesClient client, Service service) {
        JsonNode json =
                service == null ? null : client.getKubernetesSerialization().convertValue(service, JsonNode.class);
        List<String> targets = DnsTargets.ofService(json);
        List<String> before = current.getAndSet(targets);
        if (!before.equals(targets)) {
            log.info("dns targets of Service {}/{}: {} (were {})", namespace, name, targets, before);
            listeners.forEach(Runnable::run);
        }
    }

    /** {@code listener} runs on the informer's thread after every change of the targets. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public List<String> targets() {
        return current.get();
    }

    @Override
    public String describe() {
        return "Service " + namespace + "/" + name;
    }

    @Override
    public void close() {
        informer.close();
    }
}
