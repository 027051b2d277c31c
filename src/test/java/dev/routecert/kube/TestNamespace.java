package dev.routecert.kube;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A namespace of the shared cluster for one test class, with an admin client; the extension
 * deletes the namespace and closes the client when the class is done.
 */
public record TestNamespace(KubeCluster cluster, KubernetesClient client, String name) implements AutoCloseable {

    @Override
    public void close() {
        try {
            cluster.deleteNamespace(name);
        } finally {
            client.close();
        }
    }
}
