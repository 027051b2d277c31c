package dev.routecert.http;

import dev.routecert.admission.AdmissionReviews;
import dev.routecert.config.ServeConfig;
import dev.routecert.tls.PemCertificates;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The benchmarks' reference: routecert's own HTTPS app (same Jetty, TLS connector, limits and error
 * handling, built by {@link RoutecertServer#admissionApp}) whose {@code /mutate} reads the body and
 * answers fixed bytes. What routecert costs beyond it is the price of parsing, judging and logging.
 * Test code only: it ships in no jar.
 *
 * <p>Usage: {@code FixedBytesServer BIND PORT CERT_PEM KEY_PEM}; prints one line with the bound port.
 */
public final class FixedBytesServer {

    /** What the reference answers: a fixed allowed AdmissionReview of the usual size. */
    public static final byte[] ANSWER =
            ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":"
                            + "{\"uid\":\"00000000-0000-0000-0000-000000000000\",\"allowed\":true}}")
                    .getBytes(StandardCharsets.UTF_8);

    private FixedBytesServer() {}

    public static Javalin start(String bind, int port, Path certPem, Path keyPem) throws Exception {
        ServeConfig config = TestServer.defaults().toBuilder()
                .bindAddress(bind)
                .ports(port, 0)
                .certificateFiles(certPem, keyPem)
                .certReloadInterval(Duration.ofSeconds(10))
                .requestReadTimeout(Duration.ofSeconds(10))
                .shutdown(Duration.ZERO, Duration.ofSeconds(5))
                .build();
        TlsConnector tls = new TlsConnector(
                PemCertificates.parse(Files.readAllBytes(certPem), Files.readAllBytes(keyPem), certPem.toString()));
        return RoutecertServer.admissionApp(
                        config,
                        tls,
                        new AdmissionReviews(config.maxRequestBytes()),
                        FixedBytesServer::answer,
                        FixedBytesServer::answer)
                .start();
    }

    private static void answer(Context ctx) throws Exception {
        ctx.req().getInputStream().readAllBytes();
        ctx.status(200).contentType("application/json").result(ANSWER);
    }

    public static void main(String[] args) throws Exception {
        Javalin app = start(args[0], Integer.parseInt(args[1]), Path.of(args[2]), Path.of(args[3]));
        System.out.println("fixed-bytes reference listening on https://" + args[0] + ":" + app.port() + "/mutate");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.stop();
            stopped.countDown();
        }));
        stopped.await();
    }
}
