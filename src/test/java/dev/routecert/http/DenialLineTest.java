package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.routecert.admission.AdmissionDecision;
import dev.routecert.admission.AdmissionDecision.Cause;
import java.util.List;
import org.junit.jupiter.api.Test;

class DenialLineTest {

    @Test
    void aDenialNamesEachCausesCheckAndField() {
        AdmissionDecision denied = AdmissionDecision.denied(
                "2 problems",
                List.of(
                        new Cause(
                                "spec.tls[0].hosts",
                                "[tls-covers-hosts] shop.example.com is not covered",
                                "FieldValueInvalid"),
                        new Cause("", "and 3 more", "TooMany")),
                List.of());
        assertEquals("[tls-covers-hosts]@spec.tls[0].hosts,[TooMany]", AdmissionEndpoint.denial(denied));
    }

    @Test
    void anAllowedOrErroredReviewHasNone() {
        assertNull(AdmissionEndpoint.denial(AdmissionDecision.allow()));
        assertNull(AdmissionEndpoint.denial(AdmissionDecision.errored(400, "bad")));
    }
}
