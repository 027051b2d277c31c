package dev.routecert.policy.settings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.KubeNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes label selector ({@code metav1.LabelSelector}): every {@code matchLabels} pair and every
 * expression must hold. The empty selector matches every namespace, as in Kubernetes.
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

    public enum Operator {
        In,
        NotIn,
        Exists,
        DoesNotExist
    }

    public record Requirement(String key, Operator operator, List<String> values) {
        public Requirement {
            values = List.copyOf(values);
        }

        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case In -> value != null && values.contains(value);
                case NotIn -> value == null || !values.contains(value);
                case Exists -> value != null;
                case DoesNotExist -> value == null;
            };
        }
    }

    /** Matches every namespace. */
    public static final LabelSelector EVERYTHING = new LabelSelector(Map.of(), List.of());

    public LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> pair : matchLabels.entrySet()) {
            if (!pair.getValue().equals(labels.get(pair.getKey()))) {
                return false;
            }
        }
        for (Requirement requirement : matchExpressions) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Reads a selector, validating keys and values as the API server does; null when it has a problem. */
    static LabelSelector parse(String path, JsonNode node, Problems problems) {
        int before = problems.size();
        if (!problems.object(path, node, Set.of("matchLabels", "matchExpressions"))) {
            return null;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode matchLabels = node.path("matchLabels");
        String labelsPath = Problems.child(path, "matchLabels");
        if (!matchLabels.isMissingNode() && problems.map(labelsPath, matchLabels)) {
            for (Map.Entry<String, JsonNode> pair : Problems.fields(matchLabels)) {
                String at = Problems.child(labelsPath, pair.getKey());
                String keyError = KubeNames.qualifiedNameError(pair.getKey());
                if (keyError != null) {
                    problems.add(at, keyError);
                }
                String value = problems.string(at, pair.getValue());
                if (value != null) {
                    String valueError = KubeNames.labelValueError(value);
                    if (valueError != null) {
                        problems.add(at, valueError);
                    }
                    labels.put(pair.getKey(), value);
                }
            }
        }
        List<Requirement> requirements = new ArrayList<>();
        JsonNode expressions = node.path("matchExpressions");
        String expressionsPath = Problems.child(path, "matchExpressions");
        if (!expressions.isMissingNode() && problems.array(expressionsPath, expressions)) {
            for (int i = 0; i < expressions.size(); i++) {
                Requirement r = requirement(Problems.index(expressionsPath, i), expressions.get(i), problems);
                if (r != null) {
                    requirements.add(r);
                }
            }
        }
        return problems.size() == before ? new LabelSelector(labels, requirements) : null;
    }

    private static Requirement requirement(String path, JsonNode node, Problems problems) {
        if (!problems.object(path, node, Set.of("key", "operator", "values"))) {
            return null;
        }
        int before = problems.size();
        String key = null;
        if (node.has("key")) {
            key = problems.string(Problems.child(path, "key"), node.get("key"));
            String keyError = key == null ? null : KubeNames.qualifiedNameError(key);
            if (keyError != null) {
                problems.add(Problems.child(path, "key"), keyError);
            }
        } else {
            problems.add(Problems.child(path, "key"), "required");
        }
        Operator operator = null;
        String operatorPath = Problems.child(path, "operator");
        if (node.has("operator")) {
            String text = problems.string(operatorPath, node.get("operator"));
            if (text != null) {
                try {
                    operator = Operator.valueOf(text);
                } catch (IllegalArgumentException e) {
                    problems.add(operatorPath, "must be In, NotIn, Exists or DoesNotExist, got \"" + text + "\"");
                }
            }
        } else {
            problems.add(operatorPath, "required");
        }
        String valuesPath = Problems.child(path, "values");
        List<String> values = node.has("values") ? problems.strings(valuesPath, node.get("values")) : List.of();
        for (int i = 0; i < values.size(); i++) {
            String valueError = KubeNames.labelValueError(values.get(i));
            if (valueError != null) {
                problems.add(Problems.index(valuesPath, i), valueError);
            }
        }
        if (operator == Operator.In || operator == Operator.NotIn) {
            if (values.isEmpty()) {
                problems.add(valuesPath, "must be non-empty when operator is " + operator);
            }
        } else if (operator != null && !values.isEmpty()) {
            problems.add(valuesPath, "must be empty when operator is " + operator);
        }
        return problems.size() == before ? new Requirement(key, operator, values) : null;
    }
}
