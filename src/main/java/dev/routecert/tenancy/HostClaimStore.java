package dev.routecert.tenancy;

import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.StoreException;
import dev.routecert.policy.tenancy.ClaimKey;
import java.util.List;
import java.util.Optional;

/**
 * Where host claims live. {@code cached*} answer from a cache (no round trip, possibly behind);
 * the other reads are linearizable (they see every write that finished before they started), which
 * is what makes the check of a new claim race-free. Writes are conditional and never retried here.
 */
public interface HostClaimStore {

    Optional<HostClaim> cached(ClaimKey key);

    /** Cached claims whose key is in {@code zone}: the names {@code *.zone} covers, and {@code *.zone} itself. */
    List<HostClaim> cachedZone(String zone);

    List<HostClaim> cachedAll();

    Optional<HostClaim> read(ClaimKey key, Deadline deadline) throws StoreException;

    /** Every claim in {@code zone}, as {@link #cachedZone} but read from the API server. */
    List<HostClaim> listZone(String zone, Deadline deadline) throws StoreException;

    /** Creates the claim for {@code holder}; ALREADY_EXISTS when any claim of that key exists. */
    HostClaim create(ClaimKey key, String holder, String route, Deadline deadline) throws StoreException;

    /** Gives the claim to {@code holder} if it is still at its resourceVersion, else CONFLICT. */
    HostClaim transfer(HostClaim claim, String holder, String route, Deadline deadline) throws StoreException;

    /** Deletes the claim if it still has its uid and resourceVersion (else CONFLICT); gone already is fine. */
    void delete(HostClaim claim, Deadline deadline) throws StoreException;
}
