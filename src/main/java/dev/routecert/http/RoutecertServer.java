package dev.routecert.http;

import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.admission.AdmissionReviews;
import dev.routecert.admission.ReviewRejection;
import dev.routecert.config.ServeConfig;
import dev.routecert.health.Readiness;
import dev.routecert.log.Log;
import dev.routecert.tls.CertificateSource;
import dev.routecert.tls.ClientCaSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The two listeners of {@code routecert serve}: HTTPS for the API server's admission calls and
 * plain HTTP for probes and metrics. Until the certificate source has a certificate, the HTTPS
 * listener presents a throw-away self-signed one and readiness stays false, so ports are bound
 * (and conflicts found) at start-up while nothing routes to an unready pod.
 */
public final class RoutecertServer implements AutoCloseable {

    public static final String CHECK_CERTIFICATE = "serving-certificate";
    public static final String CHECK_SHUTDOWN = "shutdown";

    private static final Log log = Log.of(RoutecertServer.class);

    private final ServeConfig config;
    private final CertificateSource certificates;
    private final Readiness readiness;
    private final ServerMetrics metrics;
    private final AdmissionReviews reviews;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final InFlightBytes inFlightBytes;
    private volatile boolean draining;
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** The certificate the TLS context holds; null while the placeholder serves. */
    private final AtomicReference<ServingCertificate> served = new AtomicReference<>();

    private final TlsConnector tls;
    private final Javalin admission;
    private final Javalin health;

    public RoutecertServer(
            ServeConfig config,
            CertificateSource certificates,
            AdmissionPolicy mutating,
            AdmissionPolicy validating,
            Readiness readiness,
            ServerMetrics metrics) {
        this(config, certificates, null, mutating, validating, readiness, metrics);
    }

