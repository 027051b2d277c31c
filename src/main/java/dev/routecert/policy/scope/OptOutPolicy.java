package dev.routecert.policy.scope;

/**
 * Whether the {@value OptOut#ANNOTATION} annotation is honoured in a namespace. The policy file
 * decides it per namespace; without one, opting out is allowed everywhere.
 */
@FunctionalInterface
public interface OptOutPolicy {

    boolean allowed(String namespace);

    /** Opting out allowed in every namespace. */
    OptOutPolicy ALLOWED = namespace -> true;
}
