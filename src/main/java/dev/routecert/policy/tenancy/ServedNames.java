package dev.routecert.policy.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routecert.policy.RuleSyntax;
import dev.routecert.policy.rule.ParseResult;
import dev.routecert.policy.rule.RuleAnalyzer;
import dev.routecert.policy.rule.RuleParser;
import dev.routecert.routes.IngressRouteView;
import dev.routecert.routes.IngressView;
import dev.routecert.routes.RouteKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The names a route claims, each with the first field that names it: the hosts it serves (an
 * Ingress's {@code spec.rules[].host}, an IngressRoute's {@code Host} names, an IngressRouteTCP's
 * {@code HostSNI} names), and for an IngressRoute
 * whose rules match hosts by regexp, its {@code spec.tls.domains}, since those are the names it
 * serves that can be written down. Other TLS-only names are not claims: a certificate that also
 * covers a name does not route it, and a wildcard certificate must not lock a whole zone.
 * Unreadable names are left out; the policy denies them.
 */
public final class ServedNames {

    private ServedNames() {}

    public static Map<ClaimKey, String> of(RouteKind kind, JsonNode object, RuleSyntax defaultSyntax) {
        Map<ClaimKey, String> names = new LinkedHashMap<>();
        if (kind.shape() == RouteKind.Shape.INGRESS) {
            for (IngressView.Rule rule : IngressView.of(object).rules()) {
                if (rule.host() != null) {
                    ClaimKey.parse(rule.host()).ifPresent(k -> names.putIfAbsent(k, rule.field()));
                }
            }
            return names;
        }
        IngressRouteView view = IngressRouteView.of(kind, object);
        boolean regexp = false;
        for (IngressRouteView.Route route : view.routes()) {
            if (route.match() == null) {
                continue;
            }
            ParseResult parsed = RuleParser.parse(route.match());
            if (!parsed.ok()) {
                continue;
            }
            RuleSyntax syntax = route.syntax() == null
                    ? defaultSyntax
                    : RuleSyntax.fromFieldValue(route.syntax()).orElse(defaultSyntax);
            RuleAnalyzer.Analysis analysis = view.tcp()
                    ? RuleAnalyzer.analyzeTcp(parsed.root(), syntax)
                    : RuleAnalyzer.analyze(parsed.root(), syntax);
            String field = route.field() + ".match";
            for (RuleAnalyzer.HostUse host : analysis.servedHosts()) {
                ClaimKey.parse(host.value()).ifPresent(k -> names.putIfAbsent(k, field));
            }
            regexp |= !analysis.servedRegexps().isEmpty();
        }
        if (regexp && view.tls() != null) {
            for (IngressRouteView.Domain domain : view.tls().domains()) {
                String field = "spec.tls.domains[" + domain.index() + "]";
                if (domain.main() != null) {
                    ClaimKey.parse(domain.main()).ifPresent(k -> names.putIfAbsent(k, field + ".main"));
                }
                List<String> sans = domain.sans();
                for (int i = 0; i < sans.size(); i++) {
                    int at = i;
                    ClaimKey.parse(sans.get(i)).ifPresent(k -> names.putIfAbsent(k, field + ".sans[" + at + "]"));
                }
            }
        }
        return names;
    }
}
