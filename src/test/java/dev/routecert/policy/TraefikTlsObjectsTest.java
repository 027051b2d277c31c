package dev.routecert.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.scope.DocumentFacts;
import dev.routecert.routes.IngressView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The resolution of Traefik's TLS objects, apart from the fixtures: each rule of Traefik's CRD and Ingress providers. */
class TraefikTlsObjectsTest {

    private static final PolicyConfig CONFIG = PolicyConfig.defaults();

    private static JsonNode object(String yaml) {
        try {
            return Fixtures.YAML.readTree(yaml);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode option(String group, String ns, String name) {
        return object("{apiVersion: " + group + "/v1alpha1, kind: TLSOption, metadata: {name: " + name + ", namespace: "
                + ns + "}, spec: {}}");
    }

    private static TlsObjectFacts facts(JsonNode... objects) {
        return DocumentFacts.of(List.of(objects), "default").tlsObjects();
    }

    private static Findings options(String name, String namespace, PolicyConfig config, TlsObjectFacts facts) {
        Findings f = new Findings();
        TraefikTlsObjects.checkOptionsReference(f, "spec.tls.options", name, namespace, "shop", config, facts);
        return f;
    }

    private static List<String> ids(Findings f) {
        List<String> ids = new ArrayList<>();
        f.findings.forEach(v -> ids.add(v.check().id()));
        return ids;
    }

    @Test
    void unknownTlsOptionsAreANoteAndNeverADenial() {
        Findings f = options("strict", null, CONFIG, TlsObjectFacts.UNKNOWN);
        assertTrue(f.findings.isEmpty(), f.findings.toString());
        assertEquals(1, f.notes().size());
        assertTrue(
                f.notes().getFirst().contains("TLSOption shop/strict was not checked"),
                f.notes().toString());
    }

    @Test
    void anOptionOfEitherGroupResolvesInTheRoutesNamespaceOnly() {
        TlsObjectFacts legacy = facts(option("traefik.containo.us", "shop", "strict"));
        assertTrue(options("strict", null, CONFIG, legacy).findings.isEmpty());
        assertTrue(options("strict", "shop", CONFIG, legacy).findings.isEmpty(), "its own namespace, written out");
        TlsObjectFacts elsewhere = facts(option("traefik.io", "other", "strict"));
        assertEquals(List.of("tls-options-missing"), ids(options("strict", null, CONFIG, elsewhere)));
    }

    @Test
    void anotherNamespaceNeedsAllowCrossNamespaceAndThenTheOptionMustExistThere() {
        TlsObjectFacts facts = facts(option("traefik.io", "security", "strict"));
        Findings refused = options("strict", "security", CONFIG, facts);
        assertEquals(List.of("tls-options-cross-namespace"), ids(refused));
        assertEquals("spec.tls.options.namespace", refused.findings.getFirst().field());
        PolicyConfig allowed = CONFIG.withTraefik(true, CONFIG.traefikTlsEntryPoints());
        assertTrue(options("strict", "security", allowed, facts).findings.isEmpty());
        assertEquals(List.of("tls-options-missing"), ids(options("lax", "security", allowed, facts)));
    }

    @Test
    void crossProviderNamesFollowTheCrossNamespaceRuleAndOthersAreNotChecked() {
        TlsObjectFacts facts = facts(option("traefik.io", "shop", "strict"));
        assertEquals(
                List.of("tls-options-cross-namespace"), ids(options("shop-strict@kubernetescrd", null, CONFIG, facts)));
        PolicyConfig allowed = CONFIG.withTraefik(true, CONFIG.traefikTlsEntryPoints());
        assertTrue(options("shop-strict@kubernetescrd", null, allowed, facts)
                .findings
                .isEmpty());
        assertEquals(List.of("tls-options-missing"), ids(options("shop-lax@kubernetescrd", null, allowed, facts)));
        Findings file = options("strict@file", null, CONFIG, facts);
        assertTrue(file.findings.isEmpty());
        assertTrue(file.notes().getFirst().contains("not checked"), file.notes().toString());
    }

    @Test
    void theMissingOptionsFixListsTheNamespacesOptionsClosestFirst() {
        TlsObjectFacts facts = facts(
                option("traefik.io", "shop", "zzz"),
                option("traefik.io", "shop", "modern-tls"),
                option("traefik.io", "shop", "default"),
                option("traefik.io", "shop", "modern"));
        Violation v = options("moder", null, CONFIG, facts).findings.getFirst();
        assertTrue(v.hint().endsWith("shop: modern, modern-tls, zzz"), v.hint());
    }

    @Test
    void theDynamicDefaultNameResolvesOnlyWhileOneNamespaceDefinesIt() {
        Findings none = new Findings();
        TraefikTlsObjects.checkDynamicName(
                none, "f", "default@kubernetescrd", "shop", facts(option("traefik.io", "a", "x")), true);
        assertEquals(List.of("tls-options-missing"), ids(none));
        Findings one = new Findings();
        TraefikTlsObjects.checkDynamicName(
                one, "f", "default@kubernetescrd", "shop", facts(option("traefik.io", "a", "default")), true);
        assertTrue(one.findings.isEmpty());
        Findings two = new Findings();
        TraefikTlsObjects.checkDynamicName(
                two,
                "f",
                "default@kubernetescrd",
                "shop",
                facts(option("traefik.io", "a", "default"), option("traefik.io", "b", "default")),
                true);
        assertEquals(List.of("tls-options-missing"), ids(two), "two default options are both dropped");
        Findings plain = new Findings();
        TraefikTlsObjects.checkDynamicName(plain, "f", "default", "shop", TlsObjectFacts.UNKNOWN, true);
        assertTrue(plain.findings.isEmpty() && plain.notes().isEmpty(), "plain default is Traefik's default options");
    }

    @Test
    void anOptionWhoseNameEndsInDefaultIsFoundByItsDynamicName() {
        Findings f = new Findings();
        TraefikTlsObjects.checkDynamicName(
                f,
                "f",
                "shop-site-default@kubernetescrd",
                "shop",
                facts(option("traefik.io", "shop", "site-default")),
                true);
        assertTrue(f.findings.isEmpty(), f.findings.toString());
        Findings named = new Findings();
        TraefikTlsObjects.checkDynamicName(
                named, "f", "shop-default@kubernetescrd", "shop", facts(option("traefik.io", "shop", "default")), true);
        assertEquals(List.of("tls-options-missing"), ids(named), "the default option is registered as default only");
    }

    @Test
    void aLongUnknownNameIsJudgedLikeAnyOther() {
        String name = "x".repeat(100_000);
        Findings f = options(name, null, CONFIG, facts(option("traefik.io", "shop", "strict")));
        assertEquals(List.of("tls-options-missing"), ids(f));
        assertTrue(f.findings.getFirst().message().length() < 1_000, "the message quotes a shortened name");
    }

    @Test
    void aStoreOtherThanDefaultWarns() {
        Findings f = new Findings();
        TraefikTlsObjects.checkStore(f, "spec.tls.store", "default");
        assertTrue(f.findings.isEmpty());
        TraefikTlsObjects.checkStore(f, "spec.tls.store", "custom");
        assertEquals(List.of("tls-store-not-default"), ids(f));
    }

    @Test
    void theSameDefaultStoreInBothGroupsCountsOnce() {
        String spec =
                "spec: {defaultGeneratedCert: {resolver: le, domain: {main: example.com, sans: ['*.example.com']}}}";
        TlsObjectFacts facts = facts(
                object("{apiVersion: traefik.io/v1alpha1, kind: TLSStore, metadata: {name: default, namespace: t}, "
                        + spec + "}"),
                object("{apiVersion: traefik.containo.us/v1alpha1, kind: TLSStore, metadata: {name: default,"
                        + " namespace: t}, " + spec + "}"));
        Findings f = new Findings();
        assertTrue(TraefikTlsObjects.defaultStoreCovers(
                f,
                List.of(
                        HostName.check("a.example.com").name(),
                        HostName.check("example.com").name()),
                facts));
        Findings deeper = new Findings();
        assertFalse(TraefikTlsObjects.defaultStoreCovers(
                deeper, List.of(HostName.check("a.b.example.com").name()), facts));
        assertFalse(TraefikTlsObjects.defaultStoreCovers(
                new Findings(), List.of(HostName.check("a.example.com").name()), TlsObjectFacts.UNKNOWN));
    }

    @Test
    void routerTlsIsAGoBoolean() {
        for (String yes : List.of("true", "True", "TRUE", "t", "1")) {
            assertEquals(Boolean.TRUE, TraefikIngressRouter.goBool(yes), yes);
        }
        for (String no : List.of("false", "F", "0")) {
            assertEquals(Boolean.FALSE, TraefikIngressRouter.goBool(no), no);
        }
        for (String bad : List.of("yes", "on", " true", "tRue", "")) {
            assertNull(TraefikIngressRouter.goBool(bad), bad);
        }
    }

    @Test
    void routerAnnotationsAreReadInAnyCaseAfterAPrefixWrittenAsTraefikWritesIt() {
        IngressView.TraefikRouter router = IngressView.of(object("""
                        metadata:
                          annotations:
                            traefik.ingress.kubernetes.io/Router.TLS.CertResolver: le
                            Traefik.Ingress.Kubernetes.io/router.tls: "yes"
                            traefik.ingress.kubernetes.io/router.EntryPoints: web
                        """)).traefikRouter();
        assertEquals("le", router.certResolver().value());
        assertNull(router.tls(), "Traefik matches the prefix as written");
        assertEquals("web", router.entryPoints().value());
        assertEquals(1, router.tlsKeys().size());
        Findings f = new Findings();
        TraefikIngressRouter.Reading reading =
                TraefikIngressRouter.read(f, router, "shop", CONFIG, TlsObjectFacts.UNKNOWN);
        assertTrue(reading.tls(), "a router.tls.* key makes the router TLS");
        assertEquals(List.of("web"), reading.entryPoints());
        assertTrue(f.findings.isEmpty());
    }

    @Test
    void aRouterAnnotationChangeOnAnObjectBeingDeletedIsCheckedAgain() {
        JsonNode old = object("{metadata: {annotations: {traefik.ingress.kubernetes.io/router.tls: 'true'}}}");
        JsonNode changed = object("{metadata: {annotations: {traefik.ingress.kubernetes.io/router.tls: 'yes'}}}");
        JsonNode other = object("{metadata: {annotations: {traefik.ingress.kubernetes.io/router.tls: 'true', x: y}}}");
        assertTrue(RoutePolicy.changesWhatIsChecked(old, changed));
        assertFalse(RoutePolicy.changesWhatIsChecked(old, other));
    }
}
