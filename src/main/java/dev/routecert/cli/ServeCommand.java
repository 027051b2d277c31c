package dev.routecert.cli;

import dev.routecert.Routecert;
import dev.routecert.cluster.PodNamespace;
import dev.routecert.config.CertificateOptions;
import dev.routecert.config.DnsOptions;
import dev.routecert.config.GuardOptions;
import dev.routecert.config.LogOptions;
import dev.routecert.config.ServeConfig;
import dev.routecert.config.ServeConfig.KubernetesMode;
import dev.routecert.log.LogSetup;
import dev.routecert.policy.PolicyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code routecert serve}: the admission webhook server. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Serve AdmissionReviews on HTTPS (POST /mutate, POST /validate) and probes and metrics on HTTP.",
            "Every option can also be set through the environment variable shown; a flag wins over it."
        })
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--bind-address",
            paramLabel = "ADDRESS",
            defaultValue = "${env:ROUTECERT_BIND_ADDRESS:-0.0.0.0}",
            description = "Address both listeners bind to (env ROUTECERT_BIND_ADDRESS, default ${DEFAULT-VALUE}).")
    String bindAddress;

    @Option(
            names = "--secure-port",
            paramLabel = "PORT",
            defaultValue = "${env:ROUTECERT_SECURE_PORT:-9443}",
            description =
                    "HTTPS port for admission reviews; 0 picks a free port (env ROUTECERT_SECURE_PORT, default ${DEFAULT-VALUE}).")
    int securePort;

    @Option(
            names = "--health-port",
            paramLabel = "PORT",
            defaultValue = "${env:ROUTECERT_HEALTH_PORT:-8080}",
            description =
                    "Plain HTTP port for /livez, /readyz and /metrics (env ROUTECERT_HEALTH_PORT, default ${DEFAULT-VALUE}).")
    int healthPort;

    @Option(
            names = "--tls-cert-file",
            paramLabel = "FILE",
            defaultValue = "${env:ROUTECERT_TLS_CERT_FILE}",
            description =
                    "PEM certificate chain, leaf first, e.g. tls.crt from a cert-manager Secret volume; polled for changes. "
                            + "Unset: a self-signed certificate for localhost (env ROUTECERT_TLS_CERT_FILE).")
    Path tlsCertFile;

    @Option(
            names = "--tls-private-key-file",
            paramLabel = "FILE",
            defaultValue = "${env:ROUTECERT_TLS_PRIVATE_KEY_FILE}",
            description =
                    "PEM private key (RSA PKCS#1/PKCS#8, EC SEC1/PKCS#8, Ed25519) matching --tls-cert-file (env ROUTECERT_TLS_PRIVATE_KEY_FILE).")
    Path tlsPrivateKeyFile;

    @Option(
            names = "--self-signed-cert-out",
            paramLabel = "FILE",
            defaultValue = "${env:ROUTECERT_SELF_SIGNED_CERT_OUT}",
            description = "Without --tls-cert-file: write the self-signed certificate (not its key) here as PEM, "
                    + "for curl --cacert or a caBundle (env ROUTECERT_SELF_SIGNED_CERT_OUT).")
    Path selfSignedCertOut;

    @Option(
            names = "--cert-reload-interval",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_CERT_RELOAD_INTERVAL:-10s}",
            description =
                    "How often the certificate files are checked for a new pair (env ROUTECERT_CERT_RELOAD_INTERVAL, default ${DEFAULT-VALUE}).")
    Duration certReloadInterval;

    @Option(
            names = "--tls-server-names",
            paramLabel = "NAMES",
            defaultValue = "${env:ROUTECERT_TLS_SERVER_NAMES:-}",
            description = "Comma-separated DNS names the certificate in --tls-cert-file must cover, e.g. the webhook "
                    + "Service's routecert.routecert.svc; a new pair that does not is refused and the "
                    + "previous one kept. Empty: any names (env ROUTECERT_TLS_SERVER_NAMES).")
    String tlsServerNames;

    @Option(
            names = "--client-ca-file",
            paramLabel = "FILE",
            defaultValue = "${env:ROUTECERT_CLIENT_CA_FILE}",
            description = "PEM CA bundle: the admission port then requires a client certificate signed by one of "
                    + "these CAs, as an API server presents with an AdmissionConfiguration kubeConfigFile; polled "
                    + "for changes like the certificate files. The health port is unaffected. Unset: no client "
                    + "certificate asked for (env ROUTECERT_CLIENT_CA_FILE).")
    Path clientCaFile;

    @Option(
            names = "--excluded-namespaces",
            paramLabel = "NAMES",
            defaultValue = "${env:ROUTECERT_EXCLUDED_NAMESPACES:-kube-system,cert-manager,routecert}",
            description = "Comma-separated namespaces routecert never acts in, as the webhook registration's "
                    + "namespaceSelector excludes them: reviews for them are allowed untouched and nothing is "
                    + "written there (env ROUTECERT_EXCLUDED_NAMESPACES, default ${DEFAULT-VALUE}).")
    String excludedNamespaces;

    @Option(
            names = "--exempt-namespace-label",
            paramLabel = "KEY",
            defaultValue = "${env:ROUTECERT_EXEMPT_NAMESPACE_LABEL:-routecert.dev/exempt}",
            description = "The label (any value) by which the registration's DoesNotExist selector excludes more "
                    + "namespaces; routecert's own guard reads it from its Namespace cache. "
                    + "Empty: none (env ROUTECERT_EXEMPT_NAMESPACE_LABEL, default ${DEFAULT-VALUE}).")
    String exemptNamespaceLabel;

    @Option(
            names = "--max-request-bytes",
            paramLabel = "SIZE",
            converter = Converters.SizeConverter.class,
            defaultValue = "${env:ROUTECERT_MAX_REQUEST_BYTES:-7Mi}",
            description =
                    "Largest AdmissionReview body accepted; the API server sends objects up to 3 MiB, twice on UPDATE "
                            + "(env ROUTECERT_MAX_REQUEST_BYTES, default ${DEFAULT-VALUE}).")
    long maxRequestBytes;

    @Option(
            names = "--max-in-flight-bytes",
            paramLabel = "SIZE",
            converter = Converters.SizeConverter.class,
            defaultValue = "${env:ROUTECERT_MAX_IN_FLIGHT_BYTES:-2Mi}",
            description =
                    "Review bytes judged at once; judging takes several times a review's size in heap, so this bounds "
                            + "the heap of concurrent large reviews, and a review larger than it runs alone "
                            + "(env ROUTECERT_MAX_IN_FLIGHT_BYTES, default ${DEFAULT-VALUE}).")
    long maxInFlightBytes;

    @Option(
            names = "--request-read-timeout",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_REQUEST_READ_TIMEOUT:-10s}",
            description =
                    "Time allowed to receive a request body (env ROUTECERT_REQUEST_READ_TIMEOUT, default ${DEFAULT-VALUE}).")
    Duration requestReadTimeout;

    @Option(
            names = "--min-request-data-rate",
            paramLabel = "SIZE",
            converter = Converters.SizeConverter.class,
            defaultValue = "${env:ROUTECERT_MIN_REQUEST_DATA_RATE:-1Ki}",
            description = "Bytes per second a request body must arrive at, judged after its first second; a slower "
                    + "client is answered 408 and its connection closed. 0: no minimum "
                    + "(env ROUTECERT_MIN_REQUEST_DATA_RATE, default ${DEFAULT-VALUE}).")
    long minRequestDataRate;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_IDLE_TIMEOUT:-120s}",
            description =
                    "How long an idle keep-alive connection stays open; at least 90s, which the API server relies on "
                            + "(env ROUTECERT_IDLE_TIMEOUT, default ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(
            names = "--shutdown-delay",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_SHUTDOWN_DELAY:-0s}",
            description = "On SIGTERM, time between readiness going false and draining, so endpoints stop routing here "
                    + "(env ROUTECERT_SHUTDOWN_DELAY, default ${DEFAULT-VALUE}).")
    Duration shutdownDelay;

    @Option(
            names = "--shutdown-timeout",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_SHUTDOWN_TIMEOUT:-20s}",
            description =
                    "On SIGTERM, the most time in-flight reviews get to finish (env ROUTECERT_SHUTDOWN_TIMEOUT, default ${DEFAULT-VALUE}).")
    Duration shutdownTimeout;

    @Option(
            names = "--kubernetes",
            paramLabel = "MODE",
            defaultValue = "${env:ROUTECERT_KUBERNETES:-auto}",
            description =
                    "auto: in-cluster service account, else KUBECONFIG or ~/.kube/config, else no cluster; off: never "
                            + "connect (env ROUTECERT_KUBERNETES, default ${DEFAULT-VALUE}; one of ${COMPLETION-CANDIDATES}).")
    KubernetesMode kubernetes;

    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            defaultValue = "${env:ROUTECERT_KUBECONFIG}",
            description = "Connect with this kubeconfig instead of discovering one (env ROUTECERT_KUBECONFIG).")
    Path kubeconfig;

    @Option(
            names = "--certificate-write-timeout",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_CERTIFICATE_WRITE_TIMEOUT:-3s}",
            description =
                    "Deadline for creating or updating a route's Certificate during admission, well below the webhook's "
                            + "timeoutSeconds (env ROUTECERT_CERTIFICATE_WRITE_TIMEOUT, default ${DEFAULT-VALUE}).")
    Duration certificateWriteTimeout;

    @Option(
            names = "--certificate-write-failure",
            paramLabel = "MODE",
            defaultValue = "${env:ROUTECERT_CERTIFICATE_WRITE_FAILURE:-deny}",
            description =
                    "When that write fails or times out: deny the route, or warn (admit with a warning; the reconciler "
                            + "retries) (env ROUTECERT_CERTIFICATE_WRITE_FAILURE, default ${DEFAULT-VALUE}; one of ${COMPLETION-CANDIDATES}).")
    CertificateOptions.WriteFailure certificateWriteFailure;

    @Option(
            names = "--orphan-grace-period",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_ORPHAN_GRACE_PERIOD:-60s}",
            description =
                    "How long a Certificate created during admission waits for its route to exist (a later webhook may "
                            + "reject it) before the reconciler deletes it (env ROUTECERT_ORPHAN_GRACE_PERIOD, default ${DEFAULT-VALUE}).")
    Duration orphanGracePeriod;

    @Option(
            names = "--leader-election",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "true|false",
            defaultValue = "${env:ROUTECERT_LEADER_ELECTION:-true}",
            description =
                    "Elect one reconciler among the replicas through a Lease; false reconciles in this process "
                            + "unconditionally, for a single replica (env ROUTECERT_LEADER_ELECTION, default ${DEFAULT-VALUE}).")
    boolean leaderElection;

    @Option(
            names = "--leader-election-namespace",
            paramLabel = "NAMESPACE",
            defaultValue = "${env:ROUTECERT_LEADER_ELECTION_NAMESPACE}",
            description = "Namespace of the leader-election Lease (env ROUTECERT_LEADER_ELECTION_NAMESPACE, default the"
                    + " pod's own namespace: POD_NAMESPACE, else the service account's namespace file).")
    String leaderElectionNamespace;

    @Option(
            names = "--leader-election-lease-name",
            paramLabel = "NAME",
            defaultValue = "${env:ROUTECERT_LEADER_ELECTION_LEASE_NAME:-routecert-reconciler}",
            description =
                    "Name of the leader-election Lease (env ROUTECERT_LEADER_ELECTION_LEASE_NAME, default ${DEFAULT-VALUE}).")
    String leaderElectionLeaseName;

    @Option(
            names = "--leader-election-lease-duration",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_LEADER_ELECTION_LEASE_DURATION:-15s}",
            description = "How long a leader that stopped renewing keeps the Lease before another replica takes over "
                    + "(env ROUTECERT_LEADER_ELECTION_LEASE_DURATION, default ${DEFAULT-VALUE}).")
    Duration leaderElectionLeaseDuration;

    @Option(
            names = "--resync-period",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_RESYNC_PERIOD:-10m}",
            description =
                    "How often the reconciler checks every route and Certificate again, besides reacting to changes "
                            + "(env ROUTECERT_RESYNC_PERIOD, default ${DEFAULT-VALUE}).")
    Duration resyncPeriod;

    @Option(
            names = "--claims-namespace",
            paramLabel = "NAMESPACE",
            defaultValue = "${env:ROUTECERT_CLAIMS_NAMESPACE:-routecert}",
            description = "Namespace of the host claims, one Lease per host name served, which keep one namespace's "
                    + "hosts from being served by another (env ROUTECERT_CLAIMS_NAMESPACE, default ${DEFAULT-VALUE}).")
    String claimsNamespace;

    @Option(
            names = "--host-claim-grace",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_HOST_CLAIM_GRACE}",
            description = "How long a namespace keeps a host name after its last route serving it is gone, before "
                    + "another namespace may take it. Unset: --orphan-grace-period (env ROUTECERT_HOST_CLAIM_GRACE).")
    Duration hostClaimGrace;

    @Option(
            names = "--expiry-warning",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_EXPIRY_WARNING:-336h}",
            description = "Warn on apply, and record an Event, when a certificate a route serves expires within this "
                    + "long (env ROUTECERT_EXPIRY_WARNING, default ${DEFAULT-VALUE}, 14 days).")
    Duration expiryWarning;

    @Option(
            names = "--adopt-from",
            paramLabel = "NAME[,NAME]",
            defaultValue = "${env:ROUTECERT_ADOPT_FROM:-switchboard}",
            description =
                    "Values of the kubernetes.io/managed-by or app.kubernetes.io/managed-by label of a predecessor"
                            + " whose Certificates and DNSEndpoints for a route routecert takes over instead of treating them"
                            + " as foreign; empty: none (env ROUTECERT_ADOPT_FROM, default ${DEFAULT-VALUE}).")
    String adoptFrom;

    @Option(
            names = "--dns-endpoints",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "true|false",
            defaultValue = "${env:ROUTECERT_DNS_ENDPOINTS:-false}",
            description = "Write an external-dns DNSEndpoint for each route of --dns-endpoint-kinds during admission,"
                    + " publishing its host names (env ROUTECERT_DNS_ENDPOINTS, default ${DEFAULT-VALUE}).")
    boolean dnsEndpoints;

    @Option(
            names = "--dns-endpoint-kinds",
            paramLabel = "KIND[,KIND]",
            defaultValue = "${env:ROUTECERT_DNS_ENDPOINT_KINDS:-IngressRoute,IngressRouteTCP}",
            description = "The route kinds that get a DNSEndpoint; external-dns reads Ingresses itself (env"
                    + " ROUTECERT_DNS_ENDPOINT_KINDS, default ${DEFAULT-VALUE}).")
    String dnsEndpointKinds;

    @Option(
            names = "--dns-target-service",
            paramLabel = "NAMESPACE/NAME",
            defaultValue = "${env:ROUTECERT_DNS_TARGET_SERVICE}",
            description = "The Service (Traefik's LoadBalancer) whose external-dns.alpha.kubernetes.io/hostname"
                    + " annotation, else load-balancer addresses, the records point at; they follow its changes (env"
                    + " ROUTECERT_DNS_TARGET_SERVICE).")
    String dnsTargetService;

    @Option(
            names = "--dns-targets",
            paramLabel = "ADDRESS[,ADDRESS]",
            defaultValue = "${env:ROUTECERT_DNS_TARGETS:-}",
            description = "Fixed targets of the records instead of a Service: IPv4 (A), IPv6 (AAAA) or host names"
                    + " (CNAME) (env ROUTECERT_DNS_TARGETS).")
    String dnsTargets;

    @Option(
            names = "--dns-ttl",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_DNS_TTL:-300s}",
            description = "TTL of the records unless a route sets external-dns.alpha.kubernetes.io/ttl (env"
                    + " ROUTECERT_DNS_TTL, default ${DEFAULT-VALUE}).")
    Duration dnsTtl;

    @Mixin
    PolicyOptions policy;

    @Option(
            names = "--policy-reload-interval",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_POLICY_RELOAD_INTERVAL:-10s}",
            description = "How often --policy-file is checked for a change (env ROUTECERT_POLICY_RELOAD_INTERVAL, "
                    + "default ${DEFAULT-VALUE}).")
    Duration policyReloadInterval;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            defaultValue = "${env:ROUTECERT_LOG_LEVEL:-info}",
            description =
                    "error, warn, info or debug; debug also logs review bodies (env ROUTECERT_LOG_LEVEL, default ${DEFAULT-VALUE}).")
    String logLevel;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            defaultValue = "${env:ROUTECERT_LOG_FORMAT:-text}",
            description = "text (one line per event) or json (one object per line: level, ts, logger, msg and the "
                    + "line's fields, as controller-runtime's zap writes them) (env ROUTECERT_LOG_FORMAT, default "
                    + "${DEFAULT-VALUE}).")
    String logFormat;

    public ServeConfig config() {
        return ServeConfig.builder()
                .bindAddress(bindAddress)
                .ports(securePort, healthPort)
                .certificateFiles(tlsCertFile, tlsPrivateKeyFile)
                .selfSignedCertOut(selfSignedCertOut)
                .certReloadInterval(certReloadInterval)
                .maxRequestBytes(maxRequestBytes)
                .requestReadTimeout(requestReadTimeout)
                .idleTimeout(idleTimeout)
                .shutdown(shutdownDelay, shutdownTimeout)
                .kubernetes(kubernetes)
                .kubeconfig(kubeconfig)
                .certificates(new CertificateOptions(
                        certificateWriteTimeout,
                        certificateWriteFailure,
                        orphanGracePeriod,
                        leaderElection,
                        leaderElectionNamespace != null
                                ? leaderElectionNamespace
                                : PodNamespace.find().orElse(null),
                        leaderElectionLeaseName,
                        leaderElectionLeaseDuration,
                        resyncPeriod,
                        claimsNamespace,
                        hostClaimGrace))
                .maxInFlightBytes(maxInFlightBytes)
                .minRequestDataRate(minRequestDataRate)
                .tlsServerNames(names(tlsServerNames))
                .policyFile(policy.policyFile(), policyReloadInterval)
                .guard(new GuardOptions(names(excludedNamespaces), exemptNamespaceLabel.strip(), clientCaFile))
                .scope(policy.scope())
                .logging(new LogOptions(logLevel, logFormat))
                .expiryWarning(expiryWarning)
                .adoptFrom(names(adoptFrom))
                .dns(new DnsOptions(
                        dnsEndpoints,
                        names(dnsEndpointKinds),
                        dnsTargetService == null || dnsTargetService.isBlank() ? null : dnsTargetService.strip(),
                        names(dnsTargets),
                        dnsTtl))
                .build();
    }

    private static List<String> names(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(","))
                .map(String::trim)
                .filter(name -> !name.isEmpty())
                .toList();
    }

    @Override
    public Integer call() throws Exception {
        ServeConfig config = config();
        PolicyConfig policyConfig = policy.config();
        List<String> problems = new ArrayList<>(config.problems());
        if (!problems.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), "invalid configuration:\n  " + String.join("\n  ", problems));
        }
        Logging.configure(logLevel, LogSetup.Format.parse(logFormat));
        Logger log = LoggerFactory.getLogger(ServeCommand.class);
        log.info("routecert {} starting on Java {}", Main.version(), Runtime.version());
        log.info(
                "policy: default issuer {}, default rule syntax {}, TLS {}",
                policyConfig.hasDefaultIssuer()
                        ? policyConfig.defaultIssuerKind() + "/" + policyConfig.defaultIssuerName() + " ("
                                + policyConfig.defaultIssuerGroup() + ")"
                        : "none (Certificates only for objects that name an issuer)",
                policyConfig.defaultSyntax(),
                policyConfig.requireTls() ? "required" : "optional");
        log.info(
                "traefik: allowCrossNamespace {}, entry points with http.tls {}",
                policyConfig.traefikAllowCrossNamespace(),
                policyConfig.traefikTlsEntryPoints().isEmpty()
                        ? "none known"
                        : String.join(",", new TreeSet<>(policyConfig.traefikTlsEntryPoints())));

        Routecert routecert;
        try {
            routecert = Routecert.start(config, policyConfig);
        } catch (RuntimeException e) {
            log.error("cannot start: {}", rootMessage(e));
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            routecert.close();
                            stopped.countDown();
                        },
                        "shutdown"));
        stopped.await();
        return 0;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + root.getMessage();
    }
}
