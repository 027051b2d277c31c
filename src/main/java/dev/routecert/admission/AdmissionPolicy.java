package dev.routecert.admission;

import java.util.List;

/** The one seam between the HTTP boundary and routecert's decisions. */
@FunctionalInterface
public interface AdmissionPolicy {

    /** Decides one request. An exception becomes an errored (500) answer that still echoes the uid. */
    AdmissionDecision review(AdmissionRequest request) throws Exception;

    /**
     * The parts of objects this policy reads, where it reads less than the whole: the rest is skipped
     * while its reviews are parsed ({@link ListProjection}). Empty, the default: objects are read whole.
     */
    default List<ListProjection> projections() {
        return List.of();
    }

    /** Admits everything unchanged: what serves while no policy is configured. */
    AdmissionPolicy ALLOW_ALL = request -> AdmissionDecision.allow();
}
