package dev.routecert.kube;

import static dev.routecert.kube.Commands.run;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The harness itself: a real API server with the test CRDs, on loopback only, usable by kubectl. */
@ExtendWith(KubeClusterExtension.class)
class KubeClusterIT {

    private static final List<String> TEST_CRDS = List.of(
            "ingressroutes.traefik.io",
            "ingressroutes.traefik.containo.us",
            "ingressroutetcps.traefik.io",
            "ingressroutetcps.traefik.containo.us",
            "certificates.cert-manager.io",
            "issuers.cert-manager.io",
            "clusterissuers.cert-manager.io");

    @Test
    void apiServerAnswersAndTestCrdsAreEstablished(KubeCluster cluster) {
        try (KubernetesClient client = cluster.newClient()) {
            VersionInfo version = client.getKubernetesVersion();
            assertEquals("1", version.getMajor());
            assertEquals("20", version.getMinor(), "the Debian source package builds Kubernetes 1.20");

            for (String name : TEST_CRDS) {
                CustomResourceDefinition crd = client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName(name)
                        .get();
                assertNotNull(crd, name + " not installed");
                assertAll(
                        name,
                        () -> assertEquals("True", condition(crd, "Established")),
                        () -> assertEquals("True", condition(crd, "NamesAccepted")));
            }
            GenericKubernetesResourceList issuers = client.genericKubernetesResources(
                            "cert-manager.io/v1", "ClusterIssuer")
                    .list();
            assertTrue(issuers.getItems().isEmpty(), "a fresh cluster has no ClusterIssuer");
        }
    }

    @Test
    void everyListenerOfTheClusterIsOnLoopback(KubeCluster cluster) throws Exception {
        Path ss = KubeBinaries.onPath("ss");
        assertNotNull(ss, "ss not on PATH (Debian package iproute2, installed by kube-binaries.sh)");
        Commands.CommandResult result =
                run(List.of(ss.toString(), "-H", "--listening", "--numeric", "--processes", "--tcp", "--udp"));
        assertEquals(0, result.exitCode(), "ss failed: " + result.stderr());

        List<String> problems = new ArrayList<>();
        for (KubeCluster.Server server : cluster.servers()) {
            Set<Integer> seenPorts = new HashSet<>();
            for (String line : result.stdout()
                    .lines()
                    .filter(l -> l.contains("pid=" + server.pid() + ","))
                    .toList()) {
                // Netid State Recv-Q Send-Q Local-Address:Port Peer-Address:Port Process
                String local = line.trim().split("\\s+")[4];
                String host = local.substring(0, local.lastIndexOf(':'))
                        .replaceAll("^\\[|]$", "")
                        .replaceAll("%.*$", "");
                seenPorts.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1)));
                if (!isLoopback(host)) {
                    problems.add(server.name() + " listens on " + local + ": " + line.trim());
                }
            }
            if (!seenPorts.containsAll(server.ports())) {
                problems.add(server.name() + " (pid " + server.pid() + ") should listen on " + server.ports()
                        + " but ss shows " + seenPorts);
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems) + "\n--- ss output ---\n" + result.stdout());
        }
        assertEquals(
                List.of("etcd", "kube-apiserver", "kube-controller-manager"),
                cluster.servers().stream().map(KubeCluster.Server::name).toList());
    }

    @Test
    void kubectlWorksThroughTheGeneratedKubeconfig(KubeCluster cluster) throws Exception {
        Path kubectl = KubeBinaries.onPath("kubectl");
        assertNotNull(
                kubectl, "kubectl not on PATH (kube-binaries.sh installs Debian's kubernetes-client when missing)");

        Commands.CommandResult namespaces = run(List.of(
                kubectl.toString(), "--kubeconfig", cluster.kubeconfig().toString(), "get", "ns", "-o", "name"));
        assertEquals(0, namespaces.exitCode(), "kubectl get ns failed: " + namespaces.stderr());
        assertTrue(
                namespaces.stdout().lines().toList().containsAll(List.of("namespace/default", "namespace/kube-system")),
                namespaces.stdout());

        Commands.CommandResult routes = run(List.of(
                kubectl.toString(),
                "--kubeconfig",
                cluster.kubeconfig().toString(),
                "get",
                "ingressroutes.traefik.io",
                "--all-namespaces",
                "-o",
                "name"));
        assertEquals(0, routes.exitCode(), "kubectl get ingressroutes failed: " + routes.stderr());
        assertFalse(routes.stderr().contains("error"), routes.stderr());
    }

    private static String condition(CustomResourceDefinition crd, String type) {
        return crd.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .map(c -> c.getStatus())
                .findFirst()
                .orElse("(missing)");
    }

    private static boolean isLoopback(String host) {
        try {
            return !host.equals("*") && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
