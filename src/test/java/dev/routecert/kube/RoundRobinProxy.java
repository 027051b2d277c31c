package dev.routecert.kube;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback that hands each connection it accepts to the next backend in turn and
 * pipes bytes both ways, as a Service spreads connections over its pods. TLS passes through it, so
 * the backends must serve a certificate the client trusts for 127.0.0.1.
 */
public final class RoundRobinProxy implements AutoCloseable {

    private final ServerSocket server;
    private volatile List<Integer> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final Map<Integer, AtomicLong> connections = new ConcurrentHashMap<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    /** Listens on an ephemeral loopback port in front of the loopback ports {@code backends}. */
    public RoundRobinProxy(List<Integer> backends) {
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on loopback", e);
        }
        this.backends = List.copyOf(backends);
        this.acceptor = Thread.ofPlatform().daemon().name("round-robin-proxy").start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** How many connections went to each backend, in the order given. */
    public long[] connections() {
        List<Integer> current = backends;
        long[] counts = new long[current.size()];
        for (int i = 0; i < counts.length; i++) {
            AtomicLong count = connections.get(current.get(i));
            counts[i] = count == null ? 0 : count.get();
        }
        return counts;
    }

    /**
     * From now on, new connections go to {@code backends}, as a Service follows its ready endpoints
     * during a rollout; open connections stay where they are. None: connections are refused.
     */
    public void route(List<Integer> backends) {
        this.backends = List.copyOf(backends);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            List<Integer> current = backends;
            if (current.isEmpty()) {
                closeQuietly(client); // a Service without ready endpoints
                continue;
            }
            int backend = current.get(Math.floorMod(next.getAndIncrement(), current.size()));
            connections.computeIfAbsent(backend, b -> new AtomicLong()).incrementAndGet();
            Thread.ofVirtual().start(() -> connect(client, backend));
        }
    }

    private void connect(Socket client, int backendPort) {
        open.add(client);
        Socket upstream = new Socket();
        open.add(upstream);
        try {
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort), 5_000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        Thread back = Thread.ofVirtual().start(() -> pipe(upstream, client));
        pipe(client, upstream);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(client);
        closeQuietly(upstream);
    }

    /**
     * Copies until {@code from} ends, then half-closes {@code to} so that its peer sees the end too
     * (closing a socket's stream would close the socket, and with it the other direction).
     */
    private void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // a reset, or the proxy closing: the connection is over both ways
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        open.forEach(this::closeQuietly);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
