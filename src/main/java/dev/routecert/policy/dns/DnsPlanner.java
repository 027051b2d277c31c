package dev.routecert.policy.dns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.Check;
import dev.routecert.policy.HostName;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.Violation;
import dev.routecert.policy.dns.DnsTargets.RecordType;
import dev.routecert.policy.dns.DnsTargets.Target;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.policy.tenancy.ServedNames;
import dev.routecert.policy.values.GoDuration;
import dev.routecert.routes.RouteKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Plans a route's DNSEndpoint, as switchboard and external-dns would write it: one endpoint per host
 * name the route serves and record type, pointing at the route's own targets
 * ({@code external-dns.alpha.kubernetes.io/target}) or else the configured ones, with the route's
 * {@code external-dns.alpha.kubernetes.io/ttl} or else the configured TTL.
 *
 * <p>A wildcard {@code *.d} is a record like any name. Names matched only by a regexp (written down
 * only in {@code spec.tls.domains}) and IP addresses are no records. A CNAME cannot share its name
 * with other records (RFC 1034 3.6.2), so when the targets mix addresses and host names the
 * addresses win: they answer without a further lookup; and a CNAME has one target, the first in
 * order.
 */
public final class DnsPlanner {

    public static final String TARGET_ANNOTATION = "external-dns.alpha.kubernetes.io/target";
    public static final String TTL_ANNOTATION = "external-dns.alpha.kubernetes.io/ttl";

    private DnsPlanner() {}

