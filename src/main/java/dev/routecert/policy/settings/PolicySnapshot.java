package dev.routecert.policy.settings;

import java.util.Map;

/**
 * The policy in force, immutable: a review reads it once, so a reload never splits one decision.
 *
 * @param sha256 hex SHA-256 of the file's bytes, or "" for the built-in defaults
 * @param source where the settings came from, for logs
 */
public record PolicySnapshot(PolicySettings settings, String sha256, String source) {

    /** The built-in defaults, in force without a policy file. */
    public static final PolicySnapshot DEFAULTS = new PolicySnapshot(PolicySettings.DEFAULT, "", "built-in defaults");

    /** The policy for one namespace, from its labels. */
    public NamespacePolicy resolve(String namespace, Map<String, String> labels) {
        return settings.resolve(namespace, labels);
    }
}
