package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.certificates.WriteGuard;
import dev.routecert.config.GuardOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The guard in front of both endpoints: excluded namespaces untouched, forged namespaces denied, the rest passed on. */
class NamespaceGuardTest {

    private final List<String> reached = new ArrayList<>();
    private final AdmissionPolicy next = request -> {
        reached.add(request.uid());
        return AdmissionDecision.allow(List.of("judged"));
    };
    private final WriteGuard byName = new WriteGuard(
            GuardOptions.DEFAULT_EXCLUDED_NAMESPACES,
            GuardOptions.DEFAULT_EXEMPT_NAMESPACE_LABEL,
            WriteGuard.NamespaceLabels.NONE);

    private static AdmissionRequest ingress(String uid, String requestNamespace, String objectNamespace) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        ObjectNode meta = object.putObject("metadata").put("name", "web");
        if (objectNamespace != null) {
            meta.put("namespace", objectNamespace);
        }
        object.putObject("spec").putArray("rules").addObject().put("host", "web.example.com");
        return new AdmissionRequest(
                uid,
                "networking.k8s.io",
                "v1",
                "Ingress",
                "ingresses",
                "",
                "web",
                requestNamespace,
                "CREATE",
                "mallory",
                false,
                object,
                null);
    }

    @Test
    void anExcludedNamespaceIsAllowedUntouchedWithoutReachingThePolicy() throws Exception {
        for (String namespace : GuardOptions.DEFAULT_EXCLUDED_NAMESPACES) {
            AdmissionDecision decision =
                    new NamespaceGuard(byName, next).review(ingress("u-" + namespace, namespace, namespace));
            assertTrue(decision.allowed());
            assertNull(decision.patch());
            assertEquals(List.of(), decision.warnings());
        }
        assertEquals(List.of(), reached);
    }

    @Test
    void theExemptLabelExcludesWhenNamespaceLabelsAreKnown() throws Exception {
        WriteGuard withLabels = byName.withNamespaceLabels(namespace -> namespace.equals("legacy")
                ? Optional.of(Map.of(GuardOptions.DEFAULT_EXEMPT_NAMESPACE_LABEL, "false"))
                : Optional.of(Map.of()));
        assertTrue(withLabels.readsLabels());
        assertFalse(byName.readsLabels());
        NamespaceGuard guard = new NamespaceGuard(withLabels, next);
        // any value: the registration's selector is DoesNotExist
        assertEquals(
                List.of(), guard.review(ingress("legacy", "legacy", "legacy")).warnings());
        assertEquals(
                List.of("judged"), guard.review(ingress("shop", "shop", "shop")).warnings());
        assertEquals(List.of("shop"), reached);
    }

    @Test
    void anObjectInAnotherNamespaceThanTheRequestIsDeniedWithFieldMessageAndFix() throws Exception {
        AdmissionDecision decision = new NamespaceGuard(byName, next).review(ingress("u1", "shop", "kube-system"));
        assertFalse(decision.allowed());
        assertEquals(403, decision.status().code());
        AdmissionDecision.Cause cause = decision.status().causes().getFirst();
        assertEquals("metadata.namespace", cause.field());
        assertTrue(cause.message().startsWith("[namespace-mismatch] "), cause.message());
        assertTrue(cause.message().contains("kube-system") && cause.message().contains("shop"), cause.message());
        assertTrue(cause.message().contains("(fix: "), cause.message());
        assertEquals(List.of(), reached);
    }

    @Test
    void aRouteReviewWithoutANamespaceIsDenied() throws Exception {
        AdmissionDecision decision = new NamespaceGuard(byName, next).review(ingress("u2", "", null));
        assertFalse(decision.allowed());
        AdmissionDecision.Cause cause = decision.status().causes().getFirst();
        assertTrue(cause.message().startsWith("[namespace-mismatch] "), cause.message());
        assertTrue(cause.message().contains("(fix: "), cause.message());
        assertEquals(List.of(), reached);
    }

    @Test
    void aMatchingOrUnsetObjectNamespaceIsJudged() throws Exception {
        NamespaceGuard guard = new NamespaceGuard(byName, next);
        assertEquals(
                List.of("judged"), guard.review(ingress("same", "shop", "shop")).warnings());
        // the API server may send a CREATE before it fills in metadata.namespace
        assertEquals(
                List.of("judged"), guard.review(ingress("unset", "shop", null)).warnings());
        assertEquals(List.of("same", "unset"), reached);
    }

    @Test
    void aKindRoutecertDoesNotHandleIsPassedOn() throws Exception {
        AdmissionRequest pod =
                new AdmissionRequest("pod", "", "v1", "Pod", "pods", "", "p", "", "CREATE", "u", false, null, null);
        assertTrue(new NamespaceGuard(byName, next).review(pod).allowed());
        assertEquals(List.of("pod"), reached);
    }
}
