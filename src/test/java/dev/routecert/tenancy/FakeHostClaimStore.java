package dev.routecert.tenancy;

import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.StoreException;
import dev.routecert.policy.tenancy.ClaimKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A linearizable {@link HostClaimStore}: every call is atomic on one lock, like etcd. The cache is
 * a separate copy that tests bring up to date ({@link #sync}), so a cache that is behind is the
 * default. {@link #beforeCall} runs before each API call outside the lock, for tests that interleave
 * two reviews step by step.
 */
public final class FakeHostClaimStore implements HostClaimStore {

    private final Map<ClaimKey, HostClaim> stored = new TreeMap<>();
    private final Map<ClaimKey, HostClaim> cache = new TreeMap<>();
    private final AtomicLong versions = new AtomicLong();
    private final List<String> calls = new ArrayList<>();
    private volatile Consumer<String> beforeCall = call -> {};
    private Instant now = Instant.parse("2025-01-01T00:00:00Z");

    void beforeCall(Consumer<String> hook) {
        beforeCall = hook;
    }

    public synchronized void sync() {
        cache.clear();
        cache.putAll(stored);
    }

    synchronized void now(Instant instant) {
        now = instant;
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized Map<ClaimKey, HostClaim> stored() {
        return Map.copyOf(stored);
    }

    /** A claim that exists before the test, in the store and the cache. */
    public synchronized HostClaim put(String key, String holder) {
        ClaimKey k = ClaimKey.parse(key).orElseThrow();
        HostClaim claim = new HostClaim(
                k, holder, "", now, "host-" + key, "uid-" + key, String.valueOf(versions.incrementAndGet()));
        stored.put(k, claim);
        cache.put(k, claim);
        return claim;
    }

    private void call(String what) {
        beforeCall.accept(what);
        synchronized (this) {
            calls.add(what);
        }
    }

    @Override
    public synchronized Optional<HostClaim> cached(ClaimKey key) {
        return Optional.ofNullable(cache.get(key));
    }

    @Override
    public synchronized List<HostClaim> cachedZone(String zone) {
        return cache.values().stream()
                .filter(c -> c.key().zone().filter(zone::equals).isPresent())
                .toList();
    }

    @Override
    public synchronized List<HostClaim> cachedAll() {
        return List.copyOf(cache.values());
    }

    @Override
    public Optional<HostClaim> read(ClaimKey key, Deadline deadline) {
        call("read " + key);
        synchronized (this) {
            return Optional.ofNullable(stored.get(key));
        }
    }

    @Override
    public List<HostClaim> listZone(String zone, Deadline deadline) {
        call("list " + zone);
        synchronized (this) {
            return stored.values().stream()
                    .filter(c -> c.key().zone().filter(zone::equals).isPresent())
                    .toList();
        }
    }

    @Override
    public HostClaim create(ClaimKey key, String holder, String route, Deadline deadline) throws StoreException {
        call("create " + key + " " + holder);
        synchronized (this) {
            if (stored.containsKey(key)) {
                throw new StoreException(StoreException.Kind.ALREADY_EXISTS, key + " exists", null);
            }
            long v = versions.incrementAndGet();
            HostClaim claim = new HostClaim(key, holder, route, now, "host-" + key, "uid-" + v, String.valueOf(v));
            stored.put(key, claim);
            return claim;
        }
    }

    @Override
    public HostClaim transfer(HostClaim claim, String holder, String route, Deadline deadline) throws StoreException {
        call("transfer " + claim.key() + " " + holder);
        synchronized (this) {
            HostClaim current = stored.get(claim.key());
            if (current == null || !current.resourceVersion().equals(claim.resourceVersion())) {
                throw new StoreException(StoreException.Kind.CONFLICT, claim.key() + " changed", null);
            }
            HostClaim moved = new HostClaim(
                    claim.key(),
                    holder,
                    route,
                    now,
                    claim.name(),
                    claim.uid(),
                    String.valueOf(versions.incrementAndGet()));
            stored.put(claim.key(), moved);
            return moved;
        }
    }

    @Override
    public void delete(HostClaim claim, Deadline deadline) throws StoreException {
        call("delete " + claim.key());
        synchronized (this) {
            HostClaim current = stored.get(claim.key());
            if (current == null) {
                return;
            }
            if (!current.resourceVersion().equals(claim.resourceVersion())) {
                throw new StoreException(StoreException.Kind.CONFLICT, claim.key() + " changed", null);
            }
            stored.remove(claim.key());
        }
    }
}
