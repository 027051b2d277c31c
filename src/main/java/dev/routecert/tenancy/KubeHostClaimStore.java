package dev.routecert.tenancy;

import dev.routecert.certificates.Deadline;
import dev.routecert.certificates.DeadlineCalls;
import dev.routecert.certificates.StoreException;
import dev.routecert.certificates.WatchFailures;
import dev.routecert.health.Readiness;
import dev.routecert.log.Log;
import dev.routecert.log.RepeatedFailure;
import dev.routecert.policy.HostName;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.time.Clock;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Host claims as {@code coordination.k8s.io/v1} Leases in routecert's namespace: built in on every
 * API server, tiny, and {@code spec.holderIdentity} means "owner". A Lease is named {@code host-}
 * plus a hash of its key (a key can be longer than a name may be, and may hold a {@code *}), carries
 * the key in an annotation (a different key there is a hash collision and reads as a conflict), and
 * a label with the hash of its zone so that a wildcard finds the names it covers with one LIST.
 * Every replica watches them; reads without a resourceVersion and creates go to the API server.
 */
public final class KubeHostClaimStore implements HostClaimStore, AutoCloseable {

    public static final String CHECK = "host-claims";
    public static final String HOST_ANNOTATION = "routecert.dev/host";
    public static final String ROUTE_ANNOTATION = "routecert.dev/route";
    public static final String CLAIM_LABEL = "routecert.dev/claim";
    public static final String ZONE_LABEL = "routecert.dev/zone";
    private static final String ZONE_INDEX = "zone";

    private static final Log log = Log.of(KubeHostClaimStore.class);

    private final KubernetesClient watchClient;
    private final KubernetesClient client;
    private final String namespace;
    private final Clock clock;
    private SharedIndexInformer<Lease> informer;

    /**
     * {@code watchClient} keeps the cache; {@code client} makes the calls bounded by a deadline. {@code clock} stamps when a claim was given to its holder, which the release's grace period counts from. */
    public KubeHostClaimStore(KubernetesClient watchClient, KubernetesClient client, String namespace, Clock clock) {
        this.watchClient = watchClient;
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
    }

    /** Starts the cache of claims; readiness {@value #CHECK} passes once it has listed them. */
    public KubeHostClaimStore start(Readiness readiness, Consumer<ClaimKey> onChange) {
        readiness.pending(CHECK, () -> "listing the host claims in namespace " + namespace);
        informer = watchClient
                .leases()
                .inNamespace(namespace)
                .withLabel(CLAIM_LABEL, "host")
                .runnableInformer(0);
        informer.addIndexers(Map.of(ZONE_INDEX, lease -> {
            String zone = zoneHash(lease);
            return zone == null ? List.of() : List.of(zone);
        }));
        RepeatedFailure watchFailure = WatchFailures.report(informer, "host claims: list and watch of Leases", log);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Lease lease) {
                changed(lease);
            }

            @Override
            public void onUpdate(Lease old, Lease lease) {
                changed(lease);
            }

            @Override
            public void onDelete(Lease lease, boolean finalStateUnknown) {
                changed(lease);
            }

