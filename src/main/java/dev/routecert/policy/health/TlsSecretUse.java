package dev.routecert.policy.health;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.tenancy.ClaimKey;
import dev.routecert.policy.tenancy.ServedNames;
import dev.routecert.routes.IngressRouteView;
import dev.routecert.routes.IngressView;
import dev.routecert.routes.RouteKind;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A Secret a route serves its certificate from, where the route names it, and the names the
 * certificate in it must cover: an Ingress TLS entry's {@code hosts}, an IngressRoute's served host
 * names ({@link ServedNames}).
 */
public record TlsSecretUse(String secretName, String field, List<String> names) {

    public TlsSecretUse {
        names = List.copyOf(names);
    }

    /** Every secretName the route names, in order; a route without TLS secrets has none. */
    public static List<TlsSecretUse> of(RouteKind kind, JsonNode object, RuleSyntax defaultSyntax) {
        List<TlsSecretUse> uses = new ArrayList<>();
        if (object == null || !object.isObject()) {
            return uses;
        }
        if (kind.shape() == RouteKind.Shape.INGRESS) {
            Set<String> seen = new LinkedHashSet<>();
            for (IngressView.Tls tls : IngressView.of(object).tls()) {
                if (tls.secretName() != null && seen.add(tls.secretName())) {
                    uses.add(new TlsSecretUse(tls.secretName(), tls.field() + ".secretName", tls.hosts()));
                }
            }
            return uses;
        }
        IngressRouteView view = IngressRouteView.of(kind, object);
        IngressRouteView.Tls tls = view.tls();
        // with TLS passthrough Traefik never reads the Secret: the backend presents its own certificate
        if (tls == null || tls.secretName() == null || tls.secretName().isEmpty() || view.passthrough()) {
            return uses;
        }
        List<String> names = new ArrayList<>();
        for (ClaimKey key : ServedNames.of(kind, object, defaultSyntax).keySet()) {
            names.add(key.name());
        }
        uses.add(new TlsSecretUse(tls.secretName(), "spec.tls.secretName", names));
        return uses;
    }
}
