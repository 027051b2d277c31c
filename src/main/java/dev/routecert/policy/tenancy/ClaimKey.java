package dev.routecert.policy.tenancy;

import dev.routecert.policy.HostName;
import java.util.Optional;

/**
 * What a namespace claims when it serves a host: the name in its compared form ({@link HostName#ascii()}).
 * A DNS name {@code a.d} and a wildcard {@code *.d} have the zone {@code d}; an IP has none. A
 * {@code **.} name is no key: it names no host a certificate or a claim can hold.
 */
public record ClaimKey(String name, HostName.Type type) implements Comparable<ClaimKey> {

    public static Optional<ClaimKey> of(HostName host) {
        if (host.type() == HostName.Type.MULTI_WILDCARD) {
            return Optional.empty();
        }
        return Optional.of(new ClaimKey(host.ascii(), host.type()));
    }

    /** The key of a raw host as a route writes it; empty when it is not a usable host name. */
    public static Optional<ClaimKey> parse(String raw) {
        HostName.Check check = HostName.check(raw);
        return check.ok() && check.name() != null ? of(check.name()) : Optional.empty();
    }

    public boolean wildcard() {
        return type == HostName.Type.WILDCARD;
    }

    /**
     * The domain whose one-label wildcard covers this name, or the domain a wildcard covers one label
     * of; empty for an IP and for a name of one label.
     */
    public Optional<String> zone() {
        if (type == HostName.Type.WILDCARD) {
            return Optional.of(name.substring(2));
        }
        if (type != HostName.Type.DNS) {
            return Optional.empty();
        }
        int dot = name.indexOf('.');
        return dot > 0 && dot < name.length() - 1 ? Optional.of(name.substring(dot + 1)) : Optional.empty();
    }

    /** For a DNS name, the wildcard that covers it; the same claim as this one. */
    public Optional<ClaimKey> coveringWildcard() {
        return type == HostName.Type.DNS
                ? zone().map(z -> new ClaimKey("*." + z, HostName.Type.WILDCARD))
                : Optional.empty();
    }

    @Override
    public int compareTo(ClaimKey o) {
        return name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