    /**
     * @param targets      where the records point when the route names no targets of its own (already
     *                     read from the Service or {@code --dns-targets}); may be empty
     * @param targetSource what {@code targets} come from, for messages
     * @param ttlSeconds   the TTL when the route sets none
     */
    public static DnsPlan plan(
            RouteKind kind,
            JsonNode route,
            RuleSyntax defaultSyntax,
            List<String> targets,
            String targetSource,
            long ttlSeconds) {
        JsonNode meta = route.path("metadata");
        String namespace = meta.path("namespace").asText("");
        String name = DnsEndpointNames.of(kind, meta.path("name").asText(""));
        JsonNode annotations = meta.path("annotations");
        List<Violation> violations = new ArrayList<>();
        List<String> warnings = new ArrayList<>();

        long ttl = ttlSeconds;
        if (annotations.hasNonNull(TTL_ANNOTATION)) {
            Optional<Long> parsed = ttl(annotations.path(TTL_ANNOTATION).asText());
            if (parsed.isPresent()) {
                ttl = parsed.get();
            } else {
                violations.add(Violation.invalid(
                        Check.DNS_ANNOTATION,
                        "metadata.annotations[" + TTL_ANNOTATION + "]",
                        "'" + annotations.path(TTL_ANNOTATION).asText() + "' is not a TTL",
                        "write seconds (\"60\") or a duration (\"1m\") between 1s and " + Integer.MAX_VALUE
                                + "s, with no spaces"));
            }
        }
        List<Target> parsedTargets = new ArrayList<>();
        String source = targetSource;
        // as external-dns: an empty target annotation is no annotation
        if (annotations.hasNonNull(TARGET_ANNOTATION)
                && !annotations.path(TARGET_ANNOTATION).asText().isEmpty()) {
            source = "the route's " + TARGET_ANNOTATION;
            String field = "metadata.annotations[" + TARGET_ANNOTATION + "]";
            List<String> items =
                    DnsTargets.split(annotations.path(TARGET_ANNOTATION).asText());
            if (items.isEmpty()) {
                violations.add(Violation.invalid(
                        Check.DNS_ANNOTATION,
                        field,
                        "names no target",
                        "list IP addresses or host names separated by commas, or remove the annotation"));
            }
            for (String item : items) {
                Optional<Target> target = DnsTargets.parse(item);
                if (target.isPresent()) {
                    parsedTargets.add(target.get());
                } else {
                    violations.add(Violation.invalid(
                            Check.DNS_ANNOTATION,
                            field,
                            "'" + item + "' is " + DnsTargets.problem(item).orElse(""),
                            "list IP addresses or host names separated by commas"));
                }
            }
        } else {
            targets.forEach(t -> DnsTargets.parse(t).ifPresent(parsedTargets::add));
        }

        Map<RecordType, TreeSet<String>> byType = new TreeMap<>();
        for (Target t : parsedTargets) {
            byType.computeIfAbsent(t.type(), k -> new TreeSet<>()).add(t.value());
        }
        if (byType.containsKey(RecordType.CNAME)) {
            if (byType.size() > 1) {
                warnings.add(Check.DNS_RECORD_SKIPPED.tag() + " targets "
                        + String.join(",", byType.get(RecordType.CNAME))
                        + " from " + source + " are host names beside IP addresses, and a CNAME cannot share its"
                        + " name with A or AAAA records: the records point at the addresses only");
                byType.remove(RecordType.CNAME);
            } else if (byType.get(RecordType.CNAME).size() > 1) {
                TreeSet<String> all = byType.get(RecordType.CNAME);
                warnings.add(Check.DNS_RECORD_SKIPPED.tag() + " a CNAME has one target: " + all.first() + " of "
                        + String.join(",", all) + " from " + source);
                byType.put(RecordType.CNAME, new TreeSet<>(List.of(all.first())));
            }
        }

        TreeMap<String, String> names = new TreeMap<>();
        for (Map.Entry<ClaimKey, String> served :
                ServedNames.of(kind, route, defaultSyntax).entrySet()) {
            ClaimKey key = served.getKey();
            if (key.type() == HostName.Type.IPV4 || key.type() == HostName.Type.IPV6) {
                warnings.add(Check.DNS_RECORD_SKIPPED.tag() + " " + key.name() + " (" + served.getValue()
                        + ") is an IP address, not a name: no record");
            } else if (served.getValue().startsWith("spec.tls")) {
                warnings.add(Check.DNS_RECORD_SKIPPED.tag() + " " + key.name() + " (" + served.getValue()
                        + ") is matched by a regexp, which is no record: publish it yourself");
            } else {
                names.putIfAbsent(key.name(), served.getValue());
            }
        }
        List<DnsPlan.Endpoint> endpoints = new ArrayList<>();
        if (!names.isEmpty() && byType.isEmpty() && violations.isEmpty()) {
            warnings.add(Check.DNS_NO_TARGETS.tag() + " " + source + " gives no target yet: DNSEndpoint " + namespace
                    + "/" + name + " has no records until it does");
        }
        for (String host : names.keySet()) {
            for (Map.Entry<RecordType, TreeSet<String>> e : byType.entrySet()) {
                endpoints.add(new DnsPlan.Endpoint(host, e.getKey(), List.copyOf(e.getValue()), ttl));
            }
        }
        return new DnsPlan(namespace, name, List.copyOf(names.keySet()), endpoints, violations, warnings);
    }

    /**
     * An external-dns TTL, read as external-dns reads its annotation: a Go duration (its fraction of a
     * second dropped: "1.5s" is 1), else a signed decimal integer of seconds; valid from 1 to 2^31-1.
     * Nothing is trimmed: external-dns ignores " 60".
     */
    public static Optional<Long> ttl(String text) {
        long seconds;
        GoDuration.Parsed parsed = GoDuration.parse(text);
        if (parsed.ok()) {
            seconds = parsed.nanos() / GoDuration.SECOND;
        } else if (text.matches("[+-]?[0-9]+")) {
            try {
                seconds = Long.parseLong(text);
            } catch (NumberFormatException e) {
                return Optional.empty(); // beyond 64 bits, as Go's ParseInt
            }
        } else {
            return Optional.empty();
        }
        return seconds >= 1 && seconds <= Integer.MAX_VALUE ? Optional.of(seconds) : Optional.empty();
    }
}
