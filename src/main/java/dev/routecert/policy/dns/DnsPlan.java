package dev.routecert.policy.dns;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.policy.Violation;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The DNSEndpoint a route needs: its name and namespace, and one endpoint per served name and record
 * type. {@code violations} (a bad external-dns annotation) deny the route; {@code warnings} say which
 * names got no record and why.
 */
public record DnsPlan(
        String namespace,
        String name,
        List<String> hosts,
        List<Endpoint> endpoints,
        List<Violation> violations,
        List<String> warnings) {

    public static final String API_VERSION = "externaldns.k8s.io/v1alpha1";
    public static final String KIND = "DNSEndpoint";

    public DnsPlan {
        hosts = List.copyOf(hosts);
        endpoints = List.copyOf(endpoints);
        violations = List.copyOf(violations);
        warnings = List.copyOf(warnings);
    }

    /** One external-dns endpoint: a name, its record type, targets and TTL in seconds. */
    public record Endpoint(String dnsName, DnsTargets.RecordType recordType, List<String> targets, long ttl) {
        public Endpoint {
            targets = List.copyOf(targets);
        }
    }

    public boolean allowed() {
        return violations.isEmpty();
    }

    /** The DNSEndpoint object without ownership marks: apiVersion, kind, metadata name and namespace, spec. */
    public ObjectNode toObject() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode object = json.objectNode();
        object.put("apiVersion", API_VERSION).put("kind", KIND);
        object.putObject("metadata").put("name", name).put("namespace", namespace);
        ArrayNode list = object.putObject("spec").putArray("endpoints");
        for (Endpoint e : endpoints) {
            ObjectNode item = list.addObject()
                    .put("dnsName", e.dnsName())
                    .put("recordType", e.recordType().name())
                    .put("recordTTL", (int) e.ttl());
            ArrayNode targets = item.putArray("targets");
            e.targets().forEach(targets::add);
        }
        return object;
    }

    /** {@code DNSEndpoint ns/name (a.example.com A 192.0.2.1, ...)}, as the dry-run warning shows it. */
    public String describe() {
        return KIND + " " + namespace + "/" + name + " ("
                + endpoints.stream()
                        .map(e -> e.dnsName() + " " + e.recordType() + " " + String.join(",", e.targets()) + " ttl "
                                + e.ttl() + "s")
                        .collect(Collectors.joining("; "))
                + ")";
    }
}
