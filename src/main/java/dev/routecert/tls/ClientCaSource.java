package dev.routecert.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA bundle of {@code --client-ca-file}: the CAs a caller's client certificate must chain to.
 * Polled like the serving certificate (a Secret or ConfigMap volume swaps a symlink, which file
 * watches miss). The first read must succeed, since without CAs no caller could connect; later, a
 * file that does not parse keeps the last good bundle in force, logged once per distinct content.
 */
public final class ClientCaSource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClientCaSource.class);

    private final Path file;
    private final List<Consumer<KeyStore>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller;
    private volatile List<X509Certificate> current;
    private byte[] lastBytes;

    public ClientCaSource(Path file, Duration pollInterval) throws CertificateLoadException {
        this.file = file;
        try {
            lastBytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CertificateLoadException("cannot read --client-ca-file " + file + ": " + e, e);
        }
        current = parse(lastBytes);
        log.info("client CA bundle {}: {}", file, describe(current));
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "client-ca-poller");
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(
                this::poll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The CAs in force. */
    public List<X509Certificate> current() {
        return current;
    }

    /** The CAs in force as a trust store for the TLS context. */
    public KeyStore trustStore() {
        return trustStore(current);
    }

    /** Called with the trust store of every new bundle put in force. */
    public void onChange(Consumer<KeyStore> listener) {
        listeners.add(listener);
    }

    /** One poll: visible for tests that must not wait for the timer. */
    public synchronized void poll() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            bytes = new byte[0];
        }
        if (Arrays.equals(bytes, lastBytes)) {
            return;
        }
        lastBytes = bytes;
        List<X509Certificate> loaded;
        try {
            loaded = parse(bytes);
        } catch (CertificateLoadException e) {
            log.warn("client CA bundle {} not reloaded, keeping the previous one: {}", file, e.getMessage());
            return;
        }
        current = loaded;
        log.info("client CA bundle {} reloaded: {}", file, describe(loaded));
        KeyStore store = trustStore(loaded);
        for (Consumer<KeyStore> listener : listeners) {
            try {
                listener.accept(store);
            } catch (RuntimeException e) {
                log.error("applying the new client CA bundle failed", e);
            }
        }
    }

    private static List<X509Certificate> parse(byte[] pem) throws CertificateLoadException {
        if (pem.length == 0) {
            throw new CertificateLoadException("the client CA file is empty or unreadable");
        }
        return List.copyOf(PemCertificates.parseChain(pem));
    }

    static KeyStore trustStore(List<X509Certificate> cas) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("client-ca-" + i, cas.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the client CA trust store", e);
        }
    }

    private static String describe(List<X509Certificate> cas) {
        return cas.size()
                + (cas.size() == 1 ? " CA, " : " CAs, ")
                + cas.stream().map(c -> c.getSubjectX500Principal().getName()).toList();
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
