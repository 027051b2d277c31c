package dev.routecert.policy.scope;

import dev.routecert.policy.KubeNames;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which objects routecert acts on: the ingress classes of {@code --ingress-classes} (empty: every
 * object, whatever its class) and what becomes of objects that name no class
 * ({@code --scope-unclassed}).
 *
 * @param classes          the class names; empty means everything is in scope
 * @param includeUnclassed whether an object without a class (and, for an Ingress, without a
 *                         default IngressClass) is in scope
 */
public record ScopeSettings(Set<String> classes, boolean includeUnclassed) {

    public ScopeSettings {
        classes = Set.copyOf(new LinkedHashSet<>(classes));
    }

    /** Everything in scope: routecert's behaviour without {@code --ingress-classes}. */
    public static ScopeSettings everything() {
        return new ScopeSettings(Set.of(), true);
    }

    /** Only these classes; classless objects included. */
    public static ScopeSettings classes(String... names) {
        return new ScopeSettings(Set.of(names), true);
    }

    public ScopeSettings withIncludeUnclassed(boolean include) {
        return new ScopeSettings(classes, include);
    }

    /** True when no class list is set, so every object is in scope. */
    public boolean everythingInScope() {
        return classes.isEmpty();
    }

    /**
     * What is wrong with the settings, one line per problem naming the option. An IngressClass name is
     * a DNS-1123 subdomain, so anything else cannot match a class and is a typo.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (String name : classes.stream().sorted().toList()) {
            String err = KubeNames.dns1123SubdomainError(name);
            if (err != null) {
                problems.add("--ingress-classes: \"" + name + "\" is not an IngressClass name: " + err);
            }
        }
        return problems;
    }

    /** Parses {@code --ingress-classes}: names separated by commas, blanks ignored. */
    public static Set<String> parseClasses(String flag) {
        Set<String> names = new LinkedHashSet<>();
        if (flag != null) {
            for (String part : flag.split(",", -1)) {
                String name = part.trim();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
