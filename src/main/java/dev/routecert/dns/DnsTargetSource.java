package dev.routecert.dns;

import java.util.List;

/** Where the records of routes without their own targets point now. */
public interface DnsTargetSource {

    /** The current targets, as IP addresses or host names; empty while none is known. */
    List<String> targets();

    /** What the targets come from, for messages: {@code Service traefik/traefik} or {@code --dns-targets}. */
    String describe();

    static DnsTargetSource fixed(List<String> targets) {
        List<String> copy = List.copyOf(targets);
        return new DnsTargetSource() {
            @Override
            public List<String> targets() {
                return copy;
            }

            @Override
            public String describe() {
                return "--dns-targets";
            }
        };
    }
}
