package dev.routecert.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.joran.spi.ConsoleTarget;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Logback's configuration, in code rather than XML: Logback finds this class through
 * {@code META-INF/services} at the first logger, which gives every command (and every test) one line
 * per event on standard error; {@code serve} then calls {@link #apply} with its flags. Each line is
 * written and flushed as it is logged, so a killed process loses nothing it had logged.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    public enum Format {
        TEXT,
        JSON;

        public static Format parse(String word) {
            return valueOf(word.strip().toUpperCase(Locale.ROOT));
        }
    }

    /** Libraries narrate their start-up at INFO; routecert logs what matters itself. */
    private static final Map<String, Level> QUIET = Map.of(
            "org.eclipse.jetty", Level.WARN,
            "io.javalin", Level.WARN,
            "io.fabric8", Level.WARN,
            "io.vertx", Level.WARN,
            "io.netty", Level.WARN,
            // fabric8's elector logs a stack trace per failed retry; Leadership reports the cause instead
            "io.fabric8.kubernetes.client.extended.leaderelection", Level.OFF,
            // a line per retry of a failed list or watch; ClusterCaches reports them once, then counts
            "io.fabric8.kubernetes.client.informers.impl.cache.Reflector", Level.ERROR);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        install(context, Level.INFO, Format.TEXT, ConsoleTarget.SystemErr, "HH:mm:ss.SSS");
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Replaces the configuration: one appender on standard output, in {@code format}, at {@code level}
     * (error, warn, info, debug or trace) for routecert's own loggers.
     */
    public static void apply(String level, Format format) {
        if (Boolean.getBoolean("routecert.log.fixed")) {
            return; // a test JVM: commands run in it keep the tests' configuration
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        install(
                context,
                Level.toLevel(level, Level.INFO),
                format,
                ConsoleTarget.SystemOut,
                "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    }

    /**
     * Logs only warnings and errors of {@code types}: for a command whose own output already says what
     * they log at INFO ({@code check} prints each decision it borrows from admission).
     */
    public static void quiet(Class<?>... types) {
        if (Boolean.getBoolean("routecert.log.fixed")) {
            return; // a test JVM: commands run in it keep the tests' configuration
        }
        quiet((LoggerContext) LoggerFactory.getILoggerFactory(), types);
    }

    /** {@link #quiet(Class[])} in {@code context}; a logger already quieter keeps its level. */
    static void quiet(LoggerContext context, Class<?>... types) {
        for (Class<?> type : types) {
            Logger logger = context.getLogger(type);
            if (logger.getEffectiveLevel().isGreaterOrEqual(Level.WARN)) {
                continue;
            }
            logger.setLevel(Level.WARN);
        }
    }

    private static void install(
            LoggerContext context, Level level, Format format, ConsoleTarget target, String datePattern) {
        context.reset();
        PatternLayout.DEFAULT_CONVERTER_SUPPLIER_MAP.putIfAbsent("oneLineCause", OneLineCause::new);
        Encoder<ILoggingEvent> encoder;
        if (format == Format.JSON) {
            encoder = new ZapJsonEncoder();
        } else {
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setPattern("%d{" + datePattern + "} [%thread] %level %logger{0} - %msg%oneLineCause%n");
            encoder = pattern;
        }
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget(target.getName());
        console.setEncoder(encoder);
        console.setImmediateFlush(true);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        root.addAppender(console);
        QUIET.forEach((name, quiet) -> context.getLogger(name).setLevel(quiet.isGreaterOrEqual(level) ? quiet : level));
        Log.structured(format == Format.JSON);
    }
}
