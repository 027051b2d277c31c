package dev.routecert.policy.dns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.HostName;
import dev.routecert.policy.values.IpAddresses;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The targets of DNS records: an IPv4 address (A), an IPv6 address (AAAA) or a host name (CNAME). */
public final class DnsTargets {

    private DnsTargets() {}

    public enum RecordType {
        A,
        AAAA,
        CNAME
    }

    /** One target in its canonical form. */
    public record Target(String value, RecordType type) {}

    /** The target {@code raw} is, or empty when it is none; a trailing dot of a host name is dropped. */
    public static Optional<Target> parse(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String text = raw.strip();
        Optional<String> ip = IpAddresses.canonical(text);
        if (ip.isPresent()) {
            return Optional.of(new Target(ip.get(), ip.get().contains(":") ? RecordType.AAAA : RecordType.A));
        }
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        HostName.Check check = HostName.check(text);
        if (check.ok() && check.name() != null && check.name().type() == HostName.Type.DNS) {
            return Optional.of(new Target(check.name().ascii(), RecordType.CNAME));
        }
        return Optional.empty();
    }

    /** Why {@code raw} is not a target, or empty when it is one. */
    public static Optional<String> problem(String raw) {
        return parse(raw).isPresent()
                ? Optional.empty()
                : Optional.of("neither an IP address nor a host name (no wildcard, no port, no scheme)");
    }

    /** The annotation on the target Service that names its host names; it wins over the load balancer's status. */
    public static final String HOSTNAME_ANNOTATION = "external-dns.alpha.kubernetes.io/hostname";

    /**
     * Where a Service points records: its {@link #HOSTNAME_ANNOTATION} (as switchboard reads it), else
     * the ip or else hostname of each {@code status.loadBalancer.ingress[]}; in order, no repeats.
     */
    public static List<String> ofService(JsonNode service) {
        if (service == null) {
            return List.of();
        }
        String annotation = service.path("metadata")
                .path("annotations")
                .path(HOSTNAME_ANNOTATION)
                .asText("");
        List<String> targets = new ArrayList<>();
        if (!annotation.isBlank()) {
            for (String item : split(annotation)) {
                parse(item).filter(t -> !targets.contains(t.value())).ifPresent(t -> targets.add(t.value()));
            }
            return targets;
        }
        for (JsonNode ingress : service.path("status").path("loadBalancer").path("ingress")) {
            String value = ingress.path("ip").asText("");
            if (value.isEmpty()) {
                value = ingress.path("hostname").asText("");
            }
            parse(value).filter(t -> !targets.contains(t.value())).ifPresent(t -> targets.add(t.value()));
        }
        return targets;
    }

    /**
     * The comma-separated list of an external-dns target or hostname annotation, as external-dns splits
     * it (every space removed, then split at commas), empty items dropped.
     */
    public static List<String> split(String commaSeparated) {
        List<String> items = new ArrayList<>();
        for (String item : commaSeparated.replace(" ", "").strip().split(",", -1)) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return items;
    }
}
