package dev.routecert.certificates;

/** The marks that say a Certificate is routecert's, and for which route. */
public final class Ownership {

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "routecert";
    /** {@code group/Kind/name} of the route the Certificate was created for (same namespace). */
    public static final String ROUTE_ANNOTATION = "routecert.dev/route";
    /**
     * Set by admission on an UPDATE: {@code <resourceVersion> <instant>}, the route's stored version the
     * Certificate was written ahead of, and when. Until the route's cache passes that version (or
     * the orphan grace period ends) the reconciler leaves the Certificate alone instead of reverting it
     * to the route as the cache still shows it.
     */
    public static final String WRITTEN_AHEAD_ANNOTATION = "routecert.dev/written-ahead-of";
    /** The field manager of every write routecert makes. */
    public static final String FIELD_MANAGER = "routecert";
    /** cert-manager marks each Secret it writes with the name of the Certificate it belongs to. */
    public static final String SECRET_CERTIFICATE_ANNOTATION = "cert-manager.io/certificate-name";

    private Ownership() {}
}
