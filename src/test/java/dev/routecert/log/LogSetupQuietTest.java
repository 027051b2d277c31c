package dev.routecert.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.Test;

/** check --kubeconfig quiets the INFO lines of the admission code it borrows, and nothing else. */
class LogSetupQuietTest {

    private static final class Quieted {}

    private static final class AlreadyQuieter {}

    private static final class Other {}

    @Test
    void theNamedLoggersLogOnlyWarningsAndQuieterOnesKeepTheirLevel() {
        LoggerContext context = new LoggerContext();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
        context.getLogger(AlreadyQuieter.class).setLevel(Level.ERROR);

        LogSetup.quiet(context, Quieted.class, AlreadyQuieter.class);

        assertEquals(Level.WARN, context.getLogger(Quieted.class).getEffectiveLevel());
        assertEquals(Level.ERROR, context.getLogger(AlreadyQuieter.class).getEffectiveLevel());
        assertEquals(Level.INFO, context.getLogger(Other.class).getEffectiveLevel());
    }
}
