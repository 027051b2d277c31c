package dev.routecert.policy.tenancy;

import dev.routecert.policy.Check;
import dev.routecert.policy.Violation;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * When two claims are one: a name is the same claim as itself, and a one-label wildcard is the same
 * claim as every name it covers ({@code *.d} and {@code a.d}, not {@code a.b.d} nor {@code d}), as
 * {@link dev.routecert.policy.HostName#covers} reads certificates. Namespace X may serve a name
 * unless another namespace that does not share it with X holds the same claim.
 */
public final class SameClaimRule {

    private SameClaimRule() {}

    /** A claim held by a namespace: the key and its holder. */
    public record Held(ClaimKey key, String holder) {}

    /** A stored route serving a key: its namespace and when it was created (null: not stored yet). */
    public record Server(String namespace, Instant created, String tiebreak) {}

    /** Oldest first; a route that is not stored yet is younger than every stored one. */
    public static final Comparator<Server> OLDEST_FIRST = Comparator.comparing(
                    Server::created, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(Server::tiebreak);

    public static boolean same(ClaimKey a, ClaimKey b) {
        if (a.equals(b)) {
            return true;
        }
        if (a.wildcard() == b.wildcard()) {
            return false;
        }
        ClaimKey specific = a.wildcard() ? b : a;
        ClaimKey wildcard = a.wildcard() ? a : b;
        return specific.coveringWildcard().filter(wildcard::equals).isPresent();
    }

    /** The first claim of {@code held} that stops {@code namespace} from serving {@code wanted}. */
    public static Optional<Held> rival(String namespace, ClaimKey wanted, Collection<Held> held, SharedHosts sharing) {
        for (Held h : held) {
            if (!h.holder().equals(namespace)
                    && same(wanted, h.key())
                    && !sharing.shared(namespace, h.holder(), wanted.name())) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }

    /**
     * Before any claim exists, the namespace that serves a name first owns it: the rival among
     * {@code servers} (other namespaces, not sharing) that is older than every route of
     * {@code namespace} serving it, {@code mine} included.
     */
    public static Optional<Server> olderServer(
            String namespace, ClaimKey wanted, Server mine, List<Server> servers, SharedHosts sharing) {
        Server oldestMine = mine;
        for (Server s : servers) {
            if (s.namespace().equals(namespace) && OLDEST_FIRST.compare(s, oldestMine) < 0) {
                oldestMine = s;
            }
        }
        Server found = null;
        for (Server s : servers) {
            if (!s.namespace().equals(namespace)
                    && !sharing.shared(namespace, s.namespace(), wanted.name())
                    && OLDEST_FIRST.compare(s, oldestMine) < 0
                    && (found == null || OLDEST_FIRST.compare(s, found) < 0)) {
                found = s;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * The denial: it names the host, not the namespace that serves it, so one tenant learns nothing
     * of another's namespaces; the platform team finds the holder with kubectl.
     */
    public static Violation denial(String field, String host) {
        return Violation.forbidden(
                Check.HOST_OWNERSHIP,
                field,
                host + " is served by another namespace, and a host belongs to the namespace that served it first",
                "use another host, or ask the platform team to share " + host + " between the namespaces");
    }
}
