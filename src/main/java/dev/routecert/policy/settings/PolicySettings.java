package dev.routecert.policy.settings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.Action;
import dev.routecert.policy.Check;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The policy file ({@code apiVersion: routecert.dev/v1alpha1}, {@code kind: Policy}), read strictly:
 * an unknown field, an unknown check id or a malformed selector is a problem, and every problem is
 * reported at once as {@code path: message}. Pure: the caller reads the file.
 *
 * @param enforcement the top-level enforcement, for namespaces no override matches
 * @param optOutAllowed whether {@code routecert.dev/ignore} is honoured, for the same namespaces
 * @param overrides in order; the first whose selector matches a namespace applies to it (Kyverno's rule)
 */
public record PolicySettings(
        EnforcementSettings enforcement, boolean optOutAllowed, TenancySettings tenancy, List<Override> overrides) {

    public static final String API_VERSION = "routecert.dev/v1alpha1";
    public static final String KIND = "Policy";

    /** What routecert does without a policy file: every check at its own action, opting out allowed. */
    public static final PolicySettings DEFAULT =
            new PolicySettings(EnforcementSettings.NONE, true, TenancySettings.DEFAULT, List.of());

    public PolicySettings {
        overrides = List.copyOf(overrides);
    }

    /**
     * @param defaultMode the mode of checks that deny by nature and have no mode of their own; empty when
     *     not set here
     * @param checks a mode per check id
     */
    public record EnforcementSettings(Optional<Action> defaultMode, Map<Check, Action> checks) {
        public static final EnforcementSettings NONE = new EnforcementSettings(Optional.empty(), Map.of());

        public EnforcementSettings {
            checks = Map.copyOf(checks);
        }
    }

    /** Settings for the namespaces a selector matches; what is not set here comes from the top level. */
    public record Override(
            LabelSelector namespaceSelector, EnforcementSettings enforcement, Optional<Boolean> optOutAllowed) {}

    /** The settings, or every problem found; exactly one of the two. */
    public record Parsed(PolicySettings settings, List<String> problems) {
        public Parsed {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** The namespace policy for one namespace, given its labels. */
    public NamespacePolicy resolve(String namespace, Map<String, String> labels) {
        return NamespacePolicy.resolve(this, namespace, labels);
    }

    /** Reads a policy document; check ids are those of {@link Check}, and only the tunable ones may be named. */
    public static Parsed parse(JsonNode root) {
        Problems problems = new Problems();
        if (root == null || root.isMissingNode() || root.isNull()) {
            problems.add(
                    "",
                    "the policy document is empty; it needs at least apiVersion: " + API_VERSION + " and kind: "
                            + KIND);
            return new Parsed(null, problems.list());
        }
        if (!problems.object("", root, Set.of("apiVersion", "kind", "enforcement", "optOut", "tenancy", "overrides"))) {
            return new Parsed(null, problems.list());
        }
        expect("apiVersion", root, API_VERSION, problems);
        expect("kind", root, KIND, problems);
        EnforcementSettings enforcement = root.has("enforcement")
                ? enforcement("enforcement", root.get("enforcement"), problems)
                : EnforcementSettings.NONE;
        Optional<Boolean> optOut =
                root.has("optOut") ? optOut("optOut", root.get("optOut"), problems) : Optional.empty();
        TenancySettings tenancy = root.has("tenancy")
                ? TenancySettings.parse("tenancy", root.get("tenancy"), problems)
                : TenancySettings.DEFAULT;
        List<Override> overrides = new ArrayList<>();
        if (root.has("overrides") && problems.array("overrides", root.get("overrides"))) {
            JsonNode list = root.get("overrides");
            for (int i = 0; i < list.size(); i++) {
                Override o = override(Problems.index("overrides", i), list.get(i), problems);
                if (o != null) {
                    overrides.add(o);
                }
            }
        }
        if (problems.size() > 0) {
            return new Parsed(null, problems.list());
        }
        return new Parsed(new PolicySettings(enforcement, optOut.orElse(true), tenancy, overrides), List.of());
    }

    private static void expect(String field, JsonNode root, String expected, Problems problems) {
        if (!root.has(field)) {
            problems.add(field, "required: " + expected);
            return;
        }
        String value = problems.string(field, root.get(field));
        if (value != null && !value.equals(expected)) {
            problems.add(field, "must be " + expected + ", got \"" + value + "\"");
        }
    }

    private static Override override(String path, JsonNode node, Problems problems) {
        if (!problems.object(path, node, Set.of("namespaceSelector", "enforcement", "optOut"))) {
            return null;
        }
        LabelSelector selector = TenancySettings.selector(path, node, problems);
        EnforcementSettings enforcement = node.has("enforcement")
                ? enforcement(Problems.child(path, "enforcement"), node.get("enforcement"), problems)
                : EnforcementSettings.NONE;
        Optional<Boolean> optOut = node.has("optOut")
                ? optOut(Problems.child(path, "optOut"), node.get("optOut"), problems)
                : Optional.empty();
        if (!node.has("enforcement") && !node.has("optOut")) {
            problems.add(path, "an override sets enforcement, optOut or both");
        }
        return new Override(selector, enforcement, optOut);
    }

    private static EnforcementSettings enforcement(String path, JsonNode node, Problems problems) {
        if (!problems.object(path, node, Set.of("default", "checks"))) {
            return EnforcementSettings.NONE;
        }
        Optional<Action> defaultMode = Optional.empty();
        if (node.has("default")) {
            defaultMode = mode(Problems.child(path, "default"), node.get("default"), problems);
        }
        Map<Check, Action> checks = new LinkedHashMap<>();
        String checksPath = Problems.child(path, "checks");
        if (node.has("checks") && problems.map(checksPath, node.get("checks"))) {
            for (Map.Entry<String, JsonNode> entry : Problems.fields(node.get("checks"))) {
                String at = Problems.child(checksPath, entry.getKey());
                Optional<Check> check = Check.byId(entry.getKey());
                if (check.isEmpty()) {
                    problems.add(at, Check.unknownIdMessage(entry.getKey()));
                    continue;
                }
                if (!check.get().tunable()) {
                    problems.add(
                            at,
                            "check " + entry.getKey() + " is not tunable: it always "
                                    + (check.get().natural() == Action.DENY ? "denies" : "warns")
                                    + " (see checks.md)");
                    continue;
                }
                mode(at, entry.getValue(), problems).ifPresent(m -> checks.put(check.get(), m));
            }
        }
        return new EnforcementSettings(defaultMode, checks);
    }

    private static Optional<Action> mode(String path, JsonNode node, Problems problems) {
        // YAML 1.1 reads an unquoted off as false: take it for the mode it was meant as
        if (node.isBoolean() && !node.asBoolean()) {
            return Optional.of(Action.OFF);
        }
        String text = problems.string(path, node);
        if (text == null) {
            return Optional.empty();
        }
        Optional<Action> mode = Action.byWord(text).filter(a -> a.word().equals(text));
        if (mode.isEmpty()) {
            problems.add(path, "must be deny, warn, audit or off, got \"" + text + "\"");
        }
        return mode;
    }

    private static Optional<Boolean> optOut(String path, JsonNode node, Problems problems) {
        if (!problems.object(path, node, Set.of("allowed"))) {
            return Optional.empty();
        }
        if (!node.has("allowed")) {
            problems.add(Problems.child(path, "allowed"), "required");
            return Optional.empty();
        }
        return Optional.ofNullable(problems.bool(Problems.child(path, "allowed"), node.get("allowed")));
    }
}
