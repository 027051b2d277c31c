package dev.routecert.policy;

import dev.routecert.routes.IngressRouteView;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What only an IngressRouteTCP has: a router that names servers with {@code HostSNI} must terminate
 * or pass through TLS, since a plain TCP connection carries no server name, and TLS passthrough
 * leaves the certificate to the backend. The rest of its policy is the IngressRoute's.
 */
final class TcpRouteChecks {

    private TcpRouteChecks() {}

    /**
     * Traefik refuses a TCP router whose rule has a {@code HostSNI} other than {@code *} and no TLS
     * ("has HostSNI matcher, but no TLS on router").
     */
    static void hostSniWithoutTls(Findings f, IngressRouteView view, List<String> sniFields) {
        if (view.tlsShape() != IngressRouteView.TlsShape.ABSENT) {
            return;
        }
        for (String field : new LinkedHashSet<>(sniFields)) {
            f.deny(Violation.invalid(
                    Check.RULE_SNI_WITHOUT_TLS,
                    field,
                    "the rule has a HostSNI matcher but the route has no TLS, and Traefik refuses such a router"
                            + " (\"has HostSNI matcher, but no TLS on router\"): a plain TCP connection carries"
                            + " no server name to match",
                    "add tls: {secretName: <secret>} to terminate TLS, or tls: {passthrough: true}; for plain TCP"
                            + " match HostSNI(`*`)"));
        }
    }

    /**
     * With passthrough Traefik forwards the TLS connection as it is and the backend presents its own
     * certificate: no Certificate is needed, and Traefik never reads {@code secretName}.
     */
    static void passthrough(Findings f, String secretName) {
        if (secretName != null) {
            f.warn(
                    Check.TLS_PASSTHROUGH_SECRET,
                    "spec.tls.secretName",
                    "with passthrough Traefik does not terminate TLS and never reads secretName '"
                            + HostName.shorten(secretName) + "'; the backend presents its own certificate");
        }
        f.note("no Certificate planned: spec.tls.passthrough leaves TLS to the backend, which presents its own"
                + " certificate");
    }
}