            private void changed(Lease lease) {
                watchFailure.recovered();
                claim(lease).map(HostClaim::key).ifPresent(onChange);
            }
        });
        informer.start().whenComplete((ok, error) -> {
            if (error != null) {
                log.warn("host claims: informer stopped: {}", error.getMessage());
            } else {
                log.info(
                        "host claims: {} in namespace {}",
                        informer.getIndexer().list().size(),
                        namespace);
                readiness.pass(CHECK);
            }
        });
        return this;
    }

    public boolean synced() {
        return informer != null && informer.hasSynced();
    }

    /** The name of the Lease that holds {@code key}. */
    public static String leaseName(ClaimKey key) {
        return "host-" + hash(key.name());
    }

    static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 40);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<HostClaim> cached(ClaimKey key) {
        if (informer == null) {
            return Optional.empty();
        }
        return held(informer.getIndexer().getByKey(namespace + "/" + leaseName(key)), key);
    }

    /** The claim on {@code key} that the Lease of its name holds; a collision when it holds another key. */
    static Optional<HostClaim> held(Lease lease, ClaimKey key) {
        if (lease == null) {
            return Optional.empty();
        }
        return Optional.of(claim(lease).filter(c -> c.key().equals(key)).orElseGet(() -> collision(key)));
    }

    /** The hash of the zone a Lease's claim is in, from its label; null for none. */
    static String zoneHash(Lease lease) {
        return lease.getMetadata().getLabels() == null
                ? null
                : lease.getMetadata().getLabels().get(ZONE_LABEL);
    }

    @Override
    public List<HostClaim> cachedZone(String zone) {
        if (informer == null) {
            return List.of();
        }
        return informer.getIndexer().byIndex(ZONE_INDEX, hash(zone)).stream()
                .flatMap(l -> claim(l).stream())
                .toList();
    }

    @Override
    public List<HostClaim> cachedAll() {
        if (informer == null) {
            return List.of();
        }
        return informer.getIndexer().list().stream()
                .flatMap(l -> claim(l).stream())
                .toList();
    }

    @Override
    public Optional<HostClaim> read(ClaimKey key, Deadline deadline) throws StoreException {
        String action = "read the claim on " + key;
        Lease lease = call(
                deadline,
                action,
                c -> c.leases().inNamespace(namespace).withName(leaseName(key)).get());
        if (lease == null) {
            return Optional.empty();
        }
        Optional<HostClaim> claim = claim(lease);
        if (claim.isEmpty() || !claim.get().key().equals(key)) {
            return Optional.of(collision(key));
        }
        return claim;
    }

    /** A Lease of that name holding another key (a hash collision): nobody may take this key. */
    private static HostClaim collision(ClaimKey key) {
        return new HostClaim(key, "?", "", Instant.EPOCH, leaseName(key), "", "");
    }

    @Override
    public List<HostClaim> listZone(String zone, Deadline deadline) throws StoreException {
        String action = "list the claims under " + zone;
        return call(
                        deadline,
                        action,
                        c -> c.leases()
                                .inNamespace(namespace)
                                .withLabel(CLAIM_LABEL, "host")
                                .withLabel(ZONE_LABEL, hash(zone))
                                .list())
                .getItems()
                .stream()
                .flatMap(l -> claim(l).stream())
                .toList();
    }

    @Override
    public HostClaim create(ClaimKey key, String holder, String route, Deadline deadline) throws StoreException {
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        LeaseBuilder lease = new LeaseBuilder()
                .withNewMetadata()
                .withName(leaseName(key))
                .withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "routecert")
                .addToLabels(CLAIM_LABEL, "host")
                .addToAnnotations(HOST_ANNOTATION, key.name())
                .addToAnnotations(ROUTE_ANNOTATION, route)
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(holder)
                .withAcquireTime(now)
                .withRenewTime(now)
                .endSpec();
        key.zone()
                .ifPresent(zone ->
                        lease.editMetadata().addToLabels(ZONE_LABEL, hash(zone)).endMetadata());
        Lease body = lease.build();
        Lease created = call(
                deadline,
                "claim " + key + " for namespace " + holder,
                c -> c.leases().inNamespace(namespace).resource(body).create());
        return claim(created).orElseThrow();
    }

    @Override
    public HostClaim transfer(HostClaim claim, String holder, String route, Deadline deadline) throws StoreException {
        String action = "give the claim on " + claim.key() + " to namespace " + holder;
        Lease current = call(
                deadline,
                action,
                c -> c.leases().inNamespace(namespace).withName(claim.name()).get());
        if (current == null || !Objects.equals(current.getMetadata().getResourceVersion(), claim.resourceVersion())) {
            throw new StoreException(StoreException.Kind.CONFLICT, "could not " + action + ": it changed", null);
        }
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        current.getSpec().setHolderIdentity(holder);
        current.getSpec().setAcquireTime(now);
        current.getSpec().setRenewTime(now);
        current.getMetadata().getAnnotations().put(ROUTE_ANNOTATION, route);
        Lease updated = call(
                deadline,
                action,
                c -> c.leases().inNamespace(namespace).resource(current).update());
        return claim(updated).orElseThrow();
    }

    @Override
    public void delete(HostClaim claim, Deadline deadline) throws StoreException {
        call(
                deadline,
                "release the claim on " + claim.key(),
                c -> c.leases()
                        .inNamespace(namespace)
                        .withName(claim.name())
                        .lockResourceVersion(claim.resourceVersion())
                        .delete());
    }

    /** The claim a Lease holds; empty for a Lease that is not one of routecert's claims. */
    static Optional<HostClaim> claim(Lease lease) {
        ObjectMeta meta = lease.getMetadata();
        if (meta == null || meta.getAnnotations() == null || lease.getSpec() == null) {
            return Optional.empty();
        }
        String host = meta.getAnnotations().get(HOST_ANNOTATION);
        HostName.Check check = host == null ? null : HostName.check(host);
        if (check == null
                || !check.ok()
                || !check.name().ascii().equals(host)
                || !meta.getName()
                        .equals(leaseName(new ClaimKey(host, check.name().type())))) {
            return Optional.empty();
        }
        ZonedDateTime renewed = lease.getSpec().getRenewTime() != null
                ? lease.getSpec().getRenewTime()
                : lease.getSpec().getAcquireTime();
        return ClaimKey.of(check.name())
                .map(key -> new HostClaim(
                        key,
                        Objects.requireNonNullElse(lease.getSpec().getHolderIdentity(), ""),
                        meta.getAnnotations().getOrDefault(ROUTE_ANNOTATION, ""),
                        renewed == null ? Instant.EPOCH : renewed.toInstant(),
                        meta.getName(),
                        meta.getUid(),
                        meta.getResourceVersion()));
    }

    /** One call within {@code deadline} ({@link DeadlineCalls}). */
    private <T> T call(Deadline deadline, String action, Function<KubernetesClient, T> operation)
            throws StoreException {
        return DeadlineCalls.call(client, deadline, action, operation);
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.stop();
        }
    }
}
