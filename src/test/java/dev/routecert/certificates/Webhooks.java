package dev.routecert.certificates;

import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.config.ServeConfig;
import dev.routecert.health.Readiness;
import dev.routecert.http.RoutecertServer;
import dev.routecert.http.ServerMetrics;
import dev.routecert.http.TestServer;
import dev.routecert.kube.ClusterFixture;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Other webhooks next to routecert in the ITs: stub admission servers (routecert's own HTTPS server
 * with a test policy behind it) and their registrations, limited to labelled namespaces and removed on close.
 */
public final class Webhooks {

    /** The name of the object that tells when the API server calls a new registration; stubs admit it. */
    private static final String PROBE = "registration-probe";

    /** The rules of a registration, and an object they match. */
    public record Rules(List<RuleWithOperations> rules, String probe) {}

    public static final Rules ROUTES = new Rules(
            List.of(
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
                            .build()),
            """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: %s}
            spec: {rules: [{host: probe.example.com}]}
            """.formatted(PROBE));
    public static final Rules CERTIFICATES = new Rules(
            List.of(new RuleWithOperationsBuilder()
                    .withApiGroups("cert-manager.io")
                    .withApiVersions("v1")
                    .withResources("certificates")
                    .withOperations("CREATE", "UPDATE")
                    .withScope("Namespaced")
                    .build()),
            """
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata: {name: %s}
            spec:
              secretName: %s
              dnsNames: [probe.example.com]
              issuerRef: {name: test-ca, kind: ClusterIssuer}
            """.formatted(PROBE, PROBE));

    private Webhooks() {}

    /** Registers {@code stub} for {@code rules} in namespaces with {@code namespaceLabels}, until the API server calls it. */
    public static void validating(
            ClusterFixture fixture,
            String name,
            Stub stub,
            Rules rules,
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
                .withUrl(stub.url("/validate"))
                .withCaBundle(stub.caBundle())
                .endClientConfig()
                .withNewNamespaceSelector()
                .withMatchLabels(namespaceLabels)
                .endNamespaceSelector()
                .withRules(rules.rules())
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
        awaitCalled(fixture, name, stub, rules, namespaceLabels);
    }

    /**
     * The API server takes a new registration up asynchronously: dry-run the probe object in a
     * namespace the registration selects until the stub has seen it.
     */
    private static void awaitCalled(
            ClusterFixture fixture, String name, Stub stub, Rules rules, Map<String, String> namespaceLabels) {
        String namespace = fixture.namespace("probe");
        namespaceLabels.forEach((key, value) -> fixture.label(namespace, key, value));
        GenericKubernetesResource probe = fixture.parse(rules.probe());
        probe.getMetadata().setNamespace(namespace);
        ClusterFixture.await(
                "the API server to call the webhook " + name,
                Duration.ofSeconds(30),
                () -> {
                    fixture.client.resource(probe).dryRun().create();
                    return stub.probed.get();
                },
                probed -> probed);
    }

    /** An HTTPS admission server answering with {@code policy}, on 127.0.0.1. */
    public static final class Stub implements AutoCloseable {
        private final RoutecertServer server;
        private final String pem;
        private final AtomicBoolean probed = new AtomicBoolean();

        /** A stub answering with {@code policy}; the registration probe it admits without asking the policy. */
        public Stub(AdmissionPolicy policy) {
            AdmissionPolicy answering = request -> {
                if (request.name().equals(PROBE)) {
                    probed.set(true);
                    return AdmissionDecision.allow();
                }
                return policy.review(request);
            };
            ServingCertificate certificate = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
            this.pem = SelfSignedCertificates.certificatePem(certificate);
            ServeConfig config = TestServer.defaults().toBuilder()
                    .certReloadInterval(Duration.ofSeconds(10))
                    .requestReadTimeout(Duration.ofSeconds(10))
                    .shutdown(Duration.ZERO, Duration.ofSeconds(1))
                    .build();
            Readiness readiness = new Readiness();
            this.server = new RoutecertServer(
                            config,
                            new FixedCertificateSource(certificate),
                            answering,
                            answering,
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
