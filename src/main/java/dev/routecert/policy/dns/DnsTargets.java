package dev.routecert.policy.dns;

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

    /** The comma-separated list of an external-dns target annotation, empty items dropped. */
    public static List<String> split(String commaSeparated) {
        List<String> items = new ArrayList<>();
        for (String item : commaSeparated.split(",", -1)) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return items;
    }
}
