package dev.routecert.certificates;

/** The marks that say a Certificate is routecert's, and for which route. */
public final class Ownership {

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "routecert";
    /** {@code group/Kind/name} of the route the Certificate was created for (same namespace). */
    public static final String ROUTE_ANNOTATION = "routecert.dev/route";
    /** The field manager of every write routecert makes. */
    public static final String FIELD_MANAGER = "routecert";
    /** cert-manager marks each Secret it writes with the name of the Certificate it belongs to. */
    public static final String SECRET_CERTIFICATE_ANNOTATION = "cert-manager.io/certificate-name";

    private Ownership() {
    }
}
