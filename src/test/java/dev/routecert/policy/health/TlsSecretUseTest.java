package dev.routecert.policy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.routes.RouteKind;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Secrets an IngressRouteTCP serves its certificate from: its HostSNI names, and none with passthrough. */
class TlsSecretUseTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode route(RouteKind kind, String tls) throws Exception {
        return JSON.readTree("{\"apiVersion\":\"" + kind.apiVersion() + "\",\"kind\":\"IngressRouteTCP\","
                + "\"metadata\":{\"name\":\"db\",\"namespace\":\"data\"},\"spec\":{\"routes\":["
                + "{\"match\":\"HostSNI(`db.example.com`)\"}],\"tls\":" + tls + "}}");
    }

    @ParameterizedTest
    @EnumSource(
            value = RouteKind.class,
            names = {"INGRESS_ROUTE_TCP", "INGRESS_ROUTE_TCP_LEGACY"})
    void aTerminatingTcpRouteServesItsSecretForItsHostSniNamesAndPassthroughServesNone(RouteKind kind)
            throws Exception {
        assertEquals(
                List.of(new TlsSecretUse("db-tls", "spec.tls.secretName", List.of("db.example.com"))),
                TlsSecretUse.of(kind, route(kind, "{\"secretName\":\"db-tls\"}"), RuleSyntax.V3));
        assertEquals(
                List.of(),
                TlsSecretUse.of(kind, route(kind, "{\"secretName\":\"db-tls\",\"passthrough\":true}"), RuleSyntax.V3));
    }
}
