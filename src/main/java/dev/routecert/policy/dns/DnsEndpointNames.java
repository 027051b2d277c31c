package dev.routecert.policy.dns;

import dev.routecert.routes.RouteKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The name of a route's DNSEndpoint: {@code <route>-<kind suffix>}, one suffix per kind and API
 * group, so an IngressRoute and an IngressRouteTCP of the same name never share one. A name that
 * would pass 253 characters is cut and gets a hash of the full name, so it stays unique.
 */
public final class DnsEndpointNames {

    static final int MAX = 253;
    private static final int HASH_CHARS = 10;

    private DnsEndpointNames() {}

    public static String suffix(RouteKind kind) {
        return switch (kind) {
            case INGRESS -> "ing";
            case INGRESS_ROUTE -> "ir";
            case INGRESS_ROUTE_TCP -> "irtcp";
            case INGRESS_ROUTE_LEGACY -> "ir-containo";
            case INGRESS_ROUTE_TCP_LEGACY -> "irtcp-containo";
        };
    }

    public static String of(RouteKind kind, String routeName) {
        String tail = "-" + suffix(kind);
        String full = routeName + tail;
        if (full.length() <= MAX) {
            return full;
        }
        String hash = sha256(kind.group() + "/" + kind.kind() + "/" + routeName).substring(0, HASH_CHARS);
        String head = routeName.substring(0, MAX - tail.length() - HASH_CHARS - 1);
        // a cut name must not end in '.' or '-' before the hash's separator
        head = head.replaceAll("[.-]+$", "");
        return head + "-" + hash + tail;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
