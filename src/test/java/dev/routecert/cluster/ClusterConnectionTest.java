package dev.routecert.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.routecert.config.ServeConfig.KubernetesMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConnectionTest {

    @TempDir
    Path dir;

    @Test
    void offNeverConnects() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "t");
        assertEquals(
                Optional.empty(),
                ClusterConnection.locate(
                        KubernetesMode.OFF, Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), dir, token));
    }

    @Test
    void autoPrefersTheInClusterServiceAccount() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "t");
        Path kubeconfig = Files.writeString(dir.resolve("config"), "apiVersion: v1");
        assertEquals(
                Optional.of("in-cluster service account"),
                ClusterConnection.locate(
                        KubernetesMode.AUTO,
                        Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "KUBECONFIG", kubeconfig.toString()),
                        dir,
                        token));
    }

    @Test
    void autoFallsBackToKubeconfigThenHomeThenNothing() throws Exception {
        Path missingToken = dir.resolve("no-token");
        Path kubeconfig = Files.writeString(dir.resolve("config"), "apiVersion: v1");
        assertEquals(
                Optional.of("kubeconfig " + kubeconfig + " (KUBECONFIG)"),
                ClusterConnection.locate(
                        KubernetesMode.AUTO,
                        Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "KUBECONFIG", "/nope:" + kubeconfig),
                        dir,
                        missingToken));
        assertEquals(Optional.empty(), ClusterConnection.locate(KubernetesMode.AUTO, Map.of(), dir, missingToken));
        Path home = Files.createDirectories(dir.resolve("home/.kube")).getParent();
        Files.writeString(home.resolve(".kube/config"), "apiVersion: v1");
        assertEquals(
                Optional.of("kubeconfig " + home.resolve(".kube/config")),
                ClusterConnection.locate(KubernetesMode.AUTO, Map.of(), home, missingToken));
        assertEquals(
                Optional.empty(),
                ClusterConnection.locate(
                        KubernetesMode.AUTO,
                        Map.of("KUBECONFIG", dir.resolve("missing").toString()),
                        home,
                        missingToken),
                "an explicit KUBECONFIG that does not exist is not silently replaced by ~/.kube/config");
    }
}