    /**
     * @param clientCas the CAs a caller's client certificate must chain to ({@code --client-ca-file}),
     *     kept current as the bundle changes; null asks for no client certificate
     */
    public RoutecertServer(
            ServeConfig config,
            CertificateSource certificates,
            ClientCaSource clientCas,
            AdmissionPolicy mutating,
            AdmissionPolicy validating,
            Readiness readiness,
            ServerMetrics metrics) {
        this.config = config;
        this.certificates = certificates;
        this.readiness = readiness;
        this.metrics = metrics;
        this.reviews = new AdmissionReviews(config.maxRequestBytes());
        this.inFlightBytes = new InFlightBytes(config.maxInFlightBytes(), metrics::reviewWaitedForMemory);
        metrics.inFlightBytes(inFlightBytes::inUse);
        readiness.pending(CHECK_CERTIFICATE, certificates::waitingFor);
        ServingCertificate initial = certificates.current().orElse(null);
        served.set(initial);
        this.tls =
                new TlsConnector(initial != null ? initial : SelfSignedCertificates.forLocalhost(Duration.ofDays(1)));
        if (clientCas != null) {
            clientCas.onChange(this::trust); // first, so that no bundle is missed between the two
            tls.requireClientCertificates(clientCas.trustStore());
        }
        AdmissionEndpoint mutate = endpoint("mutate", mutating);
        AdmissionEndpoint validate = endpoint("validate", validating);
        this.admission = admissionApp(
                config, tls, reviews, closingWhileStopping(mutate::handle), closingWhileStopping(validate::handle));
        this.health = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.host = config.bindAddress();
            cfg.jetty.port = config.healthPort();
            cfg.routes.get("/livez", ctx -> ctx.contentType("text/plain").result("ok\n"));
            cfg.routes.get("/healthz", ctx -> ctx.contentType("text/plain").result("ok\n"));
            cfg.routes.get(
                    "/readyz",
                    ctx -> ctx.status(readiness.ready() ? 200 : 503)
                            .contentType("text/plain")
                            .result(readiness.report()));
            cfg.routes.get(
                    "/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
        });
    }

    /**
     * The HTTPS listener with its limits, TLS connector and error answers, around the two handlers.
     * The benchmarks' reference server builds the same app around a fixed-bytes handler.
     */
    static Javalin admissionApp(
            ServeConfig config, TlsConnector tls, AdmissionReviews reviews, Handler mutate, Handler validate) {
        JsonErrorHandler errors = new JsonErrorHandler(reviews);
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.prefer405over404 = true;
            cfg.jetty.modifyServer(server -> server.setErrorHandler(errors));
            cfg.http.maxRequestSize = config.maxRequestBytes();
            cfg.jetty.addConnector((server, httpConfiguration) -> tls.create(
                    server, httpConfiguration, config.bindAddress(), config.securePort(), config.idleTimeout()));
            cfg.routes.post("/mutate", mutate);
            cfg.routes.post("/validate", validate);
            cfg.routes.error(
                    404,
                    ctx -> jsonError(
                            reviews,
                            ctx,
                            404,
                            "NotFound",
                            "no such endpoint: " + ctx.method() + " " + ctx.path()
                                    + " (routecert serves POST /mutate and POST /validate)"));
            cfg.routes.error(
                    405,
                    ctx -> jsonError(
                            reviews,
                            ctx,
                            405,
                            "MethodNotAllowed",
                            ctx.method() + " is not allowed on " + ctx.path() + ": use POST"));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                jsonError(reviews, ctx, 500, "InternalError", "routecert internal error (see its log)");
            });
        });
    }

    private AdmissionEndpoint endpoint(String name, AdmissionPolicy policy) {
        return new AdmissionEndpoint(
                name,
                policy,
                reviews,
                metrics,
                config.maxRequestBytes(),
                config.requestReadTimeout(),
                config.minRequestDataRate(),
                inFlight,
                inFlightBytes);
    }

    /**
     * Binds both ports; throws, with both listeners stopped, if either cannot be bound. The two Jetty
     * servers start side by side: each spends most of its start-up loading and initialising classes,
     * which two cores do in parallel, so the path to ready is shorter.
     */
    public RoutecertServer start() {
        CompletableFuture<Void> healthStarted = CompletableFuture.runAsync(health::start, task -> {
            Thread thread = new Thread(task, "start-health");
            thread.setDaemon(true);
            thread.start();
        });
        RuntimeException failure = null;
        try {
            admission.start();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            healthStarted.join();
        } catch (CompletionException e) {
            RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
            if (failure == null) {
                failure = cause;
            } else {
                failure.addSuppressed(cause);
            }
        }
        if (failure != null) {
            admission.stop();
            health.stop();
            throw failure;
        }
        certificates.onChange(this::serve);
        log.info(
                "listening: admission https://{}:{}/mutate and /validate, probes and metrics http://{}:{}/livez /readyz /metrics",
                config.bindAddress(),
                securePort(),
                config.bindAddress(),
                healthPort());
        return this;
    }

    private void serve(ServingCertificate certificate) {
        try {
            if (served.getAndSet(certificate) != certificate) {
                tls.install(certificate);
            }
            metrics.certificateInForce(certificate);
            readiness.pass(CHECK_CERTIFICATE);
        } catch (Exception e) {
            log.error("could not put the new serving certificate in force; the previous one stays", e);
            metrics.failed(e.getMessage());
        }
    }

    private void trust(KeyStore clientCas) {
        try {
            tls.installClientCas(clientCas);
        } catch (Exception e) {
            log.error("could not put the new client CA bundle in force; the previous one stays", e);
        }
    }

    public int securePort() {
        return admission.port();
    }

    public int healthPort() {
        return health.port();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /**
     * From the start of a graceful stop, every answer closes its connection: a caller that keeps
     * connections open (the API server does) then reconnects, to a replica still serving, during the
     * shutdown delay, instead of reusing a connection that the stop closes under a request.
     */
    private Handler closingWhileStopping(Handler handler) {
        return ctx -> {
            if (stopped.get()) {
                ctx.header("Connection", "close");
            }
            handler.handle(ctx);
        };
    }

    /** True once a graceful stop is past its shutdown delay and waits for the in-flight reviews. */
    public boolean draining() {
        return draining;
    }

    /**
     * Graceful stop: readiness goes false first, then after the configured delay the in-flight reviews
     * get up to the shutdown timeout to finish before the listeners close.
     */
    @Override
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        readiness.fail(CHECK_SHUTDOWN, "shutting down");
        log.info(
                "shutting down: readiness is false, waiting {} before draining {} in-flight review(s)",
                config.shutdownDelay(),
                inFlight.get());
        sleep(config.shutdownDelay());
        draining = true;
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(10));
        }
        if (inFlight.get() > 0) {
            log.warn(
                    "shutdown timeout {} reached with {} review(s) still in flight",
                    config.shutdownTimeout(),
                    inFlight.get());
        }
        admission.stop();
        health.stop();
        certificates.close();
        log.info("stopped");
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void jsonError(AdmissionReviews reviews, Context ctx, int status, String reason, String message) {
        ctx.status(status)
                .contentType("application/json")
                .result(reviews.write(reviews.rejection(new ReviewRejection(status, reason, message, null, null))));
    }
}
