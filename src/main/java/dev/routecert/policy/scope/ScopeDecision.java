package dev.routecert.policy.scope;

/** Whether routecert acts on an object, and why, for logs and {@code routecert check}. */
public sealed interface ScopeDecision {

    String why();

    /** routecert checks the object. */
    record In(String why) implements ScopeDecision {}

    /** routecert leaves the object alone: no check, no patch, no Certificate, no warning. */
    record Out(String why) implements ScopeDecision {}

    default boolean inScope() {
        return this instanceof In;
    }
}
