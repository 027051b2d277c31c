package dev.routecert.policy.rule;

/**
 * Why a rule could not be parsed, and where.
 *
 * @param offset  0-based character offset in the rule where the problem starts
 * @param message what is wrong, for a person
 * @param hint    one line on how to fix it
 */
public record RuleSyntaxError(int offset, String message, String hint) {}
