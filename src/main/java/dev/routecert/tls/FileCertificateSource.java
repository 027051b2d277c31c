package dev.routecert.tls;

import dev.routecert.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code tls.crt}/{@code tls.key} and polls them for changes. Polling, not file watches:
 * the kubelet updates a Secret volume by swapping its {@code ..data} symlink, which watches on
 * the files themselves miss. A pair that does not parse, whose key does not match, whose leaf is
 * expired or not yet valid on the clock (give or take {@link #CLOCK_SKEW}), or that does not cover
 * the required server names keeps the last good certificate in force: every handshake would fail
 * with it. Each distinct bad content is logged and counted once.
 */
public final class FileCertificateSource implements CertificateSource {

    private static final Logger log = LoggerFactory.getLogger(FileCertificateSource.class);

    /** Counts outcomes; metrics plug in here. */
    public interface Events {
        void reloaded(ServingCertificate certificate);

        void failed(String reason);

        Events NONE = new Events() {
            @Override
            public void reloaded(ServingCertificate certificate) {}

            @Override
            public void failed(String reason) {}
        };
    }

    /** How far the clocks of this node and of the issuer may disagree about a certificate's validity. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final Path certificateFile;
    private final Path keyFile;
    private final Events events;
    private final Clock clock;
    private final List<String> serverNames;
    private final List<Consumer<ServingCertificate>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller;

    private volatile ServingCertificate current;
    private volatile String lastProblem = "not read yet";
    private byte[] lastCertificateBytes = new byte[0];
    private byte[] lastKeyBytes = new byte[0];
    /** The last pair was refused for its validity period only: check the same bytes again. */
    private boolean recheck;

    public FileCertificateSource(Path certificateFile, Path keyFile, Duration pollInterval, Events events) {
        this(certificateFile, keyFile, pollInterval, events, Clock.system(), List.of());
    }

    /**
     * @param clock judges the certificate's validity
     * @param serverNames DNS names the certificate must cover ({@code --tls-server-names}); empty for any
     */
    public FileCertificateSource(
            Path certificateFile,
            Path keyFile,
            Duration pollInterval,
            Events events,
            Clock clock,
            List<String> serverNames) {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.events = events;
        this.clock = clock;
        this.serverNames = List.copyOf(serverNames);
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "certificate-poller");
            thread.setDaemon(true);
            return thread;
        });
        poll();
        poller.scheduleWithFixedDelay(
                this::poll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Optional<ServingCertificate> current() {
        return Optional.ofNullable(current);
    }

    @Override
    public void onChange(Consumer<ServingCertificate> listener) {
        listeners.add(listener);
        ServingCertificate now = current;
        if (now != null) {
            listener.accept(now);
        }
    }

    @Override
    public String waitingFor() {
        return "no valid certificate in " + certificateFile + " and " + keyFile + " yet: " + lastProblem;
    }

    /** One poll: visible for tests that must not wait for the timer. */
    synchronized void poll() {
        byte[] certificateBytes;
        byte[] keyBytes;
        try {
            certificateBytes = Files.readAllBytes(certificateFile);
            keyBytes = Files.readAllBytes(keyFile);
        } catch (NoSuchFileException e) {
            report("file " + e.getFile() + " does not exist", new byte[0], new byte[0]);
            return;
        } catch (IOException | RuntimeException e) {
            report("cannot read " + certificateFile + " / " + keyFile + ": " + e, new byte[0], new byte[0]);
            return;
        }
        if (!recheck
                && Arrays.equals(certificateBytes, lastCertificateBytes)
                && Arrays.equals(keyBytes, lastKeyBytes)) {
            return; // unchanged since the last attempt, good or bad
        }
        lastCertificateBytes = certificateBytes;
        lastKeyBytes = keyBytes;
        ServingCertificate loaded;
        try {
            loaded = PemCertificates.parse(certificateBytes, keyBytes, certificateFile.toString());
            ServerNames.checkUsable(loaded.leaf(), clock.instant(), CLOCK_SKEW, serverNames);
        } catch (CertificateLoadException e) {
            recheck = e instanceof ServerNames.NotValidNow;
            if (recheck && e.getMessage().equals(lastProblem)) {
                return; // the same refusal as on the last poll, already logged and counted
            }
            lastProblem = e.getMessage();
            events.failed(e.getMessage());
            log.warn(
                    "serving certificate not reloaded, {} the previous one: {}",
                    current == null ? "no certificate to keep:" : "keeping",
                    e.getMessage());
            return;
        }
        recheck = false;
        boolean first = current == null;
        current = loaded;
        lastProblem = "";
        events.reloaded(loaded);
        log.info("serving certificate {}: {}", first ? "loaded" : "reloaded", loaded.describe());
        for (Consumer<ServingCertificate> listener : listeners) {
            try {
                listener.accept(loaded);
            } catch (RuntimeException e) {
                log.error("applying the new serving certificate failed", e);
            }
        }
    }

    /** A read failure is logged and counted once per distinct problem, not on every poll. */
    private void report(String problem, byte[] certificateBytes, byte[] keyBytes) {
        if (problem.equals(lastProblem)) {
            return;
        }
        lastProblem = problem;
        lastCertificateBytes = certificateBytes;
        lastKeyBytes = keyBytes;
        events.failed(problem);
        log.warn(
                "serving certificate not reloaded, {} {}",
                current == null ? "waiting:" : "keeping the previous one:",
                problem);
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
