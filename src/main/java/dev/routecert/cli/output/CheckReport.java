package dev.routecert.cli.output;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one run of {@code routecert check} found, for the output formats to write.
 *
 * @param objects     every object read, in input order (all of them, also under {@code --quiet})
 * @param inputErrors inputs that could not be read, each a line as standard error shows it
 * @param exitCode    the code the run exits with
 * @param clusterChecks the checks that read the cluster (with {@code --kubeconfig}); empty without one
 */
public record CheckReport(
        List<CheckedObject> objects, List<String> inputErrors, int exitCode, List<String> clusterChecks) {

    public static final List<String> LABELS = List.of("ALLOW", "WARN", "CREATE", "MUTATE", "DENY", "SKIPPED");

    public CheckReport {
        objects = List.copyOf(objects);
        inputErrors = List.copyOf(inputErrors);
        clusterChecks = List.copyOf(clusterChecks);
    }

    /** How many objects got each verdict, every label present. */
    public Map<String, Integer> counts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        LABELS.forEach(l -> counts.put(l, 0));
        objects.forEach(o -> counts.merge(o.label(), 1, Integer::sum));
        return counts;
    }

    /** The objects an output lists: all of them, or with {@code quiet} only those with problems. */
    public List<CheckedObject> shown(boolean quiet) {
        return quiet ? objects.stream().filter(CheckedObject::hasProblems).toList() : objects;
    }
}
