package dev.routecert.certificates;

import dev.routecert.policy.PlannedCertificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The tools routecert replaces ({@code --adopt-from}): a Certificate one of them made for a route is
 * the route's own, taken over in place so that its Secret keeps the certificate it holds.
 *
 * <p>switchboard names a route's Certificate {@code <route>-tls} in the route's namespace, labels it
 * {@code kubernetes.io/managed-by: switchboard}, gives it a controller ownerReference to the route and
 * writes the Secret the route names. Such a Certificate is this route's when its controller is the
 * route, or, without a controller, when it has the route's name and the label. Its name is kept even
 * where routecert would name the Certificate after the Secret: a second Certificate for the same Secret
 * would make cert-manager issue twice. Its {@code kubernetes.io/managed-by} label is kept too: it is
 * another manager's field, and keeping it is what lets the predecessor take the Certificate back.
 *
 * @param managers the {@code managed-by} label values of the predecessors
 */
public record Predecessors(Set<String> managers) {

    /** The label switchboard writes; {@link Ownership#MANAGED_BY_LABEL} is read too, for tools that use it. */
    public static final String LABEL = "kubernetes.io/managed-by";

    /** As {@code --adopt-from}'s default. */
    public static final Predecessors DEFAULT = of(List.of("switchboard"));

    public static final Predecessors NONE = of(List.of());

    public Predecessors {
        managers = Set.copyOf(managers);
    }

    public static Predecessors of(List<String> managers) {
        return new Predecessors(Set.copyOf(managers));
    }

    /** The name switchboard gives a route's Certificate. */
    public static String certificateName(RouteRef route) {
        return route.name() + "-tls";
    }

    /** The managed-by value naming a predecessor, if {@code found} carries one. */
    Optional<String> manager(ExistingCertificate found) {
        for (String label : List.of(LABEL, Ownership.MANAGED_BY_LABEL)) {
            String value = found.labels().get(label);
            if (value != null && managers.contains(value)) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** Whether a predecessor made {@code found} for {@code route} (whose uid is known on an UPDATE). */
    public boolean madeFor(ExistingCertificate found, RouteRef route, String routeUid) {
        if (manager(found).isEmpty() || !found.namespace().equals(route.namespace())) {
            return false;
        }
        if (found.controllerUid() != null && !found.controllerUid().isEmpty()) {
            return found.controllerUid().equals(routeUid);
        }
        return found.name().equals(certificateName(route));
    }

    /** Whether {@code found} is {@code route}'s own: routecert's for it, controlled by it, or a predecessor's for it. */
    public boolean owns(ExistingCertificate found, RouteRef route, String routeUid) {
        return found.belongsTo(route, routeUid) || madeFor(found, route, routeUid);
    }

    /** The predecessor's labels a taken-over Certificate keeps. */
    Map<String, String> keptLabels(ExistingCertificate found) {
        Map<String, String> kept = new TreeMap<>();
        String value = found.labels().get(LABEL);
        if (value != null && managers.contains(value)) {
            kept.put(LABEL, value);
        }
        return kept;
    }

    /** A plan and the Certificate it is decided against. */
    public record Found(PlannedCertificate plan, Optional<ExistingCertificate> existing) {}

    /**
     * The Certificate a plan is decided against: the one of the plan's name, unless that is not the
     * route's and a Certificate of switchboard's name writes the plan's Secret for the route; then that
     * one, under its own name.
     *
     * @param cached reads a cached Certificate of the plan's namespace by name
     */
    public Found find(
            PlannedCertificate plan,
            RouteRef route,
            String routeUid,
            Function<String, Optional<ExistingCertificate>> cached) {
        Optional<ExistingCertificate> byName = cached.apply(plan.name());
        String theirs = certificateName(route);
        if (theirs.equals(plan.name())
                || plan.shimForm()
                || (byName.isPresent() && owns(byName.get(), route, routeUid))) {
            return new Found(plan, byName);
        }
        Optional<ExistingCertificate> other = cached.apply(theirs)
                .filter(c -> !c.deleting())
                .filter(c -> c.secretName().equals(plan.secretName()))
                .filter(c -> owns(c, route, routeUid));
        return other.isPresent() ? new Found(plan.withName(theirs), other) : new Found(plan, byName);
    }
}
