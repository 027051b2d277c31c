package dev.routecert.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnforcementTest {

    private static final PolicyConfig WITH_ISSUER = PolicyConfig.defaults().withDefaultIssuer("le", "ClusterIssuer");

    /** a.example.com served, only b.example.com in TLS: tls-uncovered-host denies, tls-unserved-name warns. */
    private static JsonNode uncovered() throws Exception {
        return Fixtures.YAML.readTree("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: shop}
                spec:
                  rules: [{host: a.example.com}]
                  tls: [{hosts: [b.example.com], secretName: web-tls}]
                """);
    }

    private static Verdict evaluate(Enforcement modes) throws Exception {
        return new RoutePolicy(WITH_ISSUER).evaluate(PolicyRequest.create(uncovered(), "shop"), modes);
    }

    @Test
    void resolutionPerCheckThenNaturalWarnThenDefault() {
        Enforcement e = Enforcement.of(Action.AUDIT, Map.of(Check.TLS_SECRET_NAME, Action.WARN));
        assertEquals(Action.WARN, e.actionOf(Check.TLS_SECRET_NAME), "its own entry");
        assertEquals(Action.WARN, e.actionOf(Check.TLS_UNSERVED_NAME), "warns by nature, whatever the default");
        assertEquals(Action.AUDIT, e.actionOf(Check.TLS_UNCOVERED_HOST), "the default");
        assertEquals(Action.DENY, Enforcement.DEFAULT.actionOf(Check.TLS_UNCOVERED_HOST));
        assertEquals(Action.OFF, e.with(Check.TLS_UNSERVED_NAME, Action.OFF).actionOf(Check.TLS_UNSERVED_NAME));
        assertEquals(Action.DENY, e.with(Check.TLS_UNSERVED_NAME, Action.DENY).actionOf(Check.TLS_UNSERVED_NAME));
    }

    @Test
    void checksThatAreNotTunableKeepTheirNaturalAction() {
        Enforcement e = Enforcement.all(Action.OFF).with(Check.OBJECT_SHAPE, Action.OFF);
        assertEquals(Action.DENY, e.actionOf(Check.OBJECT_SHAPE));
        assertEquals(Action.DENY, e.actionOf(Check.CERTIFICATE_WRITE));
        assertEquals(Action.WARN, e.actionOf(Check.DRY_RUN));
    }

    @Test
    void denyByDefaultIsTodaysVerdict() throws Exception {
        Verdict v = evaluate(Enforcement.DEFAULT);
        assertEquals(Verdict.Outcome.DENY, v.outcome());
        assertEquals(Check.TLS_UNCOVERED_HOST, v.violations().getFirst().check());
        assertTrue(
                v.warnings().getFirst().startsWith("[tls-unserved-name] spec.tls[0].hosts[0]: "),
                v.warnings()::toString);
        assertTrue(v.audit().isEmpty());
    }

    @Test
    void warnAdmitsWithTheFindingAsAWarningAndNoCertificate() throws Exception {
        Verdict v = evaluate(Enforcement.all(Action.WARN));
        assertTrue(v.allowed());
        assertTrue(v.certificates().isEmpty(), "a broken route never gets a Certificate");
        assertNull(v.patch());
        assertTrue(
                v.warnings().getFirst().startsWith("[tls-uncovered-host] spec.rules[0].host: a.example.com is served"),
                v.warnings()::toString);
        assertTrue(
                v.warnings().getLast().startsWith("[no-certificate] no Certificate planned"), v.warnings()::toString);
        assertEquals(List.of(Check.TLS_UNCOVERED_HOST, Check.TLS_UNSERVED_NAME), checks(v.warned()));
    }

    @Test
    void auditAdmitsSilentlyAndKeepsTheFindings() throws Exception {
        Verdict v = evaluate(Enforcement.all(Action.AUDIT).with(Check.TLS_UNSERVED_NAME, Action.OFF));
        assertTrue(v.allowed());
        assertEquals(List.of(), v.warnings(), "audit says nothing to the client");
        assertTrue(v.certificates().isEmpty());
        assertEquals(List.of(Check.TLS_UNCOVERED_HOST), checks(v.audit()));
        assertTrue(v.notes().stream().anyMatch(n -> n.startsWith("no Certificate planned")), v.notes()::toString);
    }

    @Test
    void offDropsTheFinding() throws Exception {
        Verdict v = evaluate(Enforcement.all(Action.OFF).with(Check.TLS_UNSERVED_NAME, Action.OFF));
        assertTrue(v.allowed());
        assertEquals(List.of(), v.warnings());
        assertEquals(List.of(), v.audit());
        assertTrue(v.certificates().isEmpty(), "off or not, the route is broken");
    }

    @Test
    void aWarningMadeToDenyCarriesAFixAndStopsTheCertificate() throws Exception {
        JsonNode ok = Fixtures.YAML.readTree("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: shop}
                spec:
                  rules: [{host: a.example.com}]
                  tls: [{hosts: [a.example.com, b.example.com], secretName: web-tls}]
                """);
        RoutePolicy policy =
                new RoutePolicy(WITH_ISSUER, ns -> Enforcement.DEFAULT.with(Check.TLS_UNSERVED_NAME, Action.DENY));
        Verdict v = policy.evaluate(PolicyRequest.create(ok, "shop"));
        assertFalse(v.allowed());
        assertEquals(Check.TLS_UNSERVED_NAME, v.violations().getFirst().check());
        assertTrue(v.violations().getFirst().hint().contains("tls-unserved-name"));
        assertTrue(v.certificates().isEmpty());
        assertTrue(new RoutePolicy(WITH_ISSUER)
                .evaluate(PolicyRequest.create(ok, "shop"))
                .allowed());
    }

    @Test
    void theSourceIsAskedForTheObjectsNamespace() throws Exception {
        RoutePolicy policy = new RoutePolicy(
                WITH_ISSUER, ns -> "shop".equals(ns) ? Enforcement.all(Action.AUDIT) : Enforcement.DEFAULT);
        assertTrue(policy.evaluate(PolicyRequest.create(uncovered(), "shop")).allowed());
        JsonNode elsewhere = uncovered();
        ((ObjectNode) elsewhere.get("metadata")).put("namespace", "other");
        assertFalse(policy.evaluate(PolicyRequest.create(elsewhere, "other")).allowed());
    }

    @Test
    void everyMessageStartsWithItsId() throws Exception {
        Violation v = evaluate(Enforcement.DEFAULT).violations().getFirst();
        assertTrue(v.causeMessage().startsWith("[tls-uncovered-host] a.example.com is served"), v.causeMessage());
        assertTrue(v.describe().startsWith("[tls-uncovered-host] spec.rules[0].host: "), v.describe());
        assertTrue(
                Violation.summary(List.of(v))
                        .startsWith(
                                "routecert rejected this object: 1 problem to fix. [tls-uncovered-host] spec.rules[0].host: "),
                Violation.summary(List.of(v)));
    }

    private static List<Check> checks(List<Violation> vs) {
        return vs.stream().map(Violation::check).toList();
    }
}
