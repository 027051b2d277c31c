package dev.routecert.admission;

/** The one seam between the HTTP boundary and routecert's decisions. */
@FunctionalInterface
public interface AdmissionPolicy {

    /** Decides one request. An exception becomes an errored (500) answer that still echoes the uid. */
    AdmissionDecision review(AdmissionRequest request) throws Exception;

    /** Admits everything unchanged: what serves while no policy is configured. */
    AdmissionPolicy ALLOW_ALL = request -> AdmissionDecision.allow();
}
