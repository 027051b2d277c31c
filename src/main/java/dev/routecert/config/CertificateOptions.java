package dev.routecert.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How routecert creates Certificates during admission and how its reconciler runs: the write
 * deadline and what a failed write means, the orphan grace period, leader election and resync.
 *
 * @param writeTimeout          deadline for the Certificate write inside one admission review; well
 *                              below the webhook's timeoutSeconds (10 s in manifests/webhook.yaml)
 * @param writeFailure          DENY: a failed write denies the route; WARN: admit with a warning and
 *                              let the reconciler retry
 * @param orphanGracePeriod     how long a Certificate created during admission may wait for its route
 *                              to exist before the reconciler deletes it
 * @param leaderElection        false: this instance reconciles without a Lease (one replica only)
 * @param leaseDuration         how long a Lease holder stays leader without renewing
 * @param resyncPeriod          how often every route and Certificate is reconciled again
 * @param claimsNamespace       where the host claims (Leases) live
 * @param hostClaimGrace        how long a claim outlives the last route of its namespace serving the
 *                              name; null: the orphan grace period
 */
public record CertificateOptions(
        Duration writeTimeout,
        WriteFailure writeFailure,
        Duration orphanGracePeriod,
        boolean leaderElection,
        String leaderElectionNamespace,
        String leaderElectionLeaseName,
        Duration leaseDuration,
        Duration resyncPeriod,
        String claimsNamespace,
        Duration hostClaimGrace) {

    /** How long a host claim outlives its namespace's last route serving the name. */
    public Duration effectiveHostClaimGrace() {
        return hostClaimGrace == null ? orphanGracePeriod : hostClaimGrace;
    }

    /** What a Certificate write that failed or timed out during admission means for the route. */
    public enum WriteFailure {
        DENY,
        WARN
    }

    /** A DNS-1123 label (namespace) or subdomain (Lease name). */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** The webhook registration's timeoutSeconds; the write must answer well before it. */
    public static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(10);

    public static CertificateOptions defaults() {
        return new CertificateOptions(
                Duration.ofSeconds(3),
                WriteFailure.DENY,
                Duration.ofSeconds(60),
                true,
                "routecert",
                "routecert-reconciler",
                Duration.ofSeconds(15),
                Duration.ofMinutes(10),
                "routecert",
                null);
    }

    /** Why leader election cannot start without {@code --leader-election-namespace}. */
    public static final String NO_LEASE_NAMESPACE = "--leader-election-namespace is not set and routecert does not run"
            + " in a pod (no POD_NAMESPACE, no service account namespace file): name the namespace of the"
            + " leader-election Lease (env ROUTECERT_LEADER_ELECTION_NAMESPACE), or set --leader-election=false"
            + " for a single replica";

    /** What is wrong with {@code --claims-namespace} (serve's and check's), if anything. */
    public static Optional<String> claimsNamespaceProblem(String claimsNamespace) {
        if (claimsNamespace == null || !DNS_LABEL.matcher(claimsNamespace).matches()) {
            return Optional.of("--claims-namespace must be a namespace name (lower-case DNS label), got '"
                    + claimsNamespace + "'");
        }
        return Optional.empty();
    }

    /** Every problem, each naming its option. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (writeTimeout.compareTo(Duration.ofMillis(100)) < 0 || writeTimeout.compareTo(Duration.ofSeconds(8)) > 0) {
            problems.add("--certificate-write-timeout must be between 100ms and 8s (the webhook's timeoutSeconds is "
                    + WEBHOOK_TIMEOUT.toSeconds() + "s and the review needs time around the write), got "
                    + Durations.format(writeTimeout));
        }
        if (orphanGracePeriod.compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add(
                    "--orphan-grace-period must be at least 1s (an admitted route takes a moment to be stored), got "
                            + Durations.format(orphanGracePeriod));
        }
        // null: not given and not in a pod; an error only once a cluster connection needs the Lease
        if (leaderElectionNamespace != null
                && !DNS_LABEL.matcher(leaderElectionNamespace).matches()) {
            problems.add("--leader-election-namespace must be a namespace name (lower-case DNS label), got '"
                    + leaderElectionNamespace + "'");
        }
        if (leaderElectionLeaseName == null
                || !DNS_SUBDOMAIN.matcher(leaderElectionLeaseName).matches()) {
            problems.add("--leader-election-lease-name must be a lower-case DNS subdomain, got '"
                    + leaderElectionLeaseName + "'");
        }
        if (leaseDuration.compareTo(Duration.ofSeconds(2)) < 0) {
            problems.add(
                    "--leader-election-lease-duration must be at least 2s, got " + Durations.format(leaseDuration));
        }
        if (resyncPeriod.compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add("--resync-period must be at least 1s, got " + Durations.format(resyncPeriod));
        }
        claimsNamespaceProblem(claimsNamespace).ifPresent(problems::add);
        if (hostClaimGrace != null && hostClaimGrace.compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add("--host-claim-grace must be at least 1s (an admitted route takes a moment to be stored),"
                    + " got " + Durations.format(hostClaimGrace));
        }
        return problems;
    }

    public CertificateOptions withWriteTimeout(Duration timeout) {
        return new CertificateOptions(
                timeout,
                writeFailure,
                orphanGracePeriod,
                leaderElection,
                leaderElectionNamespace,
                leaderElectionLeaseName,
                leaseDuration,
                resyncPeriod,
                claimsNamespace,
                hostClaimGrace);
    }

    public CertificateOptions withWriteFailure(WriteFailure failure) {
        return new CertificateOptions(
                writeTimeout,
                failure,
                orphanGracePeriod,
                leaderElection,
                leaderElectionNamespace,
                leaderElectionLeaseName,
                leaseDuration,
                resyncPeriod,
                claimsNamespace,
                hostClaimGrace);
    }

    public CertificateOptions withOrphanGracePeriod(Duration grace) {
        return new CertificateOptions(
                writeTimeout,
                writeFailure,
                grace,
                leaderElection,
                leaderElectionNamespace,
                leaderElectionLeaseName,
                leaseDuration,
                resyncPeriod,
                claimsNamespace,
                hostClaimGrace);
    }

    public CertificateOptions withLeaderElection(
            boolean enabled, String namespace, String leaseName, Duration duration) {
        return new CertificateOptions(
                writeTimeout,
                writeFailure,
                orphanGracePeriod,
                enabled,
                namespace,
                leaseName,
                duration,
                resyncPeriod,
                claimsNamespace,
                hostClaimGrace);
    }

    /** Where host claims live and how long one outlives its last route; a null grace is the orphan grace period. */
    public CertificateOptions withHostClaims(String namespace, Duration grace) {
        return new CertificateOptions(
                writeTimeout,
                writeFailure,
                orphanGracePeriod,
                leaderElection,
                leaderElectionNamespace,
                leaderElectionLeaseName,
                leaseDuration,
                resyncPeriod,
                namespace,
                grace);
    }
}
