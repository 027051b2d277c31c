package dev.routecert.tenancy;

import dev.routecert.policy.tenancy.ClaimKey;
import java.time.Instant;

/**
 * A claim object as stored: the key it holds, the namespace holding it, the route that made it, when
 * it was last given to its holder, and the identity that conditional writes are made against.
 */
public record HostClaim(
        ClaimKey key, String holder, String route, Instant renewed, String name, String uid, String resourceVersion) {}
