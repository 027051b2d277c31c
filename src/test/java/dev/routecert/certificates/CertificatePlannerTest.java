package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.certificates.CertificatePlanner.Create;
import dev.routecert.certificates.CertificatePlanner.Deny;
import dev.routecert.certificates.CertificatePlanner.Outcome;
import dev.routecert.certificates.CertificatePlanner.Reuse;
import dev.routecert.certificates.CertificatePlanner.UpToDate;
import dev.routecert.certificates.CertificatePlanner.Update;
import dev.routecert.policy.PlannedCertificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ownership, reuse, coverage and issuer decisions, on a fake store. */
class CertificatePlannerTest {

    private static final RouteRef SHOP = new RouteRef("traefik.io", "IngressRoute", "web", "shop");
    private static final RouteRef BLOG = new RouteRef("networking.k8s.io", "Ingress", "web", "blog");
    private FakeCertificateStore store;

    @BeforeEach
    void setUp() {
        store = new FakeCertificateStore();
        store.issuer(new IssuerInfo("ClusterIssuer", "", "letsencrypt", IssuerInfo.Type.ACME, List.of()));
        store.issuer(new IssuerInfo(
                "ClusterIssuer",
                "",
                "le-dns",
                IssuerInfo.Type.ACME,
                List.of(new IssuerInfo.Dns01Solver(List.of(), List.of()))));
        store.issuer(new IssuerInfo(
                "ClusterIssuer",
                "",
                "le-zoned",
                IssuerInfo.Type.ACME,
                List.of(new IssuerInfo.Dns01Solver(List.of(), List.of("example.org")))));
        store.issuer(new IssuerInfo("Issuer", "web", "internal-ca", IssuerInfo.Type.CA, List.of()));
    }

    static PlannedCertificate plan(String secret, String issuerKind, String issuer, String... names) {
        return new PlannedCertificate(
                secret,
                "web",
                secret,
                List.of(names),
                List.of(),
                new PlannedCertificate.IssuerRef(issuer, issuerKind, "cert-manager.io"),
                null,
                null,
                null,
                List.of(),
                null,
                null,
                null,
                List.of(),
                List.of(),
                null,
                "traefik.io",
                "IngressRoute",
                "shop");
    }

    private Outcome decide(PlannedCertificate plan, RouteRef route, String uid) {
        return CertificatePlanner.decide(
                plan,
                route,
                uid,
                store.cachedCertificate(plan.namespace(), plan.name()),
                store::cachedIssuer,
                "spec.tls.secretName",
                "metadata.annotations[cert-manager.io/cluster-issuer]");
    }

    private static JsonNode foreign(String name, String secretName, String... dnsNames) {
        ObjectNode c = FakeCertificateStore.JSON.createObjectNode();
        c.put("apiVersion", "cert-manager.io/v1").put("kind", "Certificate");
        c.putObject("metadata").put("name", name).put("namespace", "web");
        ObjectNode spec = c.putObject("spec").put("secretName", secretName);
        var names = spec.putArray("dnsNames");
        for (String n : dnsNames) {
            names.add(n);
        }
        spec.putObject("issuerRef").put("name", "someone-elses").put("kind", "ClusterIssuer");
        return c;
    }

