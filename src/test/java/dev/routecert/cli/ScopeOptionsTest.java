package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.config.ServeConfig;
import dev.routecert.http.TestServer;
import dev.routecert.policy.scope.ScopeSettings;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code --ingress-classes} and {@code --scope-unclassed} in serve and check. */
class ScopeOptionsTest {

    private static final String INPUT = """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata:
              name: traefik
              annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
            spec: {controller: traefik.io/ingress-controller}
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: nginx-shop, namespace: web}
            spec:
              ingressClassName: nginx
              rules: [{host: shop.example.com}]
              tls: [{hosts: [other.example.com], secretName: shop-tls}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: classless-shop, namespace: web}
            spec:
              rules: [{host: shop.example.com}]
              tls: [{hosts: [other.example.com], secretName: shop-tls}]
            ---
            apiVersion: traefik.io/v1alpha1
            kind: IngressRoute
            metadata:
              name: ignored
              namespace: web
              annotations: {routecert.dev/ignore: "true"}
            spec:
              routes: [{match: Host(`shop.example.com`), services: [{name: shop, port: 80}]}]
              tls: {secretName: other-tls, domains: [{main: other.example.com}]}
            """;

    @Test
    void checkSkipsWhatIsOutOfScopeAndJudgesClasslessIngressesByTheDefaultClassOfTheInput() {
        CheckCommandTest.Run r = CheckCommandTest.run(INPUT, "--ingress-classes", "traefik", "-");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(
                r.out()
                        .contains("Ingress web/nginx-shop (<stdin>, document 2): SKIPPED - out of scope: class nginx"
                                + " (spec.ingressClassName) is not in --ingress-classes"),
                r.out());
        assertTrue(r.out().contains("Ingress web/classless-shop (<stdin>, document 3): DENY"), r.out());
        assertTrue(
                r.out()
                        .contains("IngressRoute web/ignored (<stdin>, document 4): SKIPPED - opted out:"
                                + " routecert.dev/ignore is \"true\""),
                r.out());
        assertTrue(
                r.out()
                        .contains("checked 4 objects: 0 allowed, 1 denied, 1 not checked (other kinds),"
                                + " 2 skipped (out of scope or opted out)"),
                r.out());
    }

    @Test
    void withoutTheOptionEveryIngressIsChecked() {
        CheckCommandTest.Run r = CheckCommandTest.run(INPUT, "-");
        assertTrue(r.out().contains("checked 4 objects: 0 allowed, 2 denied"), r.out());
    }

    @Test
    void excludeLeavesClasslessRoutesAlone() {
        CheckCommandTest.Run r = CheckCommandTest.run(
                INPUT.replace("is-default-class: \"true\"", "is-default-class: \"false\""),
                "--ingress-classes=traefik",
                "--scope-unclassed=exclude",
                "-");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("SKIPPED - out of scope: no class, and --scope-unclassed=exclude"), r.out());
    }

    @Test
    void badValuesAreUsageErrors() {
        CheckCommandTest.Run name = CheckCommandTest.run(INPUT, "--ingress-classes", "traefik,Not_A_Class", "-");
        assertEquals(2, name.exit());
        assertTrue(
                name.err().contains("error: --ingress-classes: \"Not_A_Class\" is not an IngressClass name"),
                name.err());
        CheckCommandTest.Run unclassed = CheckCommandTest.run(INPUT, "--scope-unclassed", "maybe", "-");
        assertEquals(2, unclassed.exit());
        assertTrue(
                unclassed
                        .err()
                        .contains("Invalid value for option '--scope-unclassed': 'maybe' (use include or exclude)"),
                unclassed.err());
        CliRun serve = CliRun.of("serve", "--ingress-classes", " traefik , BAD ");
        assertEquals(2, serve.exitCode());
        assertTrue(serve.err().contains("invalid configuration:"), serve.err());
        assertTrue(serve.err().contains("--ingress-classes: \"BAD\" is not an IngressClass name"), serve.err());
    }

    @Test
    void serveConfigNamesEveryBadClass() {
        ServeConfig config = TestServer.defaults().withScope(new ScopeSettings(Set.of("traefik", "a b", "-x"), true));
        List<String> problems = config.problems();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(
                problems.get(0).startsWith("--ingress-classes: \"-x\" is not an IngressClass name: "), problems.get(0));
        assertTrue(problems.get(1).startsWith("--ingress-classes: \"a b\""), problems.get(1));
        assertEquals(
                List.of(),
                TestServer.defaults()
                        .withScope(ScopeSettings.classes("traefik"))
                        .problems());
        assertEquals(ScopeSettings.everything(), TestServer.defaults().scope(), "the default: everything");
        assertEquals(Set.of("a", "b"), ScopeSettings.parseClasses(" a,,b ,"));
    }
}
