package dev.routecert.policy.settings;

import dev.routecert.policy.HostName;

/**
 * A domain in an allow-list. {@code example.com} allows itself and every name under it, at any depth;
 * {@code *.example.com} allows exactly one label below (RFC 6125, as a certificate's wildcard) and the
 * wildcard itself, but not {@code example.com} nor {@code a.b.example.com}.
 */
public record DomainPattern(HostName name) {

    /** The pattern, or the reason it is not one. */
    public record Read(DomainPattern pattern, String problem) {}

    public static Read read(String raw) {
        HostName.Check check = HostName.check(raw);
        if (!check.ok()) {
            return new Read(null, "\"" + raw + "\" is not a domain: " + check.problem());
        }
        HostName name = check.name();
        return switch (name.type()) {
            case DNS, WILDCARD -> new Read(new DomainPattern(name), null);
            case MULTI_WILDCARD ->
                new Read(
                        null,
                        "\"" + raw + "\": use example.com for every name under it, or *.example.com for one label");
            case IPV4, IPV6 -> new Read(null, "\"" + raw + "\" is an IP address; domain patterns are DNS names");
        };
    }

    public boolean wildcard() {
        return name.type() == HostName.Type.WILDCARD;
    }

    /** True when {@code host} (a DNS name or a wildcard) is allowed by this pattern. */
    public boolean allows(HostName host) {
        if (host.isIp() || host.type() == HostName.Type.MULTI_WILDCARD) {
            return false;
        }
        if (wildcard()) {
            return name.covers(host);
        }
        String suffix = name.ascii();
        String ascii = host.ascii();
        return ascii.equals(suffix)
                || (ascii.length() > suffix.length()
                        && ascii.endsWith(suffix)
                        && ascii.charAt(ascii.length() - suffix.length() - 1) == '.');
    }

    @Override
    public String toString() {
        return name.ascii();
    }
}
