package dev.routecert.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.WriteGuard;
import dev.routecert.policy.NamespaceRules;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.scope.ScopeFacts;
import dev.routecert.policy.scope.ScopeSettings;
import dev.routecert.policy.settings.PolicySettings;
import dev.routecert.policy.settings.PolicySnapshot;
import dev.routecert.policy.tenancy.SharedHosts;
import dev.routecert.routes.RouteKind;
import dev.routecert.tenancy.FakeHostClaimStore;
import dev.routecert.tenancy.HostOwnership;
import dev.routecert.time.TestClock;
import dev.routecert.webhook.NamespacePolicies;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The leader writes a stored route's DNSEndpoint only where admission would have written it. */
class RouteJudgeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeHostClaimStore claims = new FakeHostClaimStore();
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final HostOwnership ownership =
            new HostOwnership(claims, key -> List.of(), SharedHosts.NEVER, RuleSyntax.V3);
    private final WriteGuard guard = new WriteGuard(Set.of("kube-system"), "", WriteGuard.NamespaceLabels.NONE);
    private final RouteJudge judge =
            RouteJudge.of(new RoutePolicy(PolicyConfig.defaults()), ownership, guard, namespace -> true);

    /** A judge under a policy file that lets every namespace use only {@code *.allowed.example}. */
    private RouteJudge judgeWithDomains(Predicate<String> labelsKnown) throws Exception {
        PolicySettings.Parsed parsed = PolicySettings.parse(new YAMLMapper().readTree("""
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                tenancy:
                  domains:
                    - namespaceSelector: {}
                      allow: ["*.allowed.example"]
                """));
        assertTrue(parsed.ok(), parsed.problems().toString());
        PolicySnapshot snapshot = new PolicySnapshot(parsed.settings(), "x", "test");
        RoutePolicy policy = new RoutePolicy(
                PolicyConfig.defaults(), ScopeSettings.everything(), ScopeFacts.NONE, (NamespaceRules.Source)
                        new NamespacePolicies(() -> snapshot, NamespacePolicies.NamespaceLabels.NONE));
        return RouteJudge.of(policy, ownership, guard, labelsKnown);
    }

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
    void aNameAnotherNamespaceHoldsIsRefusedNotWithdrawnAndOneItsOwnNamespaceHoldsIsWritten() throws Exception {
        claims.put("web.example.com", "bank");
        RouteJudge.Judgement judged = judge(route("shop", "Host(`web.example.com`)"));
        assertEquals(RouteJudge.Outcome.REFUSE, judged.outcome(), "caches may lag: a claim never deletes a record");
        assertTrue(judged.why().contains("web.example.com"), judged.why());
        assertEquals(RouteJudge.Judgement.WRITE, judge(route("bank", "Host(`web.example.com`)")));
    }

    @Test
    void aDomainThePolicyTakesFromTheNamespaceIsWithdrawnOptedOutOrNot() throws Exception {
        RouteJudge domains = judgeWithDomains(namespace -> true);
        Deadline deadline = Deadline.in(Duration.ofSeconds(3), clock);
        RouteJudge.Judgement judged =
                domains.judge(RouteKind.INGRESS_ROUTE, route("shop", "Host(`web.example.com`)"), deadline);
        assertEquals(RouteJudge.Outcome.WITHDRAW, judged.outcome());
        assertTrue(judged.why().contains("[domain-not-allowed]"), judged.why());

        ObjectNode optedOut = route("shop", "Host(`web.example.com`)");
        ((ObjectNode) optedOut.get("metadata")).putObject("annotations").put("routecert.dev/ignore", "true");
        assertEquals(
                RouteJudge.Outcome.WITHDRAW,
                domains.judge(RouteKind.INGRESS_ROUTE, optedOut, deadline).outcome(),
                "no opt-out skips tenant isolation");
        assertEquals(
                RouteJudge.Judgement.WRITE,
                domains.judge(RouteKind.INGRESS_ROUTE, route("shop", "Host(`web.allowed.example`)"), deadline));
    }

    @Test
    void aDomainDenialOnLabelsNotKnownYetTouchesNothing() throws Exception {
        RouteJudge domains = judgeWithDomains(namespace -> false);
        assertEquals(
                RouteJudge.Outcome.HANDS_OFF,
                domains.judge(
                                RouteKind.INGRESS_ROUTE,
                                route("shop", "Host(`web.example.com`)"),
                                Deadline.in(Duration.ofSeconds(3), clock))
                        .outcome());
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
    void anOptedOutRouteIsLeftAloneEvenWhereAClaimWouldRefuseIt() throws Exception {
        claims.put("web.example.com", "bank");
        ObjectNode optedOut = route("shop", "Host(`web.example.com`)");
        ((ObjectNode) optedOut.get("metadata")).putObject("annotations").put("routecert.dev/ignore", "true");
        assertEquals(RouteJudge.Outcome.LEAVE, judge(optedOut).outcome());
    }
}
