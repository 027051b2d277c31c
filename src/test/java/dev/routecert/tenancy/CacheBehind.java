package dev.routecert.tenancy;

import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.StoreException;
import dev.routecert.policy.tenancy.ClaimKey;
import java.util.List;
import java.util.Optional;

/** A replica whose cache has seen no claim yet: every question goes to the API server. */
class CacheBehind implements HostClaimStore {

    private final HostClaimStore store;

    CacheBehind(HostClaimStore store) {
        this.store = store;
    }

    @Override
    public Optional<HostClaim> cached(ClaimKey key) {
        return Optional.empty();
    }

    @Override
    public List<HostClaim> cachedZone(String zone) {
        return List.of();
    }

    @Override
    public List<HostClaim> cachedAll() {
        return List.of();
    }

    @Override
    public Optional<HostClaim> read(ClaimKey key, Deadline deadline) throws StoreException {
        return store.read(key, deadline);
    }

    @Override
    public List<HostClaim> listZone(String zone, Deadline deadline) throws StoreException {
        return store.listZone(zone, deadline);
    }

    @Override
    public HostClaim create(ClaimKey key, String holder, String route, Deadline deadline) throws StoreException {
        return store.create(key, holder, route, deadline);
    }

    @Override
    public HostClaim transfer(HostClaim claim, String holder, String route, Deadline deadline) throws StoreException {
        return store.transfer(claim, holder, route, deadline);
    }

    @Override
    public void delete(HostClaim claim, Deadline deadline) throws StoreException {
        store.delete(claim, deadline);
    }
}
