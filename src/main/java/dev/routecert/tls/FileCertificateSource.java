package dev.routecert.tls;

import dev.routecert.files.PolledFile;
import dev.routecert.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private final PolledFile<ServingCertificate> files;

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
        this.files =
                new PolledFile<>("certificate-poller", List.of(certificateFile, keyFile), pollInterval, new Pair());
    }

    @Override
    public Optional<ServingCertificate> current() {
        return files.current();
    }

    @Override
    public void onChange(Consumer<ServingCertificate> listener) {
        listeners.add(listener);
        files.current().ifPresent(listener);
    }

    @Override
    public String waitingFor() {
        return "no valid certificate in " + certificateFile + " and " + keyFile + " yet: " + files.lastProblem();
    }

    /** One poll: visible for tests that must not wait for the timer. */
    void poll() {
        files.poll();
    }

    /** Parses and checks a certificate and key pair, and tells the listeners of a new one. */
    private final class Pair implements PolledFile.Handler<ServingCertificate> {

        @Override
        public PolledFile.Outcome<ServingCertificate> parse(List<byte[]> contents) {
            try {
                ServingCertificate loaded =
                        PemCertificates.parse(contents.get(0), contents.get(1), certificateFile.toString());
                ServerNames.checkUsable(loaded.leaf(), clock.instant(), CLOCK_SKEW, serverNames);
                return new PolledFile.Loaded<>(loaded);
            } catch (CertificateLoadException e) {
                // a pair refused for its validity period only may become usable: check the same bytes again
                return new PolledFile.Refused<>(e.getMessage(), e instanceof ServerNames.NotValidNow);
            }
        }

        @Override
        public void loaded(ServingCertificate loaded, ServingCertificate previous) {
            events.reloaded(loaded);
            log.info("serving certificate {}: {}", previous == null ? "loaded" : "reloaded", loaded.describe());
            for (Consumer<ServingCertificate> listener : listeners) {
                try {
                    listener.accept(loaded);
                } catch (RuntimeException e) {
                    log.error("applying the new serving certificate failed", e);
                }
            }
        }

        @Override
        public void refused(String problem, ServingCertificate kept) {
            events.failed(problem);
            log.warn(
                    "serving certificate not reloaded, {} {}",
                    kept == null ? "no certificate to keep:" : "keeping the previous one:",
                    problem);
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