    @Test
    void createsALabelledAnnotatedCertificateWhenNoneExists() {
        Outcome outcome = decide(plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com"), SHOP, null);
        Create create = assertInstanceOf(Create.class, outcome.decision());
        JsonNode meta = create.certificate().path("metadata");
        assertEquals(
                "routecert",
                meta.path("labels").path("app.kubernetes.io/managed-by").asText());
        assertEquals(
                "traefik.io/IngressRoute/shop",
                meta.path("annotations").path("routecert.dev/route").asText());
        assertTrue(meta.path("ownerReferences").isMissingNode(), "no uid on CREATE, so no ownerReference");
        assertEquals(
                "[\"shop.example.com\"]",
                create.certificate().path("spec").path("dnsNames").toString());
        assertEquals(List.of(), outcome.warnings());
    }

    @Test
    void knownRouteUidBecomesAControllerOwnerReference() {
        Create create = assertInstanceOf(
                Create.class,
                decide(plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com"), SHOP, "u-1")
                        .decision());
        JsonNode owner =
                create.certificate().path("metadata").path("ownerReferences").get(0);
        assertEquals(
                "{\"apiVersion\":\"traefik.io/v1alpha1\",\"kind\":\"IngressRoute\",\"name\":\"shop\",\"uid\":\"u-1\","
                        + "\"controller\":true,\"blockOwnerDeletion\":true}",
                owner.toString());
    }

    @Test
    void ownCertificateIsUpToDateOrUpdatedWhenHostsChange() {
        PlannedCertificate before = plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com");
        store.put(CertificatePlanner.render(before, SHOP, null));
        assertInstanceOf(UpToDate.class, decide(before, SHOP, null).decision());

        PlannedCertificate after =
                plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com", "www.example.com");
        Update update = assertInstanceOf(Update.class, decide(after, SHOP, null).decision());
        assertEquals(
                "[\"shop.example.com\",\"www.example.com\"]",
                update.certificate().path("spec").path("dnsNames").toString());
        // the same spec, but now the route has a uid: adopting it is an update too
        assertInstanceOf(Update.class, decide(before, SHOP, "u-1").decision());
    }

    @Test
    void foreignCertificateThatCoversIsReusedWithoutIssuerCheck() {
        store.put(foreign("shop-tls", "shop-tls", "*.example.com"));
        Outcome outcome = decide(plan("shop-tls", "ClusterIssuer", "does-not-exist", "shop.example.com"), SHOP, null);
        assertInstanceOf(Reuse.class, outcome.decision());
        assertEquals(
                List.of(
                        "[certificate-reused] routecert reuses Certificate web/shop-tls (not created by routecert, so routecert never changes it):"
                                + " it already covers shop.example.com"),
                outcome.warnings());
    }

    @Test
    void foreignCertificateThatDoesNotCoverIsDeniedNamingItAndTheMissingNames() {
        store.put(foreign("shop-tls", "shop-tls", "*.example.com"));
        Deny deny = assertInstanceOf(
                Deny.class,
                decide(
                                plan(
                                        "shop-tls",
                                        "ClusterIssuer",
                                        "letsencrypt",
                                        "a.b.example.com",
                                        "example.com",
                                        "shop.example.com"),
                                SHOP,
                                null)
                        .decision());
        assertEquals("spec.tls.secretName", deny.field());
        assertEquals(
                "[certificate-not-covering] Certificate web/shop-tls (not created by routecert, so routecert never changes it) does not cover"
                        + " a.b.example.com, example.com (fix: add them to that Certificate's dnsNames, or give this route its own"
                        + " secretName)",
                deny.message());
    }

    @Test
    void foreignCertificateWritingAnotherSecretIsDenied() {
        store.put(foreign("shop-tls", "other-secret", "shop.example.com"));
        Deny deny = assertInstanceOf(
                Deny.class,
                decide(plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com"), SHOP, null)
                        .decision());
        assertTrue(
                deny.message()
                        .startsWith("[certificate-other-secret] Certificate web/shop-tls (not created by routecert, so"
                                + " routecert never changes it)"
                                + " writes Secret 'other-secret', not 'shop-tls'"),
                deny.message());
    }

    @Test
    void certificateOfAnotherRouteIsReusedWhenItCoversAndDeniedNamingThatRouteWhenNot() {
        store.put(CertificatePlanner.render(
                plan("shared-tls", "ClusterIssuer", "le-dns", "*.example.com"), BLOG, "u-blog"));
        Outcome covered = decide(plan("shared-tls", "ClusterIssuer", "le-dns", "shop.example.com"), SHOP, null);
        assertInstanceOf(Reuse.class, covered.decision());
        assertTrue(
                covered.warnings().get(0).contains("created by routecert for Ingress web/blog (networking.k8s.io)"),
                covered.warnings().toString());

        Deny deny = assertInstanceOf(
                Deny.class,
                decide(plan("shared-tls", "ClusterIssuer", "le-dns", "shop.example.org"), SHOP, null)
                        .decision());
        assertEquals(
                "[certificate-not-covering] Certificate web/shared-tls (created by routecert for Ingress web/blog (networking.k8s.io)) does not cover"
                        + " shop.example.org (fix: change Ingress blog to cover them too, or give this route its own secretName)",
                deny.message());
    }

    @Test
    void labelledCertificateWithoutRouteAnnotationCountsAsForeign() {
        ObjectNode c = (ObjectNode) foreign("shop-tls", "shop-tls", "shop.example.com");
        ((ObjectNode) c.get("metadata")).putObject("labels").put("app.kubernetes.io/managed-by", "routecert");
        store.put(c);
        assertInstanceOf(
                Reuse.class,
                decide(plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com"), SHOP, null)
                        .decision());
    }

    @Test
    void missingIssuersAreDenied() {
        Deny cluster = assertInstanceOf(
                Deny.class,
                decide(plan("shop-tls", "ClusterIssuer", "nope", "shop.example.com"), SHOP, null)
                        .decision());
        assertEquals(
                "[issuer-not-found] ClusterIssuer nope does not exist (fix: create it, or name an existing ClusterIssuer)",
                cluster.message());
        assertEquals("metadata.annotations[cert-manager.io/cluster-issuer]", cluster.field());
        Deny namespaced = assertInstanceOf(
                Deny.class,
                decide(plan("shop-tls", "Issuer", "letsencrypt", "shop.example.com"), SHOP, null)
                        .decision());
        assertEquals(
                "[issuer-not-found] Issuer web/letsencrypt does not exist (fix: create it, or name an existing Issuer)",
                namespaced.message());
        assertInstanceOf(
                Create.class,
                decide(plan("shop-tls", "Issuer", "internal-ca", "shop.example.com"), SHOP, null)
                        .decision());
        Deny kind = assertInstanceOf(
                Deny.class,
                decide(plan("shop-tls", "Clusterissuer", "letsencrypt", "shop.example.com"), SHOP, null)
                        .decision());
        assertTrue(
                kind.message()
                        .startsWith(
                                "[issuer-kind-unknown] issuer kind 'Clusterissuer' does not exist in group cert-manager.io"),
                kind.message());
    }

    @Test
    void externalIssuersCannotBeCheckedAndSaySo() {
        PlannedCertificate plan = new PlannedCertificate(
                "shop-tls",
                "web",
                "shop-tls",
                List.of("*.example.com"),
                List.of(),
                new PlannedCertificate.IssuerRef("vault", "VaultIssuer", "vault.example.com"),
                null,
                null,
                null,
                List.of(),
                null,
                null,
                null,
                List.of(),
                List.of(),
                null,
                "traefik.io",
                "IngressRoute",
                "shop");
        Outcome outcome = decide(plan, SHOP, null);
        assertInstanceOf(Create.class, outcome.decision());
        assertEquals(
                List.of(
                        "[issuer-external] issuer VaultIssuer/vault of group vault.example.com is an external issuer: routecert cannot check"
                                + " that it exists or which names it can sign"),
                outcome.warnings());
    }

    @Test
    void wildcardNeedsAnIssuerThatCanAnswerDns01() {
        Deny http01 = assertInstanceOf(
                Deny.class,
                decide(plan("wild-tls", "ClusterIssuer", "letsencrypt", "*.example.com", "example.com"), SHOP, null)
                        .decision());
        assertEquals(
                "[issuer-no-dns01] ClusterIssuer/letsencrypt is an ACME issuer without a DNS-01 solver for *.example.com, and ACME validates"
                        + " wildcard names only through DNS-01 (fix: add a dns01 solver to the issuer, or list the names instead of a"
                        + " wildcard)",
                http01.message());
        assertInstanceOf(
                Create.class,
                decide(plan("wild-tls", "ClusterIssuer", "le-dns", "*.example.com"), SHOP, null)
                        .decision());
        assertInstanceOf(
                Deny.class,
                decide(plan("wild-tls", "ClusterIssuer", "le-zoned", "*.example.com"), SHOP, null)
                        .decision());
        assertInstanceOf(
                Create.class,
                decide(plan("wild-tls", "ClusterIssuer", "le-zoned", "*.shop.example.org"), SHOP, null)
                        .decision());
        assertInstanceOf(
                Create.class,
                decide(plan("wild-tls", "Issuer", "internal-ca", "*.example.com"), SHOP, null)
                        .decision());
        // plain names never need DNS-01
        assertInstanceOf(
                Create.class,
                decide(plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com"), SHOP, null)
                        .decision());
    }

    @Test
    void issuerObjectsAreReadAsCertManagerWritesThem() throws Exception {
        JsonNode acme = FakeCertificateStore.JSON.readTree("""
                {"metadata":{"name":"le"},"spec":{"acme":{"server":"https://acme.example/dir","solvers":[
                  {"http01":{"ingress":{"class":"traefik"}}},
                  {"selector":{"dnsNames":["*.shop.example.com"]},"dns01":{"cloudflare":{}}}]}}}""");
        IssuerInfo info = IssuerInfo.from("ClusterIssuer", acme);
        assertEquals(IssuerInfo.Type.ACME, info.type());
        assertTrue(info.canIssueWildcard("*.shop.example.com"));
        assertTrue(!info.canIssueWildcard("*.example.com"));
        assertEquals(
                IssuerInfo.Type.SELF_SIGNED,
                IssuerInfo.from(
                                "Issuer",
                                FakeCertificateStore.JSON.readTree(
                                        "{\"metadata\":{\"name\":\"s\",\"namespace\":\"web\"},\"spec\":{\"selfSigned\":{}}}"))
                        .type());
    }

    @Test
    void deletingCertificateIsDeniedForNow() {
        ObjectNode c = (ObjectNode) foreign("shop-tls", "shop-tls", "shop.example.com");
        ((ObjectNode) c.get("metadata")).put("deletionTimestamp", "2026-01-01T00:00:00Z");
        store.put(c);
        Deny deny = assertInstanceOf(
                Deny.class,
                decide(plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com"), SHOP, null)
                        .decision());
        assertEquals(
                "[certificate-deleting] Certificate web/shop-tls is being deleted (fix: apply the route again once it is gone)",
                deny.message());
    }

    @Test
    void describeNamesCertificateNamesAndIssuer() {
        ObjectNode c = CertificatePlanner.render(
                plan("shop-tls", "ClusterIssuer", "letsencrypt", "a.example.com", "b.example.com"), SHOP, null);
        assertEquals(
                "Certificate web/shop-tls (secret shop-tls) for a.example.com, b.example.com, issuer ClusterIssuer/letsencrypt",
                CertificatePlanner.describe(c));
        assertEquals(Optional.of(SHOP), RouteRef.parse(SHOP.annotationValue(), "web"));
        assertEquals(Optional.empty(), RouteRef.parse("IngressRoute/shop", "web"));
    }

    /** What cert-manager's ingress-shim writes for Ingress blog: controlled by it, labels its own, no routecert mark. */
    private static JsonNode shimMade(String uid, String... dnsNames) {
        ObjectNode c = (ObjectNode) foreign("blog-tls", "blog-tls", dnsNames);
        ObjectNode meta = (ObjectNode) c.get("metadata");
        meta.putObject("labels").put("app", "blog");
        meta.putArray("ownerReferences")
                .addObject()
                .put("apiVersion", "networking.k8s.io/v1")
                .put("kind", "Ingress")
                .put("name", "blog")
                .put("uid", uid)
                .put("controller", true)
                .put("blockOwnerDeletion", true);
        ((ObjectNode) c.get("spec"))
                .putObject("issuerRef")
                .put("name", "letsencrypt")
                .put("kind", "ClusterIssuer");
        return c;
    }

    private static PlannedCertificate shimForm(String... names) {
        PlannedCertificate p = plan("blog-tls", "ClusterIssuer", "letsencrypt", names);
        return new PlannedCertificate(
                p.name(),
                p.namespace(),
                p.secretName(),
                p.dnsNames(),
                p.ipAddresses(),
                p.issuerRef(),
                null,
                null,
                null,
                List.of("digital signature", "key encipherment"),
                null,
                null,
                null,
                List.of(),
                List.of(),
                null,
                "networking.k8s.io",
                "Ingress",
                "blog",
                null,
                Map.of("app", "blog"),
                Map.of(),
                true);
    }

    @Test
    void aCertificateTheRouteControlsIsUpdatedLikeItsOwnWhoeverWroteIt() {
        store.put(shimMade("uid-blog", "blog.example.com"));
        store.syncCache();
        Outcome outcome = decide(shimForm("blog.example.com", "www.blog.example.com"), BLOG, "uid-blog");
        Update update = assertInstanceOf(Update.class, outcome.decision(), outcome.toString());
        JsonNode meta = update.certificate().path("metadata");
        assertEquals("{\"app\":\"blog\"}", meta.path("labels").toString(), "the shim's labels, none of routecert's");
        assertEquals(
                "networking.k8s.io/Ingress/blog",
                meta.path("annotations").path("routecert.dev/route").asText());
        assertEquals(
                "[\"blog.example.com\",\"www.blog.example.com\"]",
                update.certificate().path("spec").path("dnsNames").toString());
    }

    @Test
    void aCertificateAnotherObjectControlsStaysForeign() {
        store.put(shimMade("uid-other", "blog.example.com"));
        store.syncCache();
        Outcome outcome = decide(shimForm("blog.example.com", "www.blog.example.com"), BLOG, "uid-blog");
        Deny deny = assertInstanceOf(Deny.class, outcome.decision(), outcome.toString());
        assertTrue(deny.message().contains("www.blog.example.com"), deny.message());
        Outcome onCreate = decide(shimForm("blog.example.com", "www.blog.example.com"), BLOG, null);
        assertInstanceOf(Deny.class, onCreate.decision(), "no uid on CREATE: nothing can be controlled by it yet");
    }

    @Test
    void theShimsOwnFormIsUpToDateOnceRoutecertMarkedIt() {
        ObjectNode marked = (ObjectNode) shimMade("uid-blog", "blog.example.com");
        ((ObjectNode) marked.get("spec"))
                .putArray("usages")
                .add("digital signature")
                .add("key encipherment");
        ((ObjectNode) marked.get("spec").get("issuerRef")).put("group", "cert-manager.io");
        ((ObjectNode) marked.get("metadata"))
                .putObject("annotations")
                .put("routecert.dev/route", BLOG.annotationValue());
        store.put(marked);
        store.syncCache();
        Outcome outcome = decide(shimForm("blog.example.com"), BLOG, "uid-blog");
        assertInstanceOf(UpToDate.class, outcome.decision(), outcome.toString());
        ((ObjectNode) marked.get("metadata").get("labels")).put("app.kubernetes.io/managed-by", "routecert");
        store.put(marked);
        store.syncCache();
        assertInstanceOf(
                Update.class,
                decide(shimForm("blog.example.com"), BLOG, "uid-blog").decision(),
                "a label the shim would remove is a difference, as the shim compares labels whole");
    }

    /** A Certificate as switchboard writes it for route {@code route} (uid {@code uid}; null: no ownerReference). */
    static JsonNode switchboards(String route, String uid, String secretName, String... dnsNames) {
        ObjectNode c = FakeCertificateStore.JSON.createObjectNode();
        c.put("apiVersion", "cert-manager.io/v1").put("kind", "Certificate");
        ObjectNode meta = c.putObject("metadata").put("name", route + "-tls").put("namespace", "web");
        meta.putObject("labels").put("kubernetes.io/managed-by", "switchboard");
        if (uid != null) {
            meta.putArray("ownerReferences")
                    .addObject()
                    .put("apiVersion", "traefik.io/v1alpha1")
                    .put("kind", "IngressRoute")
                    .put("name", route)
                    .put("uid", uid)
                    .put("controller", true)
                    .put("blockOwnerDeletion", true);
        }
        ObjectNode spec = c.putObject("spec").put("secretName", secretName);
        var names = spec.putArray("dnsNames");
        for (String n : dnsNames) {
            names.add(n);
        }
        spec.putObject("issuerRef").put("kind", "ClusterIssuer").put("name", "letsencrypt");
        return c;
    }

    private Outcome decideFound(PlannedCertificate plan, RouteRef route, String uid, Predecessors predecessors) {
        Predecessors.Found found =
                predecessors.find(plan, route, uid, name -> store.cachedCertificate(plan.namespace(), name));
        return CertificatePlanner.decide(
                found.plan(),
                route,
                uid,
                found.existing(),
                store::cachedIssuer,
                "spec.tls.secretName",
                "metadata.annotations[cert-manager.io/cluster-issuer]",
                predecessors);
    }

    @Test
    void switchboardsCertificateOfTheSameNameIsTakenOverInPlaceKeepingItsLabel() {
        store.put(switchboards("shop", "u-shop", "shop-tls", "shop.example.com"));
        Outcome outcome = decideFound(
                plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com", "www.shop.example.com"),
                SHOP,
                "u-shop",
                Predecessors.DEFAULT);
        Update update = assertInstanceOf(Update.class, outcome.decision());
        JsonNode meta = update.certificate().path("metadata");
        assertEquals("shop-tls", meta.path("name").asText());
        assertEquals(
                "switchboard",
                meta.at("/labels/kubernetes.io~1managed-by").asText(),
                "kept: switchboard can take it back");
        assertEquals(
                "routecert", meta.at("/labels/app.kubernetes.io~1managed-by").asText());
        assertEquals(
                "traefik.io/IngressRoute/shop",
                meta.at("/annotations/routecert.dev~1route").asText());
        assertEquals("u-shop", meta.at("/ownerReferences/0/uid").asText());
        assertTrue(
                outcome.warnings()
                        .getFirst()
                        .startsWith(
                                "[certificate-adopted] routecert takes over Certificate web/shop-tls, which switchboard made"),
                outcome.warnings().toString());
    }

    @Test
    void switchboardsCertificateUnderAnotherNameIsTakenOverUnderItsNameNotDuplicated() {
        store.put(switchboards("shop", "u-shop", "shop-cert", "shop.example.com"));
        Outcome outcome = decideFound(
                plan("shop-cert", "ClusterIssuer", "letsencrypt", "shop.example.com"),
                SHOP,
                "u-shop",
                Predecessors.DEFAULT);
        Update update = assertInstanceOf(Update.class, outcome.decision());
        assertEquals(
                "shop-tls", update.certificate().at("/metadata/name").asText(), "switchboard's name, not the Secret's");
        assertEquals("shop-cert", update.certificate().at("/spec/secretName").asText(), "the same Secret");
        // once taken over, the next decision finds it up to date: no flapping between names or labels
        store.put(update.certificate());
        Outcome again = decideFound(
                plan("shop-cert", "ClusterIssuer", "letsencrypt", "shop.example.com"),
                SHOP,
                "u-shop",
                Predecessors.DEFAULT);
        assertInstanceOf(UpToDate.class, again.decision());
        assertEquals(List.of(), again.warnings());
    }

    @Test
    void withoutAnOwnerReferenceTheNameAndLabelIdentifyTheRoute() {
        store.put(switchboards("shop", null, "shop-tls", "shop.example.com"));
        assertInstanceOf(
                Update.class,
                decideFound(
                                plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com"),
                                SHOP,
                                null,
                                Predecessors.DEFAULT)
                        .decision());
    }

    @Test
    void aPredecessorNotListedOrAnotherRoutesCertificateIsNotTakenOver() {
        store.put(switchboards("shop", null, "shop-tls", "shop.example.com"));
        assertInstanceOf(
                Reuse.class,
                decideFound(
                                plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com"),
                                SHOP,
                                null,
                                Predecessors.NONE)
                        .decision(),
                "--adopt-from empty: switchboard's Certificate is foreign, never changed");
        assertInstanceOf(
                Reuse.class,
                decideFound(
                                plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com"),
                                SHOP,
                                null,
                                Predecessors.of(List.of("other-tool")))
                        .decision());
        store.put(switchboards("shop", "u-another-shop", "shop-tls", "shop.example.com"));
        assertInstanceOf(
                Reuse.class,
                decideFound(
                                plan("shop-tls", "ClusterIssuer", "letsencrypt", "shop.example.com"),
                                SHOP,
                                "u-shop",
                                Predecessors.DEFAULT)
                        .decision(),
                "its controller is another route of that name (an older one): not this route's");
    }

    @Test
    void aPredecessorsCertificateForAnotherSecretIsNotTakenOverUnderItsName() {
        store.put(switchboards("shop", "u-shop", "old-secret", "shop.example.com"));
        Outcome outcome = decideFound(
                plan("shop-cert", "ClusterIssuer", "letsencrypt", "shop.example.com"),
                SHOP,
                "u-shop",
                Predecessors.DEFAULT);
        Create create = assertInstanceOf(Create.class, outcome.decision());
        assertEquals("shop-cert", create.certificate().at("/metadata/name").asText());
    }
}
