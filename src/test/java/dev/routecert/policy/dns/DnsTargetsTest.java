package dev.routecert.policy.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.policy.dns.DnsTargets.RecordType;
import dev.routecert.policy.dns.DnsTargets.Target;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Targets from text and from the target Service, whose hostname annotation wins as in switchboard. */
class DnsTargetsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachTargetHasItsRecordType() {
        assertEquals(Optional.of(new Target("192.0.2.1", RecordType.A)), DnsTargets.parse(" 192.0.2.1 "));
        assertEquals(Optional.of(new Target("2001:db8::1", RecordType.AAAA)), DnsTargets.parse("2001:DB8:0::1"));
        assertEquals(Optional.of(new Target("lb.example.net", RecordType.CNAME)), DnsTargets.parse("LB.example.net."));
        assertEquals(Optional.empty(), DnsTargets.parse("*.example.net"));
        assertEquals(Optional.empty(), DnsTargets.parse("lb.example.net:443"));
        assertEquals(Optional.empty(), DnsTargets.parse(""));
    }

    @Test
    void theLoadBalancersAddressesInOrderWithoutRepeats() throws Exception {
        assertEquals(List.of("192.0.2.1", "lb.example.net", "2001:db8::1"), DnsTargets.ofService(JSON.readTree("""
                        {"status":{"loadBalancer":{"ingress":[
                          {"ip":"192.0.2.1"},{"hostname":"lb.example.net"},{"ip":"2001:db8::1"},
                          {"ip":"192.0.2.1","hostname":"other.example.net"},{}]}}}""")));
        assertEquals(List.of(), DnsTargets.ofService(JSON.readTree("{\"status\":{}}")));
        assertEquals(List.of(), DnsTargets.ofService(null));
    }

    @Test
    void theHostnameAnnotationWinsOverTheLoadBalancer() throws Exception {
        assertEquals(List.of("traefik.example.net", "edge.example.net"), DnsTargets.ofService(JSON.readTree("""
                        {"metadata":{"annotations":{
                           "external-dns.alpha.kubernetes.io/hostname":"traefik.example.net, edge.example.net"}},
                         "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}}""")));
    }
}
