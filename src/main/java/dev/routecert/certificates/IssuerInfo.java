package dev.routecert.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A cert-manager Issuer or ClusterIssuer, reduced to what admission checks: which kind of issuer it
 * is and, for ACME, which names its DNS-01 solvers may answer for.
 *
 * @param type        ACME, CA, SELF_SIGNED, VAULT, VENAFI, or OTHER (an issuer type this version does not know)
 * @param dns01Solvers for ACME: the DNS-01 solvers' selectors; empty when it has none
 */
public record IssuerInfo(String kind, String namespace, String name, Type type, List<Dns01Solver> dns01Solvers) {

    public enum Type {
        ACME,
        CA,
        SELF_SIGNED,
        VAULT,
        VENAFI,
        OTHER
    }

    /** A DNS-01 solver and the names its selector limits it to (empty lists: every name). */
    public record Dns01Solver(List<String> dnsNames, List<String> dnsZones) {
        public Dns01Solver {
            dnsNames = List.copyOf(dnsNames);
            dnsZones = List.copyOf(dnsZones);
        }

        /** cert-manager's rule: an exact dnsNames entry, or a dnsZones entry equal to or a parent of the name. */
        boolean mayAnswerFor(String wildcard) {
            if (dnsNames.isEmpty() && dnsZones.isEmpty()) {
                return true;
            }
            if (dnsNames.contains(wildcard)) {
                return true;
            }
            String base = wildcard.startsWith("*.") ? wildcard.substring(2) : wildcard;
            return dnsZones.stream().anyMatch(zone -> base.equals(zone) || base.endsWith("." + zone));
        }
    }

    public IssuerInfo {
        dns01Solvers = List.copyOf(dns01Solvers);
    }

    /** Reads an Issuer or ClusterIssuer object. */
    public static IssuerInfo from(String kind, JsonNode object) {
        JsonNode spec = object.path("spec");
        Type type = spec.has("acme")
                ? Type.ACME
                : spec.has("ca")
                        ? Type.CA
                        : spec.has("selfSigned")
                                ? Type.SELF_SIGNED
                                : spec.has("vault") ? Type.VAULT : spec.has("venafi") ? Type.VENAFI : Type.OTHER;
        List<Dns01Solver> solvers = new ArrayList<>();
        for (JsonNode solver : spec.path("acme").path("solvers")) {
            if (solver.has("dns01")) {
                solvers.add(new Dns01Solver(
                        strings(solver.path("selector").path("dnsNames")),
                        strings(solver.path("selector").path("dnsZones"))));
            }
        }
        JsonNode meta = object.path("metadata");
        return new IssuerInfo(
                kind, meta.path("namespace").asText(""), meta.path("name").asText(""), type, solvers);
    }

    /** Whether this issuer can sign a certificate for the wildcard name; only ACME needs DNS-01 for it. */
    public boolean canIssueWildcard(String wildcard) {
        return type != Type.ACME || dns01Solvers.stream().anyMatch(s -> s.mayAnswerFor(wildcard));
    }

    /** {@code ClusterIssuer/name} or {@code Issuer namespace/name}. */
    public String describe() {
        return namespace.isEmpty() ? kind + "/" + name : kind + " " + namespace + "/" + name;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
