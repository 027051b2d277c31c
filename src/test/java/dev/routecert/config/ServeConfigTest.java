package dev.routecert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.routecert.http.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The checks {@link ServeConfig#problems()} makes of the options that have no CLI test of their own. */
class ServeConfigTest {

    @TempDir
    Path dir;

    /** A configuration with no problems: loopback, free ports, no cluster. */
    private static ServeConfig valid() {
        return TestServer.defaults().toBuilder()
                .certReloadInterval(Duration.ofSeconds(10))
                .build();
    }

    private ServeConfig withCertificateFiles() {
        return valid().toBuilder()
                .certificateFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"))
                .build();
    }

    @Test
    void theBaseHasNoProblems() {
        assertEquals(List.of(), valid().problems());
        assertEquals(List.of(), withCertificateFiles().problems());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 1024, 1024L * 1024 * 1024})
    void aMinimumDataRateFromNoneTo1GiIsAccepted(long rate) {
        assertEquals(
                List.of(), valid().toBuilder().minRequestDataRate(rate).build().problems());
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, Long.MIN_VALUE, 1024L * 1024 * 1024 + 1, Long.MAX_VALUE})
    void aMinimumDataRateOutsideItsRangeIsAProblem(long rate) {
        assertEquals(
                List.of("--min-request-data-rate must be between 0 (no minimum) and 1Gi bytes per second, got " + rate),
                valid().toBuilder().minRequestDataRate(rate).build().problems());
    }

    @Test
    void expiryWarningIsBetweenAnHourAndAYear() {
        assertEquals(Duration.ofDays(14), valid().expiryWarning());
        assertEquals(
                List.of("--expiry-warning must be between 1h and 8760h (365 days), got 3540s"),
                valid().toBuilder()
                        .expiryWarning(Duration.ofMinutes(59))
                        .build()
                        .problems());
        assertEquals(
                List.of(),
                valid().toBuilder().expiryWarning(Duration.ofDays(365)).build().problems());
        assertEquals(
                1,
                valid().toBuilder()
                        .expiryWarning(Duration.ofDays(366))
                        .build()
                        .problems()
                        .size());
    }

    @Test
    void adoptFromIsAListOfLabelValuesSwitchboardByDefault() {
        assertEquals(List.of("switchboard"), valid().adoptFrom());
        assertEquals(List.of(), valid().toBuilder().adoptFrom(List.of()).build().problems());
        assertEquals(
                List.of(),
                valid().toBuilder()
                        .adoptFrom(List.of("switchboard", "my_old.tool-2"))
                        .build()
                        .problems());
        assertEquals(
                List.of("--adopt-from: \"-x\" is not a label value (1-63 letters, digits, '-', '_' or '.', starting"
                        + " and ending with a letter or digit)"),
                valid().toBuilder()
                        .adoptFrom(List.of("switchboard", "-x"))
                        .build()
                        .problems());
        assertEquals(
                1,
                valid().toBuilder()
                        .adoptFrom(List.of("a".repeat(64)))
                        .build()
                        .problems()
                        .size());
    }

    @Test
    void dnsEndpointsAreOffByDefaultAndTheirProblemsAreTheConfigurations() {
        assertEquals(DnsOptions.defaults(), valid().dns());
        assertEquals(
                List.of("--dns-endpoints=true needs the records' target: --dns-target-service NAMESPACE/NAME"
                        + " (Traefik's LoadBalancer Service) or --dns-targets ADDRESS[,ADDRESS]"),
                valid().toBuilder()
                        .dns(new DnsOptions(true, DnsOptions.DEFAULT_KINDS, null, List.of(), DnsOptions.DEFAULT_TTL))
                        .build()
                        .problems());
    }

    @Test
    void serverNamesNeedACertificateFile() {
        assertEquals(
                List.of("--tls-server-names only applies with --tls-cert-file"),
                valid().toBuilder()
                        .tlsServerNames(List.of("routecert.routecert.svc"))
                        .build()
                        .problems());
    }

    @Test
    void serverNamesThatAreDnsNamesAreAccepted() {
        List<String> names = List.of(
                "routecert.routecert.svc",
                "routecert.routecert.svc.cluster.local",
                "localhost",
                "xn--bcher-kva.example",
                "a".repeat(63) + ".example");
        assertEquals(
                List.of(),
                withCertificateFiles().toBuilder().tlsServerNames(names).build().problems());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "under_score.example",
                "-leading.example",
                "trailing-.example",
                "double..dot",
                "trailing.dot.",
                "white space",
                "b\u00fccher.example",
                "routecert.svc:443"
            })
    void aServerNameThatIsNotADnsNameIsAProblem(String name) {
        assertEquals(
                List.of("--tls-server-names: \"" + name + "\" is not a DNS name"),
                withCertificateFiles().toBuilder()
                        .tlsServerNames(List.of("routecert.routecert.svc", name))
                        .build()
                        .problems());
    }

    @Test
    void aLabelLongerThan63CharactersIsNotADnsName() {
        String name = "a".repeat(64) + ".example";
        assertEquals(
                List.of("--tls-server-names: \"" + name + "\" is not a DNS name"),
                withCertificateFiles().toBuilder()
                        .tlsServerNames(List.of(name))
                        .build()
                        .problems());
    }

    @Test
    void everyBadServerNameIsReportedAtOnce() {
        assertEquals(
                List.of(
                        "--tls-server-names only applies with --tls-cert-file",
                        "--tls-server-names: \"a_b\" is not a DNS name",
                        "--tls-server-names: \"c d\" is not a DNS name"),
                valid().toBuilder()
                        .tlsServerNames(List.of("a_b", "ok", "c d"))
                        .build()
                        .problems());
    }

    @Test
    void theGuardDefaultsAreValid() {
        assertEquals(GuardOptions.defaults(), valid().guard());
        assertEquals(List.of(), GuardOptions.defaults().problems());
    }

    @Test
    void excludedNamespacesMustBeNamespaceNamesAndTheLabelALabelKey() {
        GuardOptions bad = new GuardOptions(List.of("kube-system", "Kube_System", ""), "not a/label/key", null);
        assertEquals(
                List.of(
                        "--excluded-namespaces: \"Kube_System\" is not a namespace name (a DNS label)",
                        "--excluded-namespaces: \"\" is not a namespace name (a DNS label)",
                        "--exempt-namespace-label: \"not a/label/key\" is not a label key ([prefix/]name, e.g."
                                + " routecert.dev/exempt)"),
                valid().toBuilder().guard(bad).build().problems());
    }

    @ParameterizedTest
    @ValueSource(strings = {"routecert.dev/exempt", "exempt", "example.com/no-webhooks", ""})
    void anExemptLabelKeyOrNoneIsAccepted(String key) {
        assertEquals(
                List.of(),
                valid().toBuilder()
                        .guard(new GuardOptions(List.of(), key, null))
                        .build()
                        .problems());
    }

    @Test
    void theClientCaFileMustExist() throws Exception {
        Path missing = dir.resolve("ca.crt");
        assertEquals(
                List.of("--client-ca-file: file " + missing + " does not exist"),
                valid().toBuilder()
                        .guard(GuardOptions.defaults().withClientCaFile(missing))
                        .build()
                        .problems());
        Files.writeString(missing, "PEM");
        assertEquals(
                List.of(),
                valid().toBuilder()
                        .guard(GuardOptions.defaults().withClientCaFile(missing))
                        .build()
                        .problems());
    }

    @Test
    void aKubeconfigWithLeaderElectionButNoLeaseNamespaceIsAProblem() throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1");
        CertificateOptions noNamespace = CertificateOptions.defaults()
                .withLeaderElection(true, null, "routecert-reconciler", Duration.ofSeconds(15));
        assertEquals(
                List.of(CertificateOptions.NO_LEASE_NAMESPACE),
                valid().toBuilder()
                        .kubernetes(ServeConfig.KubernetesMode.AUTO)
                        .kubeconfig(kubeconfig)
                        .certificates(noNamespace)
                        .build()
                        .problems());
        // without a cluster to elect in, or without election, nothing is missing
        assertEquals(
                List.of(), valid().toBuilder().certificates(noNamespace).build().problems());
        assertEquals(
                List.of(),
                valid().toBuilder()
                        .kubernetes(ServeConfig.KubernetesMode.AUTO)
                        .kubeconfig(kubeconfig)
                        .certificates(CertificateOptions.defaults()
                                .withLeaderElection(false, null, "routecert-reconciler", Duration.ofSeconds(15)))
                        .build()
                        .problems());
    }

    @Test
    void theLogFormatIsTextOrJson() {
        assertEquals(
                List.of(),
                valid().toBuilder()
                        .logging(new LogOptions("debug", "json"))
                        .build()
                        .problems());
        assertEquals(
                List.of(
                        "--log-level must be one of error, warn, info, debug, got 'loud'",
                        "--log-format must be text or json, got 'logfmt'"),
                valid().toBuilder()
                        .logging(new LogOptions("loud", "logfmt"))
                        .build()
                        .problems());
    }
}
