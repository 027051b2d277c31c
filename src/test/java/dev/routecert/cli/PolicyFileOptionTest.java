package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --policy-file} means the same to serve and check: a file either refuses stops them, naming every problem. */
class PolicyFileOptionTest {

    static final String BAD = """
            apiVersion: routecert.dev/v1alpha1
            kind: Policy
            enforcement: {default: sometimes, checks: {tls-uncoverd-host: deny}}
            optOut: {allowed: maybe}
            overrides:
              - namespaceSelector: {matchLabels: {team: "a b"}}
                enforcement: {default: warn}
            """;

    static final List<String> PROBLEMS = List.of(
            "enforcement.default: must be deny, warn, audit or off, got \"sometimes\"",
            "enforcement.checks.tls-uncoverd-host: unknown check id 'tls-uncoverd-host' (did you mean tls-uncovered-host?)",
            "optOut.allowed: must be true or false, got the string \"maybe\"",
            "overrides[0].namespaceSelector.matchLabels.team: label value 'a b' must consist of alphanumerics,"
                    + " '-', '_' or '.', and start and end with an alphanumeric");

    static final String GOOD = """
            apiVersion: routecert.dev/v1alpha1
            kind: Policy
            enforcement: {default: deny, checks: {tls-unserved-name: off}}
            """;

    @Test
    void serveStopsAtABadPolicyFileNamingEveryProblem(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("policy.yaml"), BAD);
        CliRun run = CliRun.of("serve", "--policy-file", file.toString(), "--policy-reload-interval", "0s");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("invalid configuration:"), run.err());
        for (String problem : PROBLEMS) {
            assertTrue(run.err().contains("--policy-file " + file + ": " + problem), problem + " in " + run.err());
        }
        assertTrue(run.err().contains("--policy-reload-interval must be at least 10ms, got 0s"), run.err());
    }

    @Test
    void serveStopsAtAMissingPolicyFile(@TempDir Path dir) {
        Path file = dir.resolve("policy.yaml");
        CliRun run = CliRun.of("serve", "--policy-file", file.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("--policy-file " + file + ": file " + file + " does not exist"), run.err());
    }

    @Test
    void checkRefusesTheSameFileWithTheSameProblems(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("policy.yaml"), BAD);
        String route = CheckCommandTest.fixture("ingressroute/with_host_and_path_prefix");
        CliRun run = CliRun.of("check", "--policy-file", file.toString(), route);
        assertEquals(2, run.exitCode(), run.err());
        for (String problem : PROBLEMS) {
            assertTrue(
                    run.err().contains("error: --policy-file " + file + ": " + problem), problem + " in " + run.err());
        }

        Files.writeString(file, GOOD);
        CliRun good =
                CliRun.of("check", "--default-issuer", "letsencrypt-prod", "--policy-file", file.toString(), route);
        assertEquals(0, good.exitCode(), good.err() + good.out());
    }

    @Test
    void checkAppliesEachNamespacesModesFromTheNamespaceDocumentsLabels(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("policy.yaml"), """
                apiVersion: routecert.dev/v1alpha1
                kind: Policy
                overrides:
                  - namespaceSelector: {matchLabels: {rollout: warn}}
                    enforcement: {default: warn}
                  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: quiet}}
                    enforcement: {default: audit}
                """);
        String route = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: %s}
                spec:
                  rules: [{host: a.example.com}]
                  tls: [{hosts: [b.example.com], secretName: web-tls}]
                """;
        String warned = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {rollout: warn}}\n---\n"
                + route.formatted("shop");
        CheckCommandTest.Run warn =
                CheckCommandTest.run(warned, "--default-issuer", "ca", "--policy-file", file.toString(), "-");
        assertEquals(0, warn.exit(), warn.out() + warn.err());
        assertTrue(warn.out().contains("[tls-uncovered-host]"), warn.out());

        CheckCommandTest.Run audit = CheckCommandTest.run(
                route.formatted("quiet"), "--default-issuer", "ca", "--policy-file", file.toString(), "-");
        assertEquals(0, audit.exit(), "selected by name, without a Namespace document: " + audit.out());

        CheckCommandTest.Run deny = CheckCommandTest.run(
                route.formatted("other"), "--default-issuer", "ca", "--policy-file", file.toString(), "-");
        assertEquals(1, deny.exit(), "no override: the top level's deny counts: " + deny.out());
    }
}
