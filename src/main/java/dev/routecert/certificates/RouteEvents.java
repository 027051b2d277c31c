package dev.routecert.certificates;

/** Records what the reconciler did to a route's Certificate as a Kubernetes Event on the route. */
@FunctionalInterface
public interface RouteEvents {

    String NORMAL = "Normal";
    String WARNING = "Warning";

    /**
     * @param type   {@link #NORMAL} or {@link #WARNING}
     * @param reason CamelCase, e.g. CertificateCreated
     */
    void record(RouteRef route, String routeUid, String type, String reason, String action, String message);
}
