package dev.routecert.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.ApiServerReviews;
import dev.routecert.routes.RouteKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** One HTTP/1.1 exchange on a brand-new TLS connection: shows which certificate a fresh handshake gets. */
final class RawHttps {

    record Exchange(BigInteger serial, String protocol, int status, String body) {}

    private RawHttps() {}

    static SSLSocket connect(SSLContext context, int port, String... protocols) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        if (protocols.length > 0) {
            socket.setEnabledProtocols(protocols);
        }
        socket.startHandshake();
        return socket;
    }

    static Exchange post(SSLContext context, int port, String path, byte[] body) throws IOException {
        try (SSLSocket socket = connect(context, port)) {
            BigInteger serial = ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
            String protocol = socket.getSession().getProtocol();
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String response = readAll(socket.getInputStream());
            int status = Integer.parseInt(response.substring(9, 12));
            return new Exchange(serial, protocol, status, response.substring(response.indexOf("\r\n\r\n") + 4));
        }
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.UTF_8);
    }

    static byte[] review(String uid) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        object.putObject("metadata").put("name", "web");
        return ApiServerReviews.of(RouteKind.INGRESS)
                .uid(uid)
                .namespace("shop")
                .name("web")
                .object(object)
                .bytes();
    }
}
