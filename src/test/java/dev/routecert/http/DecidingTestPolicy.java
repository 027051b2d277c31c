package dev.routecert.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionRequest;
import java.util.List;

/**
 * A policy for boundary tests: the object's annotation {@code test.routecert.dev/decision} picks the
 * outcome, so one server exercises every kind of answer the boundary must encode.
 */
final class DecidingTestPolicy implements AdmissionPolicy {

    @Override
    public AdmissionDecision review(AdmissionRequest request) {
        String decision = request.object() == null
                ? ""
                : request.object()
                        .path("metadata")
                        .path("annotations")
                        .path("test.routecert.dev/decision")
                        .asText("");
        return switch (decision) {
            case "deny" ->
                AdmissionDecision.denied(
                        "2 problems with this route",
                        List.of(
                                new AdmissionDecision.Cause(
                                        "spec.rules[0].host", "not covered by spec.tls[0].hosts", "FieldValueInvalid"),
                                new AdmissionDecision.Cause(
                                        "spec.tls[1].secretName", "used twice", "FieldValueDuplicate")),
                        List.of("spec.tls[0].hosts[1]: b.example.com is not served"));
            case "warn" -> AdmissionDecision.allow(List.of("first warning", "second warning"));
            case "patch" -> {
                var patch = JsonNodeFactory.instance.arrayNode();
                patch.addObject()
                        .put("op", "add")
                        .put("path", "/metadata/labels")
                        .set("value", JsonNodeFactory.instance.objectNode().put("patched", "yes"));
                yield AdmissionDecision.patched(patch, List.of());
            }
            case "empty-patch" -> AdmissionDecision.patched(JsonNodeFactory.instance.arrayNode(), List.of());
            case "throw" -> throw new IllegalStateException("policy bug");
            default -> AdmissionDecision.allow();
        };
    }
}
