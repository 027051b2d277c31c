package dev.routecert.policy.scope;

import dev.routecert.routes.ObjectMetaView;
import dev.routecert.routes.RouteKind;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether an object is served by the ingress controllers of {@code --ingress-classes}, read as those
 * controllers read it. An Ingress: {@code spec.ingressClassName}, else the
 * {@value #CLASS_ANNOTATION} annotation, else the default IngressClass(es). Traefik's CRD kinds:
 * {@code spec.ingressClassName}, else the annotation, as Traefik's CRD provider applies its
 * {@code ingressClass} setting since 3.7 (it knows no default class; earlier releases read only the
 * annotation). An empty field or annotation counts as absent. Pure: the cluster's IngressClasses come
 * in as {@link ScopeFacts}.
 */
public final class Scope {

    public static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";

    private Scope() {}

    /**
     * @param ingressClassName the object's {@code spec.ingressClassName}, null when unset
     */
    public static ScopeDecision decide(
            RouteKind kind, ObjectMetaView meta, String ingressClassName, ScopeSettings settings, ScopeFacts facts) {
        if (settings.everythingInScope()) {
            return new ScopeDecision.In("--ingress-classes is empty, so every object is in scope");
        }
        Set<String> listed = settings.classes();
        String annotation = meta.annotations().getOrDefault(CLASS_ANNOTATION, "");
        if (ingressClassName != null && !ingressClassName.isEmpty()) {
            // the field wins over the annotation, as the API server, Traefik and ingress-nginx read it
            return byName(
                    ingressClassName,
                    kind.classRule() == RouteKind.ClassRule.INGRESS
                            ? "spec.ingressClassName"
                            : "spec.ingressClassName, which Traefik reads on its CRDs since 3.7; earlier releases"
                                    + " read only the " + CLASS_ANNOTATION + " annotation",
                    listed);
        }
        if (!annotation.isEmpty()) {
            return byName(annotation, "the " + CLASS_ANNOTATION + " annotation", listed);
        }
        if (kind.classRule() == RouteKind.ClassRule.INGRESS) {
            if (!facts.ingressClassesSynced()) {
                // the default class is not known yet: judge rather than let a mistake through
                return new ScopeDecision.In("no class, and the IngressClasses are not listed yet");
            }
            Set<String> defaults = new TreeSet<>(facts.defaultIngressClasses());
            if (!defaults.isEmpty()) {
                for (String d : defaults) {
                    if (listed.contains(d)) {
                        return new ScopeDecision.In("no class, and the default IngressClass " + d + " is listed");
                    }
                }
                return new ScopeDecision.Out("no class, and the default IngressClass " + String.join(", ", defaults)
                        + " is not in --ingress-classes");
            }
        }
        return settings.includeUnclassed()
                ? new ScopeDecision.In("no class, and --scope-unclassed=include")
                : new ScopeDecision.Out("no class, and --scope-unclassed=exclude");
    }

    private static ScopeDecision byName(String name, String where, Set<String> listed) {
        return listed.contains(name)
                ? new ScopeDecision.In("class " + name + " (" + where + ") is in --ingress-classes")
                : new ScopeDecision.Out("class " + name + " (" + where + ") is not in --ingress-classes");
    }
}
