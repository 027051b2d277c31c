package dev.routecert.certificates;

import dev.routecert.log.Log;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** {@code events.k8s.io/v1} Events, reportingController {@code routecert}; a failure to record is only logged. */
public final class KubeRouteEvents implements RouteEvents {

    public static final String CONTROLLER = "routecert.dev/reconciler";
    private static final Log log = Log.of(KubeRouteEvents.class);
    private static final DateTimeFormatter MICRO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final KubernetesClient client;
    private final String instance;
    private final WriteGuard guard;

    public KubeRouteEvents(KubernetesClient client, String instance) {
        this(client, instance, WriteGuard.NONE);
    }

    /** {@code guard} keeps Events out of the namespaces routecert excludes. */
    public KubeRouteEvents(KubernetesClient client, String instance, WriteGuard guard) {
        this.client = client;
        this.instance = instance;
        this.guard = guard;
    }

    @Override
    public void record(RouteRef route, String routeUid, String type, String reason, String action, String message) {
        try {
            guard.check(route.namespace(), "record event " + reason + " on " + route);
        } catch (StoreException e) {
            log.warn("reconciler: {}", e.getMessage());
            return;
        }
        String note = message.length() > 1024 ? message.substring(0, 1021) + "..." : message;
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(eventName(route.name()))
                .withNamespace(route.namespace())
                .endMetadata()
                .withRegarding(new ObjectReferenceBuilder()
                        .withApiVersion(route.apiVersion())
                        .withKind(route.kind())
                        .withNamespace(route.namespace())
                        .withName(route.name())
                        .withUid(routeUid)
                        .build())
                .withType(type)
                .withReason(reason)
                .withAction(action)
                .withNote(note)
                .withEventTime(new MicroTime(MICRO.format(Instant.now())))
                .withReportingController(CONTROLLER)
                .withReportingInstance(instance)
                .build();
        try {
            client.events()
                    .v1()
                    .events()
                    .inNamespace(route.namespace())
                    .resource(event)
                    .create();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            log.warn(
                    "reconciler: could not record event {} on {}: {}",
                    reason,
                    route,
                    e.getStatus() != null && e.getStatus().getMessage() != null
                            ? e.getStatus().getMessage()
                            : e.getMessage());
        } catch (RuntimeException e) {
            log.warn("reconciler: could not record event {} on {}: {}", reason, route, e.toString());
        }
    }

    /** {@code <route>.<16 hex>}, as kubectl names events; the route name is cut so the whole stays a valid name. */
    static String eventName(String route) {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        String prefix = route.length() > 200 ? route.substring(0, 200) : route;
        return prefix + "." + HexFormat.of().formatHex(random);
    }

    private static final SecureRandom RANDOM = new SecureRandom();
}
