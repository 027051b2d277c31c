package dev.routecert.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.WriteGuard;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.routes.RouteKind;
import dev.routecert.tenancy.FakeHostClaimStore;
import dev.routecert.tenancy.HostOwnership;
import dev.routecert.time.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The leader writes a stored route's DNSEndpoint only where admission would have written it. */
class RouteJudgeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeHostClaimStore claims = new FakeHostClaimStore();
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RouteJudge judge = RouteJudge.of(
            new RoutePolicy(PolicyConfig.defaults()),
            new HostOwnership(claims, key -> List.of(), SharedHosts.NEVER, RuleSyntax.V3),
            new WriteGuard(Set.of("kube-system"), "", WriteGuard.NamespaceLabels.NONE));

    private static ObjectNode route(String namespace, String match) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute",
                 "metadata":{"name":"web","namespace":"%s","uid":"u-web","creationTimestamp":"2025-06-01T00:00:00Z"},
                 "spec":{"entryPoints":["websecure"],
                         "routes":[{"match":"%s","kind":"Rule","services":[{"name":"web","port":80}]}]}}""".formatted(namespace, match));
    }

    private RouteJudge.Judgement judge(JsonNode route) {
        return judge.judge(RouteKind.INGRESS_ROUTE, route, Deadline.in(Duration.ofSeconds(3), clock));
    }

    @Test
    void anAllowedRouteWhoseNamesAreFreeIsWrittenAndNothingIsClaimedOnTheWay() throws Exception {
        assertEquals(RouteJudge.Judgement.WRITE, judge(route("shop", "Host(`web.example.com`)")));
        assertEquals(0, claims.stored().size(), "claiming a stored route's names is the claim reconciler's");
    }

    @Test
    void aNameAnotherNamespaceHoldsIsWithdrawnAndOneItsOwnNamespaceHoldsIsNot() throws Exception {
        claims.put("web.example.com", "bank");
        RouteJudge.Judgement judged = judge(route("shop", "Host(`web.example.com`)"));
        assertEquals(RouteJudge.Outcome.WITHDRAW, judged.outcome());
        assertTrue(judged.why().contains("web.example.com"), judged.why());
        assertEquals(RouteJudge.Judgement.WRITE, judge(route("bank", "Host(`web.example.com`)")));
    }

    @Test
    void aRouteThePolicyWouldDenyIsRefused() throws Exception {
        RouteJudge.Judgement judged = judge(route("shop", "Host(`web.example.com`"));
        assertEquals(RouteJudge.Outcome.REFUSE, judged.outcome());
        assertTrue(judged.why().contains("spec.routes[0].match"), judged.why());
    }

    @Test
    void optedOutRoutesAreLeftAloneAndExcludedOrTerminatingOnesUntouched() throws Exception {
        ObjectNode optedOut = route("shop", "Host(`web.example.com`)");
        ((ObjectNode) optedOut.get("metadata")).putObject("annotations").put("routecert.dev/ignore", "true");
        assertEquals(RouteJudge.Outcome.LEAVE, judge(optedOut).outcome());

        assertEquals(
                RouteJudge.Outcome.HANDS_OFF,
                judge(route("kube-system", "Host(`web.example.com`)")).outcome());

        ObjectNode terminating = route("shop", "Host(`web.example.com`)");
        ((ObjectNode) terminating.get("metadata")).put("deletionTimestamp", "2026-01-01T00:00:00Z");
        assertEquals(RouteJudge.Outcome.HANDS_OFF, judge(terminating).outcome());
    }

    @Test
    void anOptedOutRouteIsStillHeldToHostOwnership() throws Exception {
        claims.put("web.example.com", "bank");
        ObjectNode optedOut = route("shop", "Host(`web.example.com`)");
        ((ObjectNode) optedOut.get("metadata")).putObject("annotations").put("routecert.dev/ignore", "true");
        assertEquals(RouteJudge.Outcome.WITHDRAW, judge(optedOut).outcome());
    }
}
