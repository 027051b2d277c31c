package dev.routecert.policy.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.routecert.routes.ObjectMetaView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OptOutTest {

    private static final OptOutPolicy NOT_IN_STRICT = ns -> !ns.equals("strict");

    private static ObjectMetaView meta(Map<String, String> annotations) {
        return new ObjectMetaView("r", null, "ns", annotations, List.of());
    }

    @Test
    void onlyTheExactValueTrueOptsOut() {
        assertEquals(OptOut.Decision.NONE, OptOut.decide(meta(Map.of()), "web", OptOutPolicy.ALLOWED));
        assertEquals(
                OptOut.Decision.SKIPPED,
                OptOut.decide(meta(Map.of(OptOut.ANNOTATION, "true")), "web", OptOutPolicy.ALLOWED));
        for (String other : List.of("True", "yes", "1", "", " true")) {
            assertEquals(
                    OptOut.Decision.NOT_TRUE,
                    OptOut.decide(meta(Map.of(OptOut.ANNOTATION, other)), "web", OptOutPolicy.ALLOWED),
                    other);
        }
    }

    @Test
    void aNamespaceThatForbidsOptingOutChecksTheObjectAndSaysSo() {
        ObjectMetaView ignored = meta(Map.of(OptOut.ANNOTATION, "true"));
        assertEquals(OptOut.Decision.SKIPPED, OptOut.decide(ignored, "web", NOT_IN_STRICT));
        OptOut.Decision forbidden = OptOut.decide(ignored, "strict", NOT_IN_STRICT);
        assertEquals(OptOut.Decision.FORBIDDEN, forbidden);
        assertEquals(
                Optional.of("metadata.annotations[routecert.dev/ignore]: routecert.dev/ignore is not allowed in"
                        + " namespace strict; routecert checks this object"),
                OptOut.warning(forbidden, ignored, "strict"));
    }

    @Test
    void anotherValueIsWarnedAboutWithItsValueShortenedAndEscaped() {
        ObjectMetaView yes = meta(Map.of(OptOut.ANNOTATION, "yes\n"));
        assertEquals(
                Optional.of("metadata.annotations[routecert.dev/ignore]: only \"true\" opts out, so routecert checks"
                        + " this object (the value is \"yes?\")"),
                OptOut.warning(OptOut.Decision.NOT_TRUE, yes, "web"));
        assertEquals(Optional.empty(), OptOut.warning(OptOut.Decision.SKIPPED, yes, "web"));
        assertEquals(Optional.empty(), OptOut.warning(OptOut.Decision.NONE, yes, "web"));
    }
}
