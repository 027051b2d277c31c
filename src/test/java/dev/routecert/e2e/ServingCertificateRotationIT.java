package dev.routecert.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.Commands.CommandResult;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import dev.routecert.tls.TestPki;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The certificate story of {@code manifests/}, rehearsed without cert-manager's binaries: the test
 * plays cert-manager (a CA issues the serving pair into a folder laid out like the Secret volume the
 * Deployment mounts) and cainjector (the CA in the registrations' caBundle, as {@link WebhookUnderTest}
 * registers them), then renews the leaf as cert-manager does before it expires: same CA, new key, new
 * serial. The API server keeps calling routecert through the registrations manifests/ ships while
 * {@code kubectl apply} runs in a loop, and not one call fails.
 */
class ServingCertificateRotationIT {

    private static final int ROTATIONS = 2;
    /** kubectl applies before the first renewal, between renewals and after the last. */
    private static final int APPLIES_PER_PHASE = 8;

    @RegisterExtension
    static final KubeClusterExtension KUBE =
            KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults());

    @Test
    void leafRenewalsUnderAStableCaNeverFailAnApplyAndNeverChangeTheBundle() throws Exception {
        WebhookUnderTest webhook = KUBE.routecert();
        String namespace = webhook.namespace("rotation");
        List<String> bundles = caBundles(webhook);
        BigInteger firstSerial = servedLeaf(webhook).getSerialNumber();

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger applies = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService loops = Executors.newFixedThreadPool(2);
        List<Future<?>> futures = new ArrayList<>();
        for (int loop = 0; loop < 2; loop++) {
            int id = loop;
            futures.add(loops.submit(() -> {
                for (int i = 0; running.get(); i++) {
                    try {
                        CommandResult result =
                                webhook.kubectl(ingress("rotation-" + id, i), "apply", "-n", namespace, "-f", "-");
                        applies.incrementAndGet();
                        if (result.exitCode() != 0) {
                            failures.add(result.output());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
                return null;
            }));
        }

        List<BigInteger> served = new ArrayList<>(List.of(firstSerial));
        for (int rotation = 0; rotation < ROTATIONS; rotation++) {
            awaitApplies(applies, applies.get() + APPLIES_PER_PHASE, failures);
            TestPki.Issued renewed = webhook.pki().issue(TestPki.KeyFormat.EC_SEC1);
            webhook.servingCertificateVolume().write(renewed);
            served.add(awaitServed(webhook, renewed.serial()));
        }
        awaitApplies(applies, applies.get() + APPLIES_PER_PHASE, failures);
        running.set(false);
        for (Future<?> future : futures) {
            future.get(120, TimeUnit.SECONDS);
        }
        loops.shutdown();

        System.out.printf(
                "%d kubectl applies through the API server across %d leaf renewals (serials %s), %d failed%n",
                applies.get(), ROTATIONS, served, failures.size());
        assertEquals(List.of(), List.copyOf(failures), "applies failed while the leaf was renewed");
        assertTrue(
                applies.get() >= APPLIES_PER_PHASE * (ROTATIONS + 1),
                "too few applies to show anything: " + applies.get());
        assertEquals(ROTATIONS + 1, served.stream().distinct().count(), "each renewal served a new serial: " + served);
        assertEquals(
                served.getLast(),
                servedLeaf(webhook).getSerialNumber(),
                "the last renewal is what the server presents");
        assertEquals(
                bundles, caBundles(webhook), "a leaf renewal under the same CA leaves caBundle as cainjector set it");

        // The API server verifies the renewed leaf with that unchanged bundle on a connection it opens
        // now: a registration for localhost (not 127.0.0.1) cannot reuse a pooled connection.
        assertNotEquals(firstSerial, served.getLast());
        verifiedOnANewConnection(webhook, namespace, bundles.getFirst());
    }

    /**
     * An Ingress whose TLS covers its host and names no issuer: both webhooks admit it and routecert
     * writes nothing to the cluster. The annotation changes on each apply, so each one is a real write.
     */
    private static String ingress(String name, int generation) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  annotations: {example.com/generation: "%d"}
                spec:
                  tls: [{hosts: [%s.example.com], secretName: %s-tls}]
                  rules:
                    - host: %s.example.com
                      http:
                        paths:
                          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                """.formatted(name, generation, name, name, name);
    }

    private static List<String> caBundles(WebhookUnderTest webhook) {
        var admission = webhook.admin().admissionRegistration().v1();
        List<String> bundles = new ArrayList<>();
        admission
                .mutatingWebhookConfigurations()
                .withName(webhook.webhookConfigurationName())
                .get()
                .getWebhooks()
                .forEach(w -> bundles.add(w.getClientConfig().getCaBundle()));
        admission
                .validatingWebhookConfigurations()
                .withName(webhook.webhookConfigurationName())
                .get()
                .getWebhooks()
                .forEach(w -> bundles.add(w.getClientConfig().getCaBundle()));
        assertEquals(1, bundles.stream().distinct().count(), "one CA for every webhook: " + bundles);
        return bundles;
    }

    /** The leaf a fresh TLS handshake with routecert gets, verified against the test CA. */
    private static X509Certificate servedLeaf(WebhookUnderTest webhook) throws Exception {
        try (SSLSocket socket = (SSLSocket) webhook.pki()
                .clientContext("TLS")
                .getSocketFactory()
                .createSocket("127.0.0.1", webhook.routecert().securePort())) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static BigInteger awaitServed(WebhookUnderTest webhook, BigInteger serial) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        BigInteger seen = null;
        while (System.nanoTime() < deadline) {
            seen = servedLeaf(webhook).getSerialNumber();
            if (seen.equals(serial)) {
                return seen;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("routecert still serves " + seen + ", not the renewed " + serial);
    }

    private static void awaitApplies(AtomicInteger applies, int target, ConcurrentLinkedQueue<String> failures)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (applies.get() < target && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(applies.get() >= target, "the apply loops stalled at " + applies.get() + "; failures: " + failures);
    }

    private static void verifiedOnANewConnection(WebhookUnderTest webhook, String namespace, String caBundle)
            throws Exception {
        String name = webhook.webhookConfigurationName() + "-renewed";
        String runLabel = webhook.admin()
                .namespaces()
                .withName(namespace)
                .get()
                .getMetadata()
                .getLabels()
                .get(WebhookUnderTest.RUN_LABEL);
        ValidatingWebhookConfiguration renewed = new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addNewWebhook()
                .withName("renewed.routecert.dev")
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .withFailurePolicy("Fail")
                .withTimeoutSeconds(10)
                .withNewClientConfig()
                .withUrl("https://localhost:" + webhook.routecert().securePort() + "/validate")
                .withCaBundle(caBundle)
                .endClientConfig()
                .withNamespaceSelector(new LabelSelectorBuilder()
                        .addToMatchLabels(WebhookUnderTest.RUN_LABEL, runLabel)
                        .build())
                .addNewRule()
                .withApiGroups("networking.k8s.io")
                .withApiVersions("v1")
                .withResources("ingresses")
                .withOperations("CREATE", "UPDATE")
                .endRule()
                .endWebhook()
                .build();
        var configurations = webhook.admin().admissionRegistration().v1().validatingWebhookConfigurations();
        configurations.resource(renewed).create();
        try {
            // The API server takes up a new registration asynchronously; routecert counts each /validate call.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                double before = validateCalls(webhook);
                CommandResult result =
                        webhook.kubectl(ingress("renewed", 0), "apply", "--dry-run=server", "-n", namespace, "-f", "-");
                assertEquals(
                        0, result.exitCode(), "the API server could not verify the renewed leaf:\n" + result.output());
                if (validateCalls(webhook) - before >= 2) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("the API server never called the new registration");
        } finally {
            configurations.withName(name).delete();
        }
    }

    private static double validateCalls(WebhookUnderTest webhook) {
        double total = 0;
        for (String line : new String(webhook.routecert().metrics().scrape()).split("\n")) {
            if (line.startsWith("controller_runtime_webhook_requests_total{")
                    && line.contains("webhook=\"/validate\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
