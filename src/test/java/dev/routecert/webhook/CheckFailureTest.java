package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.certificates.CertificateStore;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.ExistingCertificate;
import dev.routecert.certificates.FakeCertificateStore;
import dev.routecert.certificates.IssuerInfo;
import dev.routecert.certificates.SecretState;
import dev.routecert.certificates.StoreException;
import dev.routecert.config.CertificateOptions;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.Violation;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A check that throws instead of answering: the review is denied with a cause that says so, never
 * answered with code 500. The failures are forced from outside the checks (an object whose spec
 * cannot be read, an issuer lookup that throws), as a bug in any check would fail.
 */
class CheckFailureTest {

    private static final RoutePolicy POLICY =
            new RoutePolicy(PolicyConfig.defaults().withDefaultIssuer("letsencrypt", "ClusterIssuer"));

    /** An Ingress whose spec throws when read. */
    private static ObjectNode brokenSpec() {
        ObjectNode object = new ObjectNode(JsonNodeFactory.instance) {
            @Override
            public JsonNode get(String field) {
                if (field.equals("spec")) {
                    throw new IllegalStateException("spec\nunreadable");
                }
                return super.get(field);
            }

            @Override
            public JsonNode path(String field) {
                JsonNode value = get(field);
                return value == null ? MissingNode.getInstance() : value;
            }
        };
        object.put("apiVersion", "networking.k8s.io/v1").put("kind", "Ingress");
        object.putObject("metadata").put("name", "shop").put("namespace", "web");
        return object;
    }

    private static AdmissionRequest request(JsonNode object) {
        return new AdmissionRequest(
                "r-1",
                "networking.k8s.io",
                "v1",
                "Ingress",
                "ingresses",
                "",
                "shop",
                "web",
                "CREATE",
                "alice",
                false,
                object,
                null);
    }

    private static void assertDeniedAsACheckFailure(AdmissionDecision decision, String field) {
        assertFalse(decision.allowed());
        assertEquals(403, decision.status().code(), decision.status().message());
        AdmissionDecision.Cause cause = decision.status().causes().getFirst();
        assertEquals(field, cause.field());
        assertEquals(Violation.INTERNAL, cause.reason());
        assertTrue(cause.message().contains("a check failed with IllegalStateException"), cause.message());
    }

    @Test
    void aThrowingPolicyCheckIsADenialInEveryMode() throws Exception {
        for (RouteAdmission.Mode mode : RouteAdmission.Mode.values()) {
            assertDeniedAsACheckFailure(new RouteAdmission(POLICY, mode).review(request(brokenSpec())), "spec");
        }
        CertificateAdmission withCertificates =
                new CertificateAdmission(POLICY, new FakeCertificateStore(), CertificateOptions.defaults());
        assertDeniedAsACheckFailure(withCertificates.review(request(brokenSpec())), "spec");
    }

    @Test
    void aThrowingCertificateCheckIsADenialOfThatCertificatesField() throws Exception {
        ObjectNode ingress = new ObjectNode(JsonNodeFactory.instance);
        ingress.put("apiVersion", "networking.k8s.io/v1").put("kind", "Ingress");
        ingress.putObject("metadata").put("name", "shop").put("namespace", "web");
        ObjectNode spec = ingress.putObject("spec");
        spec.putArray("rules").addObject().set("host", TextNode.valueOf("shop.example.com"));
        ObjectNode tls = spec.putArray("tls").addObject().put("secretName", "shop-tls");
        tls.putArray("hosts").add("shop.example.com");
        FakeCertificateStore fake = new FakeCertificateStore();
        CertificateAdmission admission =
                new CertificateAdmission(POLICY, issuerLookupThrows(fake), CertificateOptions.defaults());
        assertDeniedAsACheckFailure(admission.review(request(ingress)), "spec.tls[0].secretName");
        assertEquals(List.of(), fake.writes);
    }

    private static CertificateStore issuerLookupThrows(FakeCertificateStore fake) {
        return new CertificateStore() {
            @Override
            public Optional<ExistingCertificate> cachedCertificate(String namespace, String name) {
                return fake.cachedCertificate(namespace, name);
            }

            @Override
            public List<JsonNode> cachedCertificatesWriting(String namespace, String secretName) {
                return fake.cachedCertificatesWriting(namespace, secretName);
            }

            @Override
            public Optional<IssuerInfo> cachedIssuer(String kind, String namespace, String name) {
                throw new IllegalStateException("issuer cache broke");
            }

            @Override
            public Optional<ExistingCertificate> readCertificate(String namespace, String name, Deadline deadline)
                    throws StoreException {
                return fake.readCertificate(namespace, name, deadline);
            }

            @Override
            public List<JsonNode> readCertificatesWriting(String namespace, String secretName, Deadline deadline)
                    throws StoreException {
                return fake.readCertificatesWriting(namespace, secretName, deadline);
            }

            @Override
            public SecretState readSecret(String namespace, String name, Deadline deadline) throws StoreException {
                return fake.readSecret(namespace, name, deadline);
            }

            @Override
            public ExistingCertificate create(ObjectNode certificate, Deadline deadline) throws StoreException {
                return fake.create(certificate, deadline);
            }

            @Override
            public ExistingCertificate apply(ObjectNode certificate, String resourceVersion, Deadline deadline)
                    throws StoreException {
                return fake.apply(certificate, resourceVersion, deadline);
            }

            @Override
            public void delete(String namespace, String name, String uid, Deadline deadline) throws StoreException {
                fake.delete(namespace, name, uid, deadline);
            }
        };
    }
}
