package dev.routecert.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 6125 coverage between lists of names as they appear in Certificates (DNS names, wildcards and
 * IP addresses), for callers outside the policy: the same rules the policy applies to routes.
 */
public final class Coverage {

    private Coverage() {}

    /**
     * The names of {@code needed} that no name of {@code available} covers, in the order given. A name
     * that cannot be read as a host name is never covered by another one, only by itself.
     */
    public static List<String> missing(List<String> available, List<String> needed) {
        List<HostName> readable = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (String name : available) {
            HostName.Check check = HostName.check(name);
            if (check.name() != null) {
                readable.add(check.name());
            } else {
                unreadable.add(name);
            }
        }
        NameSet set = NameSet.of(readable);
        List<String> missing = new ArrayList<>();
        for (String name : needed) {
            HostName.Check check = HostName.check(name);
            boolean covered = check.name() != null ? set.covers(check.name()) : unreadable.contains(name);
            if (!covered) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** True when {@code name} is a wildcard ({@code *.example.com}), which only DNS-01 can validate. */
    public static boolean isWildcard(String name) {
        HostName.Check check = HostName.check(name);
        return check.name() != null && check.name().type() == HostName.Type.WILDCARD;
    }
}
