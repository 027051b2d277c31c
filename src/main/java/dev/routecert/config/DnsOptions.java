package dev.routecert.config;

import dev.routecert.policy.dns.DnsTargets;
import dev.routecert.routes.RouteKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How routecert writes external-dns DNSEndpoints for routes: whether at all, for which kinds, where
 * the records point and for how long resolvers may keep them.
 *
 * @param enabled       false (the default): no DNSEndpoint is read or written
 * @param kinds         the route kinds (by {@code kind}, every API group) that get one
 * @param targetService {@code namespace/name} of the Service whose load-balancer addresses the
 *                      records point at; null when {@code targets} are given instead
 * @param targets       fixed targets (IP addresses or host names); empty when a Service is given
 * @param ttl           the records' TTL, whole seconds
 */
public record DnsOptions(
        boolean enabled, List<String> kinds, String targetService, List<String> targets, Duration ttl) {

    public static final List<String> DEFAULT_KINDS = List.of("IngressRoute", "IngressRouteTCP");
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(300);
    /** external-dns stores a TTL as a signed 32-bit number of seconds. */
    public static final long MAX_TTL_SECONDS = Integer.MAX_VALUE;

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public DnsOptions {
        kinds = List.copyOf(kinds);
        targets = List.copyOf(targets);
    }

    public static DnsOptions defaults() {
        return new DnsOptions(false, DEFAULT_KINDS, null, List.of(), DEFAULT_TTL);
    }

    /** Whether routes of {@code kind} get a DNSEndpoint. */
    public boolean covers(RouteKind kind) {
        return enabled && kinds.contains(kind.kind());
    }

    /** The namespace of {@link #targetService()}, or null. */
    public String targetServiceNamespace() {
        return targetService == null ? null : targetService.substring(0, targetService.indexOf('/'));
    }

    /** The name of {@link #targetService()}, or null. */
    public String targetServiceName() {
        return targetService == null ? null : targetService.substring(targetService.indexOf('/') + 1);
    }

    /** Every problem, each naming its option. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        Set<String> known = new TreeSet<>();
        for (RouteKind kind : RouteKind.values()) {
            known.add(kind.kind());
        }
        for (String kind : kinds) {
            if (!known.contains(kind)) {
                problems.add(
                        "--dns-endpoint-kinds: unknown kind '" + kind + "' (one of " + String.join(", ", known) + ")");
            }
        }
        if (ttl == null
                || ttl.compareTo(Duration.ofSeconds(1)) < 0
                || ttl.toSeconds() > MAX_TTL_SECONDS
                || ttl.getNano() != 0) {
            problems.add("--dns-ttl must be whole seconds between 1s and " + MAX_TTL_SECONDS + "s, got "
                    + (ttl == null ? "nothing" : Durations.format(ttl)));
        }
        if (targetService != null && !validService(targetService)) {
            problems.add("--dns-target-service must be NAMESPACE/NAME of a Service, got '" + targetService + "'");
        }
        for (String target : targets) {
            DnsTargets.problem(target)
                    .ifPresent(p -> problems.add("--dns-targets: '" + target + "' is not a target: " + p));
        }
        if (enabled) {
            if (targetService == null && targets.isEmpty()) {
                problems.add("--dns-endpoints=true needs the records' target: --dns-target-service NAMESPACE/NAME"
                        + " (Traefik's LoadBalancer Service) or --dns-targets ADDRESS[,ADDRESS]");
            } else if (targetService != null && !targets.isEmpty()) {
                problems.add("--dns-target-service and --dns-targets exclude each other: give one target source");
            }
            if (kinds.isEmpty()) {
                problems.add("--dns-endpoint-kinds is empty with --dns-endpoints=true: name at least one kind");
            }
        }
        return problems;
    }

    private static boolean validService(String value) {
        int slash = value.indexOf('/');
        return slash > 0
                && DNS_LABEL.matcher(value.substring(0, slash)).matches()
                && DNS_SUBDOMAIN.matcher(value.substring(slash + 1)).matches();
    }
}
