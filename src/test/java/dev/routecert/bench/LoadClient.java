package dev.routecert.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A closed-loop HTTPS load generator for {@code POST /mutate}: {@code connections} threads, each on
 * its own connection (kept alive, or a new TLS connection with a full handshake per request, as the
 * API server's Go client makes without a session cache), sending {@link ReviewMix} in a shuffled
 * order. It warms up, then measures latency of every request, checks every answer, and reads the
 * server's CPU time and RSS from {@code /proc}. Bounded: it stops at the end of its time or after
 * {@code maxRequests}, whichever comes first, and only ever connects to the loopback port it is given.
 *
 * <p>Run as its own process by the benchmark ({@code LoadClient key=value ...}, one result per line on
 * stdout), or in-process by the smoke test through {@link #run}.
 */
public final class LoadClient {

    /** What the answers must look like: routecert's verdicts, or the references' fixed bytes. */
    public enum Check {
        VERDICT,
        FIXED
    }

    public record Options(
            int port,
            int connections,
            boolean keepAlive,
            Duration warmup,
            Duration measure,
            long maxRequests,
            Path caPem,
            Check check,
            long serverPid) {

        static Options parse(String[] args) {
            Map<String, String> a = new LinkedHashMap<>();
            for (String arg : args) {
                int eq = arg.indexOf('=');
                a.put(arg.substring(0, eq), arg.substring(eq + 1));
            }
            return new Options(
                    Integer.parseInt(a.get("port")),
                    Integer.parseInt(a.get("connections")),
                    Boolean.parseBoolean(a.get("keepAlive")),
                    Duration.ofMillis(Long.parseLong(a.get("warmupMs"))),
                    Duration.ofMillis(Long.parseLong(a.get("measureMs"))),
                    Long.parseLong(a.get("maxRequests")),
                    Path.of(a.get("ca")),
                    Check.valueOf(a.get("check")),
                    Long.parseLong(a.getOrDefault("serverPid", "0")));
        }

        List<String> toArgs() {
            return List.of(
                    "port=" + port,
                    "connections=" + connections,
                    "keepAlive=" + keepAlive,
                    "warmupMs=" + warmup.toMillis(),
                    "measureMs=" + measure.toMillis(),
                    "maxRequests=" + maxRequests,
                    "ca=" + caPem,
                    "check=" + check,
                    "serverPid=" + serverPid);
        }
    }

    /** Latencies in microseconds; CPU per request in microseconds; RSS in KiB; others' load in cores. */
    public record Result(
            long requests,
            long errors,
            String firstError,
            double seconds,
            double throughput,
            double p50,
            double p99,
            double max,
            double serverCpuPerRequest,
            double clientCpuPerRequest,
            long serverRssPeakKb,
            double othersCores,
            Map<String, double[]> perKind) {

        String encode() {
            StringBuilder out = new StringBuilder();
            out.append("requests=").append(requests).append('\n');
            out.append("errors=").append(errors).append('\n');
            out.append("firstError=")
                    .append(firstError == null ? "" : firstError.replace('\n', ' '))
                    .append('\n');
            out.append("seconds=").append(seconds).append('\n');
            out.append("throughput=").append(throughput).append('\n');
            out.append("p50=").append(p50).append('\n');
            out.append("p99=").append(p99).append('\n');
            out.append("max=").append(max).append('\n');
            out.append("serverCpuPerRequest=").append(serverCpuPerRequest).append('\n');
            out.append("clientCpuPerRequest=").append(clientCpuPerRequest).append('\n');
            out.append("serverRssPeakKb=").append(serverRssPeakKb).append('\n');
            out.append("othersCores=").append(othersCores).append('\n');
            perKind.forEach((kind, v) -> out.append("kind.")
                    .append(kind)
                    .append('=')
                    .append((long) v[0])
                    .append(',')
                    .append(v[1])
                    .append(',')
                    .append(v[2])
                    .append(',')
                    .append(v[3])
                    .append('\n'));
            return out.toString();
        }

        static Result decode(List<String> lines) {
            Map<String, String> v = new LinkedHashMap<>();
            Map<String, double[]> kinds = new LinkedHashMap<>();
            for (String line : lines) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = line.substring(0, eq);
                String value = line.substring(eq + 1);
                if (key.startsWith("kind.")) {
                    kinds.put(
                            key.substring(5),
                            Arrays.stream(value.split(","))
                                    .mapToDouble(Double::parseDouble)
                                    .toArray());
                } else {
                    v.put(key, value);
                }
            }
            if (!v.containsKey("requests")) {
                throw new IllegalStateException("load client printed no result: " + lines);
            }
            return new Result(
                    Long.parseLong(v.get("requests")),
                    Long.parseLong(v.get("errors")),
                    v.get("firstError").isEmpty() ? null : v.get("firstError"),
                    Double.parseDouble(v.get("seconds")),
                    Double.parseDouble(v.get("throughput")),
                    Double.parseDouble(v.get("p50")),
                    Double.parseDouble(v.get("p99")),
                    Double.parseDouble(v.get("max")),
                    Double.parseDouble(v.get("serverCpuPerRequest")),
                    Double.parseDouble(v.get("clientCpuPerRequest")),
                    Long.parseLong(v.get("serverRssPeakKb")),
                    Double.parseDouble(v.get("othersCores")),
                    kinds);
        }
    }

    private static final int WARMUP = 0;
    private static final int MEASURE = 1;
    private static final int DONE = 2;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final Options options;
    private final List<ReviewMix.Kind> kinds;
    private final SSLContext tls;
    private volatile int phase = WARMUP;
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final ProcStats.RssSampler rss;
    // accumulated over the measured slices
    private final List<long[]> recorded = new ArrayList<>();
    private long measuredNanos;
    private long serverCpuNanos;
    private long selfCpuNanos;
    private long othersNanos;
    private int nextWorkerId;

    private LoadClient(Options options, List<ReviewMix.Kind> kinds) throws Exception {
        if (options.connections() < 1 || options.connections() > 256) {
            throw new IllegalArgumentException("connections must be 1..256");
        }
        this.options = options;
        this.kinds = kinds;
        this.tls = trusting(options.caPem());
        this.rss = new ProcStats.RssSampler(options.serverPid());
        Thread sampler = new Thread(rss, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /**
     * {@code LoadClient key=value ...}: one target ({@code port=}, {@code check=}, {@code serverPid=}), or
     * several as {@code targets=PORT:CHECK:PID,...} with {@code slices=N}: then the measured time is cut
     * into N slices per target, run in rotation, so that every target sees the same background load.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            a.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        // exclude=KIND,... leaves kinds out of the mix (for profiling one effect at a time)
        List<String> excluded =
                a.containsKey("exclude") ? List.of(a.remove("exclude").split(",")) : List.of();
        List<ReviewMix.Kind> kinds = ReviewMix.kinds().stream()
                .filter(k -> !excluded.contains(k.name()))
                .toList();
        if (!a.containsKey("targets")) {
            System.out.print(run(Options.parse(args(a)), kinds).encode());
        } else {
            List<Options> targets = new ArrayList<>();
            for (String target : a.remove("targets").split(",")) {
                String[] t = target.split(":");
                Map<String, String> one = new LinkedHashMap<>(a);
                one.put("port", t[0]);
                one.put("check", t[1]);
                one.put("serverPid", t[2]);
                one.remove("slices");
                targets.add(Options.parse(args(one)));
            }
            List<Result> results = interleaved(targets, Integer.parseInt(a.getOrDefault("slices", "1")), kinds);
            for (int i = 0; i < results.size(); i++) {
                System.out.print(results.get(i).encode());
                System.out.println("end=" + i);
            }
        }
        System.out.flush();
        System.exit(0);
    }

    private static String[] args(Map<String, String> a) {
        return a.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    /** One target: warm-up, then the measured time in one piece. */
    public static Result run(Options options, List<ReviewMix.Kind> kinds) throws Exception {
        LoadClient client = new LoadClient(options, kinds);
        client.slice(options.warmup(), options.measure());
        return client.result();
    }

    /**
     * Several targets with the same options: each is warmed up, then {@code slices} rounds each give
     * every target {@code measure / slices}, starting with a different target every round.
     */
    public static List<Result> interleaved(List<Options> targets, int slices, List<ReviewMix.Kind> kinds)
            throws Exception {
        List<LoadClient> clients = new ArrayList<>();
        for (Options target : targets) {
            LoadClient client = new LoadClient(target, kinds);
            client.slice(target.warmup(), Duration.ZERO);
            clients.add(client);
        }
        for (int round = 0; round < slices; round++) {
            for (int i = 0; i < clients.size(); i++) {
                LoadClient client = clients.get((round + i) % clients.size());
                client.slice(Duration.ofMillis(300), client.options.measure().dividedBy(slices));
            }
        }
        List<Result> results = new ArrayList<>();
        for (LoadClient client : clients) {
            results.add(client.result());
        }
        return results;
    }

    /** Runs the connections for {@code leadIn} unrecorded, then {@code measure} recorded (if not zero). */
    private void slice(Duration leadIn, Duration measure) throws InterruptedException {
        phase = WARMUP;
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < options.connections(); i++) {
            Worker worker = new Worker(nextWorkerId++);
            workers.add(worker);
            Thread thread = new Thread(worker, "load-" + i);
            thread.setDaemon(true);
            worker.thread = thread;
        }
        workers.forEach(w -> w.thread.start());
        Thread.sleep(leadIn.toMillis());
        if (!measure.isZero()) {
            ProcStats.Snapshot before = ProcStats.snapshot(options.serverPid());
            long measureStart = System.nanoTime();
            phase = MEASURE;
            long deadline = measureStart + measure.toNanos();
            while (System.nanoTime() < deadline
                    && started.get() < options.maxRequests()
                    && workers.stream().anyMatch(w -> w.thread.isAlive())) {
                Thread.sleep(10);
            }
            phase = DONE;
            ProcStats.Snapshot after = ProcStats.snapshot(options.serverPid());
            measuredNanos += after.wallNanos() - measureStart;
            serverCpuNanos += after.serverCpuNanos() - before.serverCpuNanos();
            selfCpuNanos += after.selfCpuNanos() - before.selfCpuNanos();
            othersNanos += (long) (after.othersCores(before) * (after.wallNanos() - before.wallNanos()));
        }
        phase = DONE;
        for (Worker w : workers) {
            w.thread.join(15_000);
            w.closeQuietly();
            recorded.add(Arrays.copyOf(w.latencies, w.count));
        }
    }

    private Result result() {
        rss.stop();
        double seconds = measuredNanos / 1e9;
        long[] all = recorded.stream().flatMapToLong(Arrays::stream).toArray();
        long requests = all.length;
        Map<String, double[]> perKind = new LinkedHashMap<>();
        for (int k = 0; k < kinds.size(); k++) {
            int kind = k;
            long[] of = Arrays.stream(all)
                    .filter(v -> (v & 7) == kind)
                    .map(v -> v >>> 3)
                    .sorted()
                    .toArray();
            perKind.put(kinds.get(k).name(), new double[] {
                of.length,
                micros(percentile(of, 0.50)),
                micros(percentile(of, 0.99)),
                micros(of.length == 0 ? 0 : of[of.length - 1])
            });
        }
        long[] sorted = Arrays.stream(all).map(v -> v >>> 3).sorted().toArray();
        double perRequest = requests == 0 ? 0 : 1.0 / requests;
        return new Result(
                requests,
                errors.get(),
                firstError.get(),
                seconds,
                seconds == 0 ? 0 : requests / seconds,
                micros(percentile(sorted, 0.50)),
                micros(percentile(sorted, 0.99)),
                micros(sorted.length == 0 ? 0 : sorted[sorted.length - 1]),
                serverCpuNanos / 1e3 * perRequest,
                selfCpuNanos / 1e3 * perRequest,
                rss.peakKb(),
                seconds == 0 ? 0 : othersNanos / 1e9 / seconds,
                perKind);
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double micros(long nanos) {
        return nanos / 1e3;
    }

    /** One connection's loop. */
    private final class Worker implements Runnable {
        final int id;
        final byte[][] requests;
        final int[] uidOffsets;
        final int[] order;
        Thread thread;
        SSLSocket socket;
        InputStream in;
        OutputStream out;
        long[] latencies = new long[1024];
        int count;
        long sequence;

        Worker(int id) {
            this.id = id;
            this.requests = new byte[kinds.size()][];
            this.uidOffsets = new int[kinds.size()];
            for (int k = 0; k < kinds.size(); k++) {
                byte[] body = kinds.get(k).body();
                byte[] head = ("POST /mutate?timeout=10s HTTP/1.1\r\nHost: 127.0.0.1:" + options.port()
                                + "\r\nUser-Agent: routecert-bench\r\nAccept: application/json, */*\r\nContent-Type: application/json\r\n"
                                + "Content-Length: " + body.length + "\r\n"
                                + (options.keepAlive() ? "" : "Connection: close\r\n") + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                byte[] request = Arrays.copyOf(head, head.length + body.length);
                System.arraycopy(body, 0, request, head.length, body.length);
                requests[k] = request;
                uidOffsets[k] = head.length + kinds.get(k).uidOffset();
            }
            this.order = ReviewMix.round(kinds, 7919L * (id + 1));
        }

        @Override
        public void run() {
            int slot = 0;
            while (phase != DONE) {
                if (phase == MEASURE && started.incrementAndGet() > options.maxRequests()) {
                    return;
                }
                boolean measured = phase == MEASURE;
                int kind = order[slot];
                slot = (slot + 1) % order.length;
                String uid = nextUid(kind);
                long begin = System.nanoTime();
                try {
                    if (socket == null) {
                        connect();
                    }
                    out.write(requests[kind]);
                    out.flush();
                    Response response = Response.read(in);
                    long nanos = System.nanoTime() - begin;
                    if (!options.keepAlive() || response.closes()) {
                        if (!options.keepAlive()) {
                            // no session cache, as the API server's client: every connection is a full handshake
                            socket.getSession().invalidate();
                        }
                        closeQuietly();
                    }
                    String problem = check(response, uid, kinds.get(kind).expect());
                    if (problem != null) {
                        error(problem);
                    } else if (measured) {
                        record(nanos << 3 | kind);
                    }
                } catch (IOException | RuntimeException e) {
                    closeQuietly();
                    error(kinds.get(kind).name() + ": " + e);
                    sleepQuietly();
                }
            }
        }

        private String nextUid(int kind) {
            long value = ((long) id << 36) | (sequence++ & 0xFFFFFFFFFL);
            byte[] request = requests[kind];
            int end = uidOffsets[kind] + ReviewMix.UID_PLACEHOLDER.length();
            for (int i = 1; i <= 12; i++) {
                request[end - i] = HEX[(int) (value & 15)];
                value >>>= 4;
            }
            return new String(request, uidOffsets[kind], ReviewMix.UID_PLACEHOLDER.length(), StandardCharsets.US_ASCII);
        }

        private void connect() throws IOException {
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", options.port()), 5_000);
            s.setSoTimeout(10_000);
            s.startHandshake();
            socket = s;
            in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            out = s.getOutputStream();
        }

        private void record(long value) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[count++] = value;
        }

        void closeQuietly() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a broken connection
                }
                socket = null;
            }
        }
    }

    private String check(Response response, String uid, ReviewMix.Expect expect) {
        return check(options.check(), response.status(), response.text(), uid, expect);
    }

    /** Null when the answer is right, else what is wrong with it. */
    public static String check(Check check, int status, String body, String uid, ReviewMix.Expect expect) {
        if (status != 200) {
            return "HTTP " + status + ": " + body;
        }
        if (check == Check.FIXED) {
            return body.contains("\"allowed\":true") ? null : "unexpected answer: " + body;
        }
        if (!body.contains("\"uid\":\"" + uid + "\"")) {
            return "answer does not echo uid " + uid + ": " + body;
        }
        boolean ok = switch (expect) {
            case ALLOWED -> body.contains("\"allowed\":true") && !body.contains("\"patch\"");
            case PATCHED -> body.contains("\"allowed\":true") && body.contains("\"patch\"");
            case DENIED -> body.contains("\"allowed\":false") && body.contains("\"code\":403");
        };
        return ok ? null : "expected " + expect + ", got " + body;
    }

    private void error(String problem) {
        if (phase == MEASURE) {
            errors.incrementAndGet();
        }
        firstError.compareAndSet(null, problem);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            int i = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + i++, (X509Certificate) cert);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** A minimal HTTP/1.1 response reader: status, Content-Length or chunked body, Connection: close. */
    record Response(int status, byte[] body, boolean closes) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        static Response read(InputStream in) throws IOException {
            String statusLine = line(in);
            if (statusLine == null || !statusLine.startsWith("HTTP/1.1 ")) {
                throw new IOException("no HTTP response (got " + statusLine + ")");
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean closes = false;
            String header;
            while ((header = line(in)) != null && !header.isEmpty()) {
                int colon = header.indexOf(':');
                String name = header.substring(0, colon).trim();
                String value = header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                    chunked = true;
                } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                    closes = true;
                }
            }
            byte[] body;
            if (chunked) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                long size;
                while ((size = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0) {
                    all.write(in.readNBytes((int) size));
                    line(in);
                }
                line(in);
                body = all.toByteArray();
            } else if (length >= 0) {
                body = in.readNBytes((int) length);
                if (body.length != length) {
                    throw new IOException("body ended after " + body.length + " of " + length + " bytes");
                }
            } else {
                body = in.readAllBytes();
                closes = true;
            }
            return new Response(status, body, closes);
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder(64);
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    int len = line.length();
                    return len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
                }
                line.append((char) c);
            }
            return line.length() == 0 ? null : line.toString();
        }
    }
}
