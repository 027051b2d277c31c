package dev.routecert.config;

import dev.routecert.policy.scope.ScopeSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** Everything {@code routecert serve} is configured with, checked as a whole. */
public record ServeConfig(
        String bindAddress,
        int securePort,
        int healthPort,
        Path tlsCertFile,
        Path tlsPrivateKeyFile,
        Path selfSignedCertOut,
        Duration certReloadInterval,
        long maxRequestBytes,
        Duration requestReadTimeout,
        Duration idleTimeout,
        Duration shutdownDelay,
        Duration shutdownTimeout,
        KubernetesMode kubernetes,
        Path kubeconfig,
        CertificateOptions certificates,
        long maxInFlightBytes,
        long minRequestDataRate,
        List<String> tlsServerNames,
        Path policyFile,
        Duration policyReloadInterval,
        GuardOptions guard,
        ScopeSettings scope,
        LogOptions logging,
        Duration expiryWarning,
        List<String> adoptFrom,
        DnsOptions dns) {

    /** Default of {@code --max-in-flight-bytes}: one review near etcd's 1.5 MiB object limit at a time. */
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 2L * 1024 * 1024;

    /**
     * Default of {@code --min-request-data-rate}, bytes per second: the API server sends a review at
     * once, so only a client that holds its connection open on purpose sends slower than this.
     */
    public static final long DEFAULT_MIN_REQUEST_DATA_RATE = 1024;

    /**
     * Default of {@code --expiry-warning}: cert-manager renews at two thirds of a certificate's life
     * (30 days before the end of a 90-day one), so a certificate within 14 days of its end has missed
     * its renewal by two weeks.
     */
    public static final Duration DEFAULT_EXPIRY_WARNING = Duration.ofDays(14);

    /** Default of {@code --policy-reload-interval}: as the serving certificate's. */
    public static final Duration DEFAULT_POLICY_RELOAD_INTERVAL = Duration.ofSeconds(10);

    /**
     * Default of {@code --adopt-from}: the {@code managed-by} label value of switchboard, whose
     * Certificates and DNSEndpoints for a route routecert takes over rather than duplicates.
     */
    public static final List<String> DEFAULT_ADOPT_FROM = List.of("switchboard");

    /** A Kubernetes label value that is not empty. */
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    public ServeConfig {
        tlsServerNames = List.copyOf(tlsServerNames);
        adoptFrom = List.copyOf(adoptFrom);
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(scope, "scope");
    }

    public ServeConfig withCertificates(CertificateOptions options) {
        return toBuilder().certificates(options).build();
    }

    public ServeConfig withScope(ScopeSettings settings) {
        return toBuilder().scope(settings).build();
    }

    public ServeConfig withPolicyFile(Path file, Duration reloadInterval) {
        return toBuilder().policyFile(file, reloadInterval).build();
    }

    public ServeConfig withKubeconfig(Path file) {
        return toBuilder().kubeconfig(file).build();
    }

    /** A copy to change some options of: what tests and embedders start from. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * A configuration built from nothing, as {@code serve} builds its own. The options with a default
     * here start at it; the others (address, ports, timeouts, {@code --kubernetes}) must be set.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Changes some options of a configuration; the rest stay as they were. */
    public static final class Builder {
        private String bindAddress;
        private int securePort;
        private int healthPort;
        private Path tlsCertFile;
        private Path tlsPrivateKeyFile;
        private Path selfSignedCertOut;
        private Duration certReloadInterval;
        private long maxRequestBytes;
        private Duration requestReadTimeout;
        private Duration idleTimeout;
        private Duration shutdownDelay;
        private Duration shutdownTimeout;
        private KubernetesMode kubernetes;
        private Path kubeconfig;
        private CertificateOptions certificates;
        private long maxInFlightBytes;
        private long minRequestDataRate;
        private List<String> tlsServerNames;
        private Path policyFile;
        private Duration policyReloadInterval;
        private GuardOptions guard;
        private ScopeSettings scope;
        private LogOptions logging;
        private Duration expiryWarning;
        private List<String> adoptFrom;
        private DnsOptions dns;

        private Builder() {
            this.certificates = CertificateOptions.defaults();
            this.maxInFlightBytes = DEFAULT_MAX_IN_FLIGHT_BYTES;
            this.minRequestDataRate = DEFAULT_MIN_REQUEST_DATA_RATE;
            this.tlsServerNames = List.of();
            this.policyReloadInterval = DEFAULT_POLICY_RELOAD_INTERVAL;
            this.guard = GuardOptions.defaults();
            this.scope = ScopeSettings.everything();
            this.logging = LogOptions.defaults();
            this.expiryWarning = DEFAULT_EXPIRY_WARNING;
            this.adoptFrom = DEFAULT_ADOPT_FROM;
            this.dns = DnsOptions.defaults();
        }

        private Builder(ServeConfig config) {
            this.bindAddress = config.bindAddress;
            this.securePort = config.securePort;
            this.healthPort = config.healthPort;
            this.tlsCertFile = config.tlsCertFile;
            this.tlsPrivateKeyFile = config.tlsPrivateKeyFile;
            this.selfSignedCertOut = config.selfSignedCertOut;
            this.certReloadInterval = config.certReloadInterval;
            this.maxRequestBytes = config.maxRequestBytes;
            this.requestReadTimeout = config.requestReadTimeout;
            this.idleTimeout = config.idleTimeout;
            this.shutdownDelay = config.shutdownDelay;
            this.shutdownTimeout = config.shutdownTimeout;
            this.kubernetes = config.kubernetes;
            this.kubeconfig = config.kubeconfig;
            this.certificates = config.certificates;
            this.scope = config.scope;
            this.maxInFlightBytes = config.maxInFlightBytes;
            this.minRequestDataRate = config.minRequestDataRate;
            this.tlsServerNames = config.tlsServerNames;
            this.policyFile = config.policyFile;
            this.policyReloadInterval = config.policyReloadInterval;
            this.guard = config.guard;
            this.logging = config.logging;
            this.expiryWarning = config.expiryWarning;
            this.adoptFrom = config.adoptFrom;
            this.dns = config.dns;
        }

        public Builder bindAddress(String address) {
            this.bindAddress = address;
            return this;
        }

        public Builder ports(int secure, int health) {
            this.securePort = secure;
            this.healthPort = health;
            return this;
        }

        public Builder certificateFiles(Path certificate, Path privateKey) {
            this.tlsCertFile = certificate;
            this.tlsPrivateKeyFile = privateKey;
            return this;
        }

        public Builder selfSignedCertOut(Path file) {
            this.selfSignedCertOut = file;
            return this;
        }

        public Builder certReloadInterval(Duration interval) {
            this.certReloadInterval = interval;
            return this;
        }

        public Builder maxRequestBytes(long bytes) {
            this.maxRequestBytes = bytes;
            return this;
        }

        public Builder requestReadTimeout(Duration timeout) {
            this.requestReadTimeout = timeout;
            return this;
        }

        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        public Builder shutdown(Duration delay, Duration timeout) {
            this.shutdownDelay = delay;
            this.shutdownTimeout = timeout;
            return this;
        }

        public Builder kubeconfig(Path file) {
            this.kubeconfig = file;
            return this;
        }

        public Builder kubernetes(KubernetesMode mode) {
            this.kubernetes = mode;
            return this;
        }

        public Builder certificates(CertificateOptions options) {
            this.certificates = options;
            return this;
        }

        public Builder maxInFlightBytes(long bytes) {
            this.maxInFlightBytes = bytes;
            return this;
        }

        public Builder minRequestDataRate(long bytesPerSecond) {
            this.minRequestDataRate = bytesPerSecond;
            return this;
        }

        public Builder tlsServerNames(List<String> names) {
            this.tlsServerNames = names;
            return this;
        }

        public Builder policyFile(Path file, Duration reloadInterval) {
            this.policyFile = file;
            this.policyReloadInterval = reloadInterval;
            return this;
        }

        public Builder guard(GuardOptions options) {
            this.guard = options;
            return this;
        }

        public Builder scope(ScopeSettings settings) {
            this.scope = settings;
            return this;
        }

        public Builder logging(LogOptions options) {
            this.logging = options;
            return this;
        }

        public Builder expiryWarning(Duration window) {
            this.expiryWarning = window;
            return this;
        }

        /** The {@code managed-by} label values of predecessors whose objects for a route are taken over. */
        public Builder adoptFrom(List<String> names) {
            this.adoptFrom = names;
            return this;
        }

        /** Whether and how routes get external-dns DNSEndpoints. */
        public Builder dns(DnsOptions options) {
            this.dns = options;
            return this;
        }

        public ServeConfig build() {
            return new ServeConfig(
                    bindAddress,
                    securePort,
                    healthPort,
                    tlsCertFile,
                    tlsPrivateKeyFile,
                    selfSignedCertOut,
                    certReloadInterval,
                    maxRequestBytes,
                    requestReadTimeout,
                    idleTimeout,
                    shutdownDelay,
                    shutdownTimeout,
                    kubernetes,
                    kubeconfig,
                    certificates,
                    maxInFlightBytes,
                    minRequestDataRate,
                    tlsServerNames,
                    policyFile,
                    policyReloadInterval,
                    guard,
                    scope,
                    logging,
                    expiryWarning,
                    adoptFrom,
                    dns);
        }
    }

    /** The API server keeps idle connections to webhooks for 90 s; closing first breaks its next request. */
    public static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(90);

    public enum KubernetesMode {
        AUTO,
        OFF
    }

    public boolean usesCertificateFiles() {
        return tlsCertFile != null;
    }

    /** What is wrong with {@code --expiry-warning} (serve's and check's), if anything. */
    public static Optional<String> expiryWarningProblem(Duration expiryWarning) {
        if (expiryWarning == null
                || expiryWarning.compareTo(Duration.ofHours(1)) < 0
                || expiryWarning.compareTo(Duration.ofDays(365)) > 0) {
            return Optional.of("--expiry-warning must be between 1h and 8760h (365 days), got "
                    + (expiryWarning == null ? "nothing" : Durations.format(expiryWarning)));
        }
        return Optional.empty();
    }

    /** Every problem at once, each naming its option; empty when the configuration is usable. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        checkPort(problems, "--secure-port", securePort);
        checkPort(problems, "--health-port", healthPort);
        if (securePort != 0 && securePort == healthPort) {
            problems.add("--secure-port and --health-port must differ (both are " + securePort + ")");
        }
        if ((tlsCertFile == null) != (tlsPrivateKeyFile == null)) {
            problems.add(
                    "--tls-cert-file and --tls-private-key-file go together: give both, or neither for a self-signed certificate");
        }
        checkParent(problems, "--tls-cert-file", tlsCertFile);
        checkParent(problems, "--tls-private-key-file", tlsPrivateKeyFile);
        if (selfSignedCertOut != null && tlsCertFile != null) {
            problems.add("--self-signed-cert-out only applies without --tls-cert-file");
        }
        checkParent(problems, "--self-signed-cert-out", selfSignedCertOut);
        if (kubeconfig != null && !kubeconfig.toFile().isFile()) {
            problems.add("--kubeconfig: file " + kubeconfig + " does not exist");
        }
        if (kubeconfig != null && kubernetes == KubernetesMode.OFF) {
            problems.add("--kubeconfig and --kubernetes=off contradict each other");
        }
        checkPositive(problems, "--cert-reload-interval", certReloadInterval, Duration.ofMillis(10));
        if (maxRequestBytes < 1024 || maxRequestBytes > 64L * 1024 * 1024) {
            problems.add("--max-request-bytes must be between 1Ki and 64Mi, got " + maxRequestBytes);
        }
        if (maxInFlightBytes < 64 * 1024 || maxInFlightBytes > 1024L * 1024 * 1024) {
            problems.add("--max-in-flight-bytes must be between 64Ki and 1Gi, got " + maxInFlightBytes);
        }
        checkPositive(problems, "--request-read-timeout", requestReadTimeout, Duration.ofMillis(100));
        if (minRequestDataRate < 0 || minRequestDataRate > 1024L * 1024 * 1024) {
            problems.add("--min-request-data-rate must be between 0 (no minimum) and 1Gi bytes per second, got "
                    + minRequestDataRate);
        }
        if (!tlsServerNames.isEmpty() && tlsCertFile == null) {
            problems.add("--tls-server-names only applies with --tls-cert-file");
        }
        for (String name : tlsServerNames) {
            if (!name.matches(
                    "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")) {
                problems.add("--tls-server-names: \"" + name + "\" is not a DNS name");
            }
        }
        if (idleTimeout.compareTo(MIN_IDLE_TIMEOUT) < 0) {
            problems.add("--idle-timeout must be at least 90s (the API server reuses idle connections for 90s), got "
                    + Durations.format(idleTimeout));
        }
        if (shutdownDelay.isNegative()) {
            problems.add("--shutdown-delay must not be negative");
        }
        checkPositive(problems, "--shutdown-timeout", shutdownTimeout, Duration.ofMillis(1));
        problems.addAll(certificates.problems());
        if (kubernetes != KubernetesMode.OFF
                && kubeconfig != null
                && certificates.leaderElection()
                && certificates.leaderElectionNamespace() == null) {
            problems.add(CertificateOptions.NO_LEASE_NAMESPACE);
        }
        checkPositive(problems, "--policy-reload-interval", policyReloadInterval, Duration.ofMillis(10));
        if (policyFile != null) {
            // read now, so that a bad policy stops start-up with the other configuration errors
            PolicyFileSource.problems(policyFile).forEach(p -> problems.add("--policy-file " + policyFile + ": " + p));
        }
        problems.addAll(guard.problems());
        problems.addAll(scope.problems());
        problems.addAll(logging.problems());
        expiryWarningProblem(expiryWarning).ifPresent(problems::add);
        problems.addAll(dns.problems());
        for (String name : adoptFrom) {
            if (!LABEL_VALUE.matcher(name).matches()) {
                problems.add("--adopt-from: \"" + name + "\" is not a label value (1-63 letters, digits, '-', '_'"
                        + " or '.', starting and ending with a letter or digit)");
            }
        }
        return problems;
    }

    private static void checkPort(List<String> problems, String option, int port) {
        if (port < 0 || port > 65535) {
            problems.add(option + " must be a TCP port (0-65535, 0 picks a free one), got " + port);
        }
    }

    private static void checkParent(List<String> problems, String option, Path file) {
        if (file == null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !parent.toFile().isDirectory()) {
            problems.add(option + ": directory " + parent + " does not exist");
        }
    }

    private static void checkPositive(List<String> problems, String option, Duration value, Duration minimum) {
        if (value.compareTo(minimum) < 0) {
            problems.add(
                    option + " must be at least " + Durations.format(minimum) + ", got " + Durations.format(value));
        }
    }
}
