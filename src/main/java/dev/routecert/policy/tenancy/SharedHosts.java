package dev.routecert.policy.tenancy;

/**
 * Which namespaces the platform team lets serve the same host. The policy file supplies the real
 * one; without it no host is shared.
 */
@FunctionalInterface
public interface SharedHosts {

    SharedHosts NEVER = (a, b, host) -> false;

    /** Whether namespaces {@code a} and {@code b} may both serve {@code host} (a claim key). */
    boolean shared(String a, String b, String host);
}
