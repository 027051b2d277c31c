package dev.routecert.policy.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.routes.ObjectMetaView;
import dev.routecert.routes.RouteKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision table of policy.md "Which objects routecert acts on", one row per case, for every kind. */
class ScopeTest {

    private static final ScopeSettings TRAEFIK = ScopeSettings.classes("traefik");
    private static final ScopeSettings TRAEFIK_EXCLUDE = TRAEFIK.withIncludeUnclassed(false);

    /** IngressClass facts: synced or not, with these default classes. */
    record Classes(boolean synced, Set<String> defaults) implements ScopeFacts {
        @Override
        public boolean ingressClassesSynced() {
            return synced;
        }

        @Override
        public Set<String> defaultIngressClasses() {
            return defaults;
        }

        @Override
        public Optional<JsonNode> middleware(String namespace, String name) {
            return Optional.empty();
        }

        @Override
        public Optional<JsonNode> middlewareByTraefikId(String id) {
            return Optional.empty();
        }
    }

    private static final Classes NO_DEFAULT = new Classes(true, Set.of());
    private static final Classes TRAEFIK_DEFAULT = new Classes(true, Set.of("traefik"));
    private static final Classes NGINX_DEFAULT = new Classes(true, Set.of("nginx"));
    private static final Classes TWO_DEFAULTS = new Classes(true, Set.of("nginx", "traefik"));
    private static final Classes UNSYNCED = new Classes(false, Set.of());

    /** kind, ingressClassName, annotation (null: absent), settings, facts, in scope. */
    static Stream<Arguments> ingressRows() {
        return Stream.of(
                // an empty list: everything, whatever the class
                row("nginx", null, ScopeSettings.everything(), NO_DEFAULT, true),
                row(null, "nginx", ScopeSettings.everything(), NGINX_DEFAULT, true),
                row(null, null, ScopeSettings.everything().withIncludeUnclassed(false), UNSYNCED, true),
                // the field decides, the annotation is ignored
                row("traefik", null, TRAEFIK, NO_DEFAULT, true),
                row("nginx", null, TRAEFIK, TRAEFIK_DEFAULT, false),
                row("nginx", "traefik", TRAEFIK, NO_DEFAULT, false),
                row("traefik", "nginx", TRAEFIK, NO_DEFAULT, true),
                // no field: the annotation
                row(null, "traefik", TRAEFIK, NO_DEFAULT, true),
                row(null, "nginx", TRAEFIK, TRAEFIK_DEFAULT, false),
                row("", "traefik", TRAEFIK, NO_DEFAULT, true),
                // neither: the default class(es)
                row(null, null, TRAEFIK, TRAEFIK_DEFAULT, true),
                row(null, "", TRAEFIK, TRAEFIK_DEFAULT, true),
                row(null, null, TRAEFIK, NGINX_DEFAULT, false),
                row(null, null, TRAEFIK_EXCLUDE, TRAEFIK_DEFAULT, true),
                row(null, null, TRAEFIK, TWO_DEFAULTS, true),
                // no default: classless, by --scope-unclassed
                row(null, null, TRAEFIK, NO_DEFAULT, true),
                row(null, null, TRAEFIK_EXCLUDE, NO_DEFAULT, false),
                // the IngressClasses not listed yet: in scope, whatever --scope-unclassed says
                row(null, null, TRAEFIK_EXCLUDE, UNSYNCED, true));
    }

    /** Traefik's CRD kinds: spec.ingressClassName (Traefik 3.7), else the annotation, never a default class. */
    static Stream<Arguments> ingressRouteRows() {
        return Stream.of(
                        row(null, null, ScopeSettings.everything(), NO_DEFAULT, true),
                        row(null, "nginx", ScopeSettings.everything(), NO_DEFAULT, true),
                        row(null, "traefik", TRAEFIK, NO_DEFAULT, true),
                        row(null, "traefik-internal", TRAEFIK, NO_DEFAULT, false),
                        row(null, "nginx", TRAEFIK, TRAEFIK_DEFAULT, false),
                        row(null, null, TRAEFIK, NO_DEFAULT, true),
                        row(null, "", TRAEFIK, NO_DEFAULT, true),
                        row(null, null, TRAEFIK_EXCLUDE, NO_DEFAULT, false),
                        // no default class for CRDs, as Traefik's CRD provider
                        row(null, null, TRAEFIK_EXCLUDE, TRAEFIK_DEFAULT, false),
                        row(null, null, TRAEFIK, NGINX_DEFAULT, true),
                        row(null, null, TRAEFIK_EXCLUDE, UNSYNCED, false),
                        // the field wins over the annotation, as for an Ingress
                        row("traefik", null, TRAEFIK_EXCLUDE, NO_DEFAULT, true),
                        row("traefik", "nginx", TRAEFIK, NO_DEFAULT, true),
                        row("nginx", "traefik", TRAEFIK, NO_DEFAULT, false),
                        row("nginx", null, TRAEFIK, TRAEFIK_DEFAULT, false),
                        row("", "traefik", TRAEFIK, NO_DEFAULT, true),
                        row("", "nginx", TRAEFIK, NO_DEFAULT, false))
                .flatMap(a -> Stream.of(
                                RouteKind.INGRESS_ROUTE,
                                RouteKind.INGRESS_ROUTE_LEGACY,
                                RouteKind.INGRESS_ROUTE_TCP,
                                RouteKind.INGRESS_ROUTE_TCP_LEGACY)
                        .map(kind -> {
                            Object[] args = a.get().clone();
                            args[0] = kind;
                            return Arguments.of(args);
                        }));
    }

    private static Arguments row(
            String className, String annotation, ScopeSettings settings, Classes facts, boolean inScope) {
        return Arguments.of(RouteKind.INGRESS, className, annotation, settings, facts, inScope);
    }

    @ParameterizedTest(name = "{0} class={1} annotation={2} {3} {4} -> {5}")
    @MethodSource({"ingressRows", "ingressRouteRows"})
    void decides(
            RouteKind kind,
            String className,
            String annotation,
            ScopeSettings settings,
            Classes facts,
            boolean inScope) {
        Map<String, String> annotations = new LinkedHashMap<>();
        if (annotation != null) {
            annotations.put(Scope.CLASS_ANNOTATION, annotation);
        }
        ObjectMetaView meta = new ObjectMetaView("r", null, "ns", annotations, List.of());
        ScopeDecision decision = Scope.decide(kind, meta, className, settings, facts);
        assertEquals(inScope, decision.inScope(), decision.why());
    }

    @ParameterizedTest
    @MethodSource("ingressRows")
    void everyDecisionSaysWhy(
            RouteKind kind,
            String className,
            String annotation,
            ScopeSettings settings,
            Classes facts,
            boolean inScope) {
        Map<String, String> annotations = annotation == null ? Map.of() : Map.of(Scope.CLASS_ANNOTATION, annotation);
        ScopeDecision decision = Scope.decide(
                kind, new ObjectMetaView("r", null, "ns", annotations, List.of()), className, settings, facts);
        assertEquals(false, decision.why().isBlank());
    }
}
