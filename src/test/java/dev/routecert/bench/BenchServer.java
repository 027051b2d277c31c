package dev.routecert.bench;

import dev.routecert.http.FixedBytesServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under load in its own process, on 127.0.0.1: routecert's jar, the fixed-bytes reference of
 * the same stack, or nginx. Always stopped by the benchmark (SIGTERM, then SIGKILL after 20 s).
 */
final class BenchServer implements AutoCloseable {

    final String name;
    final Process process;
    final int port;
    final LoadClient.Check check;
    final Path log;

    private BenchServer(String name, Process process, int port, LoadClient.Check check, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.check = check;
        this.log = log;
    }

    /** The TLS material every server uses: an ECDSA P-256 leaf from a test CA (as cert-manager issues it). */
    record Pki(Path certificate, Path key, Path ca) {
        static Pki create(Path dir) throws IOException {
            dev.routecert.tls.TestPki pki = new dev.routecert.tls.TestPki();
            dev.routecert.tls.TestPki.Issued issued =
                    pki.issue(dev.routecert.tls.TestPki.KeyFormat.EC_PKCS8, Duration.ofDays(2));
            Files.createDirectories(dir);
            return new Pki(
                    Files.writeString(dir.resolve("tls.crt"), issued.certificatePem()),
                    Files.writeString(dir.resolve("tls.key"), issued.keyPem()),
                    Files.writeString(dir.resolve("ca.crt"), pki.caPem()));
        }
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** {@code routecert serve} from the jar, as deployed: certificate files, a default issuer, no cluster. */
    static BenchServer routecert(Path jar, Pki pki, Path dir, List<String> jvmOptions, List<String> extraArgs)
            throws Exception {
        int port = freePort();
        List<String> command = serveCommand(jar, pki, jvmOptions, port, freePort());
        command.addAll(extraArgs);
        BenchServer server = start("routecert", command, port, LoadClient.Check.VERDICT, dir);
        server.awaitAnswering(Duration.ofSeconds(90));
        return server;
    }

    /** The command line of {@code routecert serve} as {@link #routecert} runs it, on the given ports. */
    static List<String> serveCommand(Path jar, Pki pki, List<String> jvmOptions, int port, int healthPort) {
        return serveCommand(List.of("-jar", jar.toString()), pki, jvmOptions, port, healthPort);
    }

    /** The same, launched by {@code launch}: {@code -jar routecert.jar}, or a class path and the main class. */
    static List<String> serveCommand(List<String> launch, Pki pki, List<String> jvmOptions, int port, int healthPort) {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions);
        command.addAll(launch);
        command.addAll(List.of(
                "serve",
                "--kubernetes",
                "off",
                "--bind-address",
                "127.0.0.1",
                "--secure-port",
                Integer.toString(port),
                "--health-port",
                Integer.toString(healthPort),
                "--tls-cert-file",
                pki.certificate().toString(),
                "--tls-private-key-file",
                pki.key().toString(),
                "--default-issuer",
                "letsencrypt-prod"));
        return command;
    }

    /** The reference: the same Javalin/Jetty/TLS app answering fixed bytes (test code, never shipped). */
    static BenchServer fixedBytes(Pki pki, Path dir, List<String> jvmOptions) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                FixedBytesServer.class.getName(),
                "127.0.0.1",
                Integer.toString(port),
                pki.certificate().toString(),
                pki.key().toString()));
        BenchServer server = start("same stack, fixed bytes", command, port, LoadClient.Check.FIXED, dir);
        server.awaitAnswering(Duration.ofSeconds(90));
        return server;
    }

    /** nginx answering the same fixed AdmissionReview over TLS, with a config of its own in {@code dir}. */
    static BenchServer nginx(Path nginx, Pki pki, Path dir) throws Exception {
        int port = freePort();
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        Path conf = prefix.resolve("nginx.conf");
        String answer = new String(FixedBytesServer.ANSWER, StandardCharsets.UTF_8);
        Files.writeString(conf, """
                daemon off;
                master_process on;
                worker_processes 2;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    client_max_body_size 8m;
                    keepalive_timeout 120s;
                    keepalive_requests 100000000;
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        ssl_certificate %3$s;
                        ssl_certificate_key %4$s;
                        ssl_protocols TLSv1.2 TLSv1.3;
                        location = /mutate {
                            default_type application/json;
                            return 200 '%5$s';
                        }
                    }
                }
                """.formatted(prefix, port, pki.certificate(), pki.key(), answer));
        BenchServer server = start(
                "nginx " + nginxVersion(nginx),
                List.of(
                        nginx.toString(),
                        "-p",
                        prefix.toString(),
                        "-c",
                        conf.toString(),
                        "-e",
                        prefix.resolve("error.log").toString()),
                port,
                LoadClient.Check.FIXED,
                dir);
        server.awaitAnswering(Duration.ofSeconds(30));
        return server;
    }

    static String nginxVersion(Path nginx) {
        try {
            Process p = new ProcessBuilder(nginx.toString(), "-v")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out.replace("nginx version: nginx/", "");
        } catch (Exception e) {
            return "?";
        }
    }

    private static BenchServer start(String name, List<String> command, int port, LoadClient.Check check, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve(name.replaceAll("[^A-Za-z0-9]+", "-") + ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new BenchServer(name, process, port, check, log);
    }

    /** Waits until a TLS connection to the port is accepted, or fails with the server's log. */
    void awaitAnswering(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IllegalStateException(
                name + " did not listen on " + port + " within " + timeout + ":\n" + Files.readString(log));
    }

    long pid() {
        return process.pid();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** One plain-HTTP GET on loopback, answering the status code, or -1 when nothing answers. */
    static int httpGetStatus(int port, String path) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            return head.length == 12 ? Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
