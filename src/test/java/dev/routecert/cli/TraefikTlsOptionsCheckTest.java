package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check} and Traefik's TLS objects: the documents of its input are the cluster, and without them nothing is denied. */
class TraefikTlsOptionsCheckTest {

    private static final String ROUTE = """
            apiVersion: traefik.io/v1alpha1
            kind: IngressRoute
            metadata: {name: shop, namespace: shop}
            spec:
              routes:
              - match: Host(`shop.example.com`)
                services: [{name: shop, port: 80}]
              tls: {secretName: shop-tls, options: {name: strict, namespace: security}}
            """;

    private static String option(String ns, String name) {
        return "---\napiVersion: traefik.io/v1alpha1\nkind: TLSOption\nmetadata: {name: " + name + ", namespace: " + ns
                + "}\nspec: {}\n";
    }

    @Test
    void withoutTlsOptionsInItsInputCheckSaysTheReferenceWasNotChecked(@TempDir Path tmp) throws IOException {
        Path route = Files.writeString(tmp.resolve("route.yaml"), ROUTE);
        CheckCommandTest.Run r = CheckCommandTest.run("", "--traefik-allow-cross-namespace", route.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("TLSOption security/strict was not checked"), r.out());
    }

    @Test
    void theTlsOptionsOfItsInputAreTheClusterItJudgesAgainst(@TempDir Path tmp) throws IOException {
        Path route = Files.writeString(tmp.resolve("route.yaml"), ROUTE);
        Path lax = Files.writeString(tmp.resolve("lax.yaml"), option("security", "lax"));
        Path strict = Files.writeString(tmp.resolve("strict.yaml"), option("security", "strict"));
        CheckCommandTest.Run missing =
                CheckCommandTest.run("", "--traefik-allow-cross-namespace", route.toString(), lax.toString());
        assertEquals(1, missing.exit(), missing.out());
        assertTrue(missing.out().contains("[tls-options-missing]"), missing.out());
        assertTrue(missing.out().contains("security: lax"), missing.out());
        CheckCommandTest.Run found =
                CheckCommandTest.run("", "--traefik-allow-cross-namespace", route.toString(), strict.toString());
        assertEquals(0, found.exit(), found.out());
        CheckCommandTest.Run refused = CheckCommandTest.run("", route.toString(), strict.toString());
        assertEquals(1, refused.exit(), "Traefik's allowCrossNamespace is false by default");
        assertTrue(refused.out().contains("[tls-options-cross-namespace]"), refused.out());
    }

    @Test
    void theTraefikOptionsAreListedAndAnEntryPointNameIsChecked(@TempDir Path tmp) throws IOException {
        CheckCommandTest.Run help = CheckCommandTest.run("", "--help");
        for (String text : List.of(
                "--traefik-allow-cross-namespace",
                "ROUTECERT_TRAEFIK_ALLOW_CROSS_NAMESPACE",
                "--traefik-tls-entrypoints",
                "ROUTECERT_TRAEFIK_TLS_ENTRYPOINTS")) {
            assertTrue(help.out().contains(text), text + " in " + help.out());
        }
        Path route = Files.writeString(tmp.resolve("route.yaml"), ROUTE);
        CheckCommandTest.Run bad =
                CheckCommandTest.run("", "--traefik-tls-entrypoints", "web secure", route.toString());
        assertEquals(2, bad.exit());
        assertTrue(
                bad.err().contains("'--traefik-tls-entrypoints': 'web secure' is not an entry point name"), bad.err());
    }
}
