package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.cluster.PodNamespace;
import dev.routecert.config.CertificateOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void aCertificateTemplateCertManagerWouldRefuseStopsServeBeforeItStarts(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("template.yaml");
        Files.writeString(bad, """
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata: {name: everyone}
                spec: {renewBefore: 2m, usages: [server auth, clientauth]}
                """);
        CliRun run = run("serve", "--kubernetes=off", "--certificate-template", bad.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("Invalid value for option '--certificate-template'"), run.err());
        assertTrue(run.err().contains("metadata.name: is the route's own"), run.err());
        assertTrue(
                run.err().contains("spec.renewBefore: renew-before 2m is shorter than cert-manager's minimum of 5m"),
                run.err());
        assertTrue(run.err().contains("spec.usages: 'clientauth' is not a key usage cert-manager knows"), run.err());
    }

    @Test
    void helpListsEveryOptionWithItsEnvironmentVariableAndDefault() {
        CliRun help = run("serve", "--help");
        assertEquals(0, help.exitCode());
        String text = help.out().replaceAll("\\s+", " ");
        for (String option : List.of(
                "--bind-address",
                "--secure-port",
                "--health-port",
                "--tls-cert-file",
                "--tls-private-key-file",
                "--self-signed-cert-out",
                "--cert-reload-interval",
                "--max-request-bytes",
                "--request-read-timeout",
                "--idle-timeout",
                "--shutdown-delay",
                "--shutdown-timeout",
                "--kubernetes",
                "--log-level",
                "--log-format",
                "--certificate-write-timeout",
                "--certificate-write-failure",
                "--orphan-grace-period",
                "--leader-election",
                "--leader-election-namespace",
                "--leader-election-lease-name",
                "--leader-election-lease-duration",
                "--resync-period",
                "--default-issuer",
                "--default-issuer-kind",
                "--default-issuer-group",
                "--default-syntax",
                "--require-tls",
                "--policy-file",
                "--policy-reload-interval",
                "--adopt-from",
                "--certificate-template",
                "--dns-endpoints",
                "--dns-endpoint-kinds",
                "--dns-target-service",
                "--dns-targets",
                "--dns-ttl")) {
            assertTrue(text.contains(option), option + " missing from --help");
            String env = "ROUTECERT_" + option.substring(2).toUpperCase().replace('-', '_');
            assertTrue(text.contains("env " + env), env + " missing from --help:\n" + help.out());
        }
        assertTrue(text.contains("default 9443"), text);
        assertTrue(text.contains("default 7Mi"), text);
        assertTrue(text.contains("one of AUTO, OFF"), text);
        assertTrue(text.contains("(env ROUTECERT_CERTIFICATE_WRITE_TIMEOUT, default 3s)"), text);
        assertTrue(text.contains("default deny; one of DENY, WARN"), text);
        assertTrue(text.contains("(env ROUTECERT_ORPHAN_GRACE_PERIOD, default 60s)"), text);
        assertTrue(text.contains("(env ROUTECERT_LEADER_ELECTION, default true)"), text);
        assertTrue(text.contains("(env ROUTECERT_RESYNC_PERIOD, default 10m)"), text);
        assertTrue(text.contains("(env ROUTECERT_LOG_FORMAT, default text)"), text);
    }

    @Test
    void certificateOptionsAreParsedAndInvalidOnesAllReported() {
        CommandLine.ParseResult parsed = Main.commandLine()
                .parseArgs(
                        "serve",
                        "--certificate-write-timeout",
                        "1500ms",
                        "--certificate-write-failure",
                        "warn",
                        "--orphan-grace-period",
                        "5s",
                        "--leader-election=false",
                        "--leader-election-namespace",
                        "ops",
                        "--leader-election-lease-name",
                        "rc",
                        "--leader-election-lease-duration",
                        "4s",
                        "--resync-period",
                        "1m");
        var options = ((ServeCommand) parsed.subcommand().commandSpec().userObject())
                .config()
                .certificates();
        assertEquals(
                new CertificateOptions(
                        Duration.ofMillis(1500),
                        CertificateOptions.WriteFailure.WARN,
                        Duration.ofSeconds(5),
                        false,
                        "ops",
                        "rc",
                        Duration.ofSeconds(4),
                        Duration.ofMinutes(1),
                        "routecert",
                        null),
                options);

        CliRun run = run(
                "serve",
                "--certificate-write-timeout",
                "9s",
                "--orphan-grace-period",
                "0s",
                "--leader-election-namespace",
                "Ops",
                "--leader-election-lease-name",
                "a_b",
                "--resync-period",
                "10ms",
                "--leader-election-lease-duration",
                "1s");
        assertEquals(2, run.exitCode());
        assertTrue(
                run.err()
                        .contains(
                                "--certificate-write-timeout must be between 100ms and 8s (the webhook's timeoutSeconds is 10s"
                                        + " and the review needs time around the write), got 9s"),
                run.err());
        assertTrue(run.err().contains("--orphan-grace-period must be at least 1s"), run.err());
        assertTrue(
                run.err()
                        .contains(
                                "--leader-election-namespace must be a namespace name (lower-case DNS label), got 'Ops'"),
                run.err());
        assertTrue(
                run.err().contains("--leader-election-lease-name must be a lower-case DNS subdomain, got 'a_b'"),
                run.err());
        assertTrue(run.err().contains("--resync-period must be at least 1s, got 10ms"), run.err());
        assertTrue(run.err().contains("--leader-election-lease-duration must be at least 2s, got 1s"), run.err());

        CliRun mode = run("serve", "--certificate-write-failure", "ignore");
        assertEquals(2, mode.exitCode());
        assertTrue(mode.err().contains("Invalid value for option '--certificate-write-failure'"), mode.err());
    }

    @Test
    void hostClaimOptionsAreParsedDefaultedAndChecked() {
        CommandLine.ParseResult parsed = Main.commandLine()
                .parseArgs("serve", "--claims-namespace", "routecert-claims", "--host-claim-grace", "30s");
        var options = ((ServeCommand) parsed.subcommand().commandSpec().userObject())
                .config()
                .certificates();
        assertEquals("routecert-claims", options.claimsNamespace());
        assertEquals(Duration.ofSeconds(30), options.effectiveHostClaimGrace());

        var defaults = ((ServeCommand) Main.commandLine()
                        .parseArgs("serve", "--orphan-grace-period", "90s")
                        .subcommand()
                        .commandSpec()
                        .userObject())
                .config()
                .certificates();
        assertEquals("routecert", defaults.claimsNamespace());
        assertEquals(Duration.ofSeconds(90), defaults.effectiveHostClaimGrace(), "the orphan grace period");

        String help = run("serve", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("(env ROUTECERT_CLAIMS_NAMESPACE, default routecert)"), help);
        assertTrue(help.contains("Unset: --orphan-grace-period (env ROUTECERT_HOST_CLAIM_GRACE)"), help);

        CliRun run = run("serve", "--claims-namespace", "Claims", "--host-claim-grace", "500ms");
        assertEquals(2, run.exitCode());
        assertTrue(
                run.err().contains("--claims-namespace must be a namespace name (lower-case DNS label), got 'Claims'"),
                run.err());
        assertTrue(run.err().contains("--host-claim-grace must be at least 1s"), run.err());
    }

    @Test
    void topLevelHelpNamesTheServeCommand() {
        CliRun help = run("--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("serve"), help.out());
        CliRun none = run();
        assertEquals(2, none.exitCode());
        assertTrue(none.err().contains("a command is required"), none.err());
    }

    @Test
    void aValueOfTheWrongTypeStopsStartUpNamingTheOption() {
        CliRun run = run("serve", "--cert-reload-interval", "often");
        assertEquals(2, run.exitCode());
        assertTrue(
                run.err().contains("Invalid value for option '--cert-reload-interval': 'often' is not a duration"),
                run.err());
        CliRun size = run("serve", "--max-request-bytes", "lots");
        assertEquals(2, size.exitCode());
        assertTrue(
                size.err().contains("Invalid value for option '--max-request-bytes': 'lots' is not a size"),
                size.err());
        CliRun mode = run("serve", "--kubernetes", "maybe");
        assertEquals(2, mode.exitCode());
        assertTrue(mode.err().contains("Invalid value for option '--kubernetes'"), mode.err());
    }

    @Test
    void everyInvalidValueIsReportedAtOnce() {
        CliRun run = run(
                "serve",
                "--secure-port",
                "70000",
                "--idle-timeout",
                "30s",
                "--tls-cert-file",
                "/etc/tls.crt",
                "--max-request-bytes",
                "100",
                "--log-level",
                "loud",
                "--log-format",
                "xml");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("invalid configuration:"), run.err());
        assertTrue(
                run.err().contains("--secure-port must be a TCP port (0-65535, 0 picks a free one), got 70000"),
                run.err());
        assertTrue(
                run.err()
                        .contains(
                                "--idle-timeout must be at least 90s (the API server reuses idle connections for 90s), got 30s"),
                run.err());
        assertTrue(run.err().contains("--tls-cert-file and --tls-private-key-file go together"), run.err());
        assertTrue(run.err().contains("--max-request-bytes must be between 1Ki and 64Mi, got 100"), run.err());
        assertTrue(run.err().contains("--log-level must be one of error, warn, info, debug, got 'loud'"), run.err());
        assertTrue(run.err().contains("--log-format must be text or json, got 'xml'"), run.err());
    }

    @Test
    void certificateFilesMustLiveInAnExistingDirectory() {
        CliRun run = run(
                "serve", "--tls-cert-file", "/no/such/dir/tls.crt", "--tls-private-key-file", "/no/such/dir/tls.key");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--tls-cert-file: directory /no/such/dir does not exist"), run.err());
        assertTrue(run.err().contains("--tls-private-key-file: directory /no/such/dir does not exist"), run.err());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        CommandLine commandLine = Main.commandLine();
        CommandLine.ParseResult parsed = commandLine.parseArgs("serve");
        ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
        var config = serve.config();
        // the environment of a test run may set ROUTECERT_*; the defaults hold only where it does not
        if (System.getenv().keySet().stream().noneMatch(k -> k.startsWith("ROUTECERT_"))) {
            assertEquals(9443, config.securePort());
            assertEquals(8080, config.healthPort());
            assertEquals(7L * 1024 * 1024, config.maxRequestBytes());
            assertEquals(Duration.ofSeconds(10), config.certReloadInterval());
            assertEquals(Duration.ofSeconds(120), config.idleTimeout());
            assertEquals(dev.routecert.config.ServeConfig.KubernetesMode.AUTO, config.kubernetes());
            assertEquals(List.of(), config.problems());
            // the Lease namespace defaults to the pod's own: none outside a pod
            CertificateOptions defaults = CertificateOptions.defaults();
            assertEquals(
                    defaults.withLeaderElection(
                            true,
                            PodNamespace.find().orElse(null),
                            defaults.leaderElectionLeaseName(),
                            defaults.leaseDuration()),
                    config.certificates());
        }
    }
}
