package dev.routecert.certificates;

import static dev.routecert.kube.ClusterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.ServedJar;
import dev.routecert.admission.ApiServerReviews;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.routes.RouteKind;
import dev.routecert.tls.TestPki;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two replicas of the packaged jar against one API server: both answer admission reviews, exactly
 * one (the Lease holder) reconciles, and when it is killed (SIGKILL, no release) the other takes over.
 */
class LeaderElectionIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE = KubeClusterExtension.withFixture().withClusterIssuers();

    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ClusterFixture fixture;
    private static String ns;
    private static String leaseNs;

    @BeforeAll
    static void setUp() {
        fixture = KUBE.fixture();
        ns = fixture.namespace("replicas");
        leaseNs = fixture.namespace("lease");
    }

    /** One {@code routecert serve} process, named by its HOSTNAME. */
    private static final class Replica implements AutoCloseable {
        final String host;
        final ServedJar served;
        final HttpClient https;

        Replica(String host, Path dir) throws Exception {
            this.host = host;
            Path pem = dir.resolve(host + ".pem");
            served = new ServedJar(
                    Map.of("HOSTNAME", host),
                    List.of(
                            "--self-signed-cert-out",
                            pem.toString(),
                            "--kubeconfig",
                            fixture.cluster.kubeconfig().toString(),
                            "--leader-election-namespace",
                            leaseNs,
                            "--leader-election-lease-name",
                            "routecert",
                            "--leader-election-lease-duration",
                            LEASE.toSeconds() + "s",
                            "--claims-namespace",
                            leaseNs));
            X509Certificate certificate;
            try (InputStream in = Files.newInputStream(pem)) {
                certificate = (X509Certificate)
                        CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            https = HttpClient.newBuilder()
                    .sslContext(TestPki.trusting(certificate))
                    .build();
            awaitLog("caches: certificates.cert-manager.io synced");
        }

        String awaitLog(String fragment) {
            return served.awaitLog(fragment, Duration.ofSeconds(60));
        }

        boolean logged(String fragment) {
            return served.logged(fragment);
        }

        JsonNode mutate(JsonNode review) throws Exception {
            HttpResponse<String> response = https.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + served.securePort + "/mutate"))
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(15))
                            .POST(HttpRequest.BodyPublishers.ofString(review.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return JSON.readTree(response.body()).path("response");
        }

        void kill() throws InterruptedException {
            served.kill(); // SIGKILL: no shutdown hook, the Lease is not released
        }

        @Override
        public void close() throws InterruptedException {
            served.close();
        }
    }

    private static String holder() {
        Lease lease = fixture.client
                .leases()
                .inNamespace(leaseNs)
                .withName("routecert")
                .get();
        return lease == null || lease.getSpec().getHolderIdentity() == null
                ? ""
                : lease.getSpec().getHolderIdentity();
    }

    private static JsonNode review(String name) {
        JsonNode object = fixture.json(fixture.parse("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s, namespace: %s, annotations: {cert-manager.io/cluster-issuer: test-ca}}
                spec:
                  rules: [{host: %s.example.com}]
                  tls: [{hosts: [%s.example.com], secretName: %s-tls}]
                """.formatted(name, ns, name, name, name)));
        return ApiServerReviews.of(RouteKind.INGRESS)
                .uid(UUID.randomUUID().toString())
                .namespace(ns)
                .name(name)
                .object(object)
                .tree();
    }

    /** Creates a route without any webhook, so only a reconciler can give it its Certificate; returns the reporting instance. */
    private static String reconciledBy(String name) {
        fixture.create("""
                apiVersion: traefik.io/v1alpha1
                kind: IngressRoute
                metadata: {name: %s, namespace: %s, annotations: {cert-manager.io/cluster-issuer: test-ca}}
                spec:
                  routes: [{match: "Host(`%s.example.com`)", services: [{name: web, port: 80}]}]
                  tls: {secretName: %s-tls}
                """.formatted(name, ns, name, name));
        await(
                "Certificate " + name + "-tls created by the reconciler",
                Duration.ofSeconds(30),
                () -> fixture.certificate(ns, name + "-tls").get(),
                c -> c != null);
        return await(
                "a CertificateCreated Event on " + name,
                Duration.ofSeconds(30),
                () -> fixture.client.events().v1().events().inNamespace(ns).list().getItems().stream()
                        .filter(e ->
                                name.equals(e.getRegarding().getName()) && "CertificateCreated".equals(e.getReason()))
                        .map(e -> e.getReportingInstance())
                        .findFirst()
                        .orElse(null),
                instance -> instance != null);
    }

    @Test
    void bothReplicasAdmitOneReconcilesAndTheOtherTakesOverWhenItIsKilled(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        try (Replica a = new Replica("replica-a", dir);
                Replica b = new Replica("replica-b", dir)) {
            // both admit, and write the same Certificate once
            JsonNode fromA = a.mutate(review("both"));
            JsonNode fromB = b.mutate(review("both"));
            assertTrue(
                    fromA.path("allowed").asBoolean() && fromB.path("allowed").asBoolean(), fromA + " " + fromB);
            assertNotNull(fixture.certificate(ns, "both-tls").get());

            String leaderIdentity =
                    await("a Lease holder", Duration.ofSeconds(30), LeaderElectionIT::holder, h -> !h.isEmpty());
            Replica leader = leaderIdentity.startsWith("replica-a-") ? a : b;
            Replica follower = leader == a ? b : a;
            assertTrue(leaderIdentity.startsWith(leader.host + "-"), leaderIdentity);
            leader.awaitLog("leads; reconciling");
            assertTrue(!follower.logged("leads; reconciling"), "the follower must not reconcile");
            assertEquals(leaderIdentity, reconciledBy("first"), "the Lease holder records the Events");
            assertTrue(!follower.logged("reconciler: created"), "only the leader writes");

            long killed = System.nanoTime();
            leader.kill();
            String newHolder = await(
                    "the follower takes the Lease",
                    Duration.ofSeconds(30),
                    LeaderElectionIT::holder,
                    h -> h.startsWith(follower.host + "-"));
            follower.awaitLog("leads; reconciling");
            System.out.printf(
                    "leader killed; %s took over after %d ms (lease %s)%n",
                    newHolder, (System.nanoTime() - killed) / 1_000_000, LEASE);
            assertEquals(newHolder, reconciledBy("second"), "the new leader reconciles");
        }
    }
}
