package dev.routecert.certificates;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.config.ServeConfig;
import dev.routecert.http.Readiness;
import dev.routecert.http.RoutecertServer;
import dev.routecert.http.ServerMetrics;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Other webhooks next to routecert in the ITs: stub admission servers (routecert's own HTTPS server
 * with a test policy behind it) and their registrations, limited to labelled namespaces and removed on close.
 */
public final class Webhooks {

    public static final List<RuleWithOperations> ROUTES = List.of(
            new RuleWithOperationsBuilder()
                    .withApiGroups("networking.k8s.io")
                    .withApiVersions("v1")
                    .withResources("ingresses")
                    .withOperations("CREATE", "UPDATE")
                    .withScope("Namespaced")
                    .build(),
            new RuleWithOperationsBuilder()
                    .withApiGroups("traefik.io", "traefik.containo.us")
                    .withApiVersions("v1alpha1")
                    .withResources("ingressroutes")
                    .withOperations("CREATE", "UPDATE")
                    .withScope("Namespaced")
                    .build());
    public static final List<RuleWithOperations> CERTIFICATES = List.of(new RuleWithOperationsBuilder()
            .withApiGroups("cert-manager.io")
            .withApiVersions("v1")
            .withResources("certificates")
            .withOperations("CREATE", "UPDATE")
            .withScope("Namespaced")
            .build());

    private Webhooks() {}

    public static void validating(
            ClusterFixture fixture,
            String name,
            String url,
            String caBundle,
            List<RuleWithOperations> rules,
            int timeoutSeconds,
            String sideEffects,
            Map<String, String> namespaceLabels) {
        ValidatingWebhookConfiguration config = new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addNewWebhook()
                .withName("validate." + name + ".routecert.dev")
                .withAdmissionReviewVersions("v1")
                .withSideEffects(sideEffects)
                .withFailurePolicy("Fail")
                .withTimeoutSeconds(timeoutSeconds)
                .withMatchPolicy("Equivalent")
                .withNewClientConfig()
                .withUrl(url)
                .withCaBundle(caBundle)
                .endClientConfig()
                .withNewNamespaceSelector()
                .withMatchLabels(namespaceLabels)
                .endNamespaceSelector()
                .withRules(rules)
                .endWebhook()
                .build();
        fixture.client
                .admissionRegistration()
                .v1()
                .validatingWebhookConfigurations()
                .resource(config)
                .create();
        fixture.onClose(() -> fixture.client
                .admissionRegistration()
                .v1()
                .validatingWebhookConfigurations()
                .withName(name)
                .delete());
        awaitRegistered();
    }

    /** The API server picks up webhook configurations through an informer: give it a moment. */
    private static void awaitRegistered() {
        ClusterFixture.sleep(1_500);
    }

    /** An HTTPS admission server answering with {@code policy}, on 127.0.0.1. */
    public static final class Stub implements AutoCloseable {
        private final RoutecertServer server;
        private final String pem;

        public Stub(AdmissionPolicy policy) {
            ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
            this.pem = SelfSignedCertificates.certificatePem(certificate);
            ServeConfig config = new ServeConfig(
                    "127.0.0.1",
                    0,
                    0,
                    null,
                    null,
                    null,
                    Duration.ofSeconds(10),
                    7L * 1024 * 1024,
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(120),
                    Duration.ZERO,
                    Duration.ofSeconds(1),
                    ServeConfig.KubernetesMode.OFF,
                    null);
            Readiness readiness = new Readiness();
            this.server = new RoutecertServer(
                            config,
                            new FixedCertificateSource(certificate),
                            policy,
                            policy,
                            readiness,
                            new ServerMetrics())
                    .start();
        }

        public String url(String path) {
            return "https://127.0.0.1:" + server.securePort() + path;
        }

        public String caBundle() {
            return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
