package dev.routecert.log;

import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;

/**
 * A library's exception as one escaped {@code cause=} field, as {@link Log} writes routecert's own: a
 * stack trace per retry of a failing call would bury the line that says what is wrong.
 */
public final class OneLineCause extends ThrowableHandlingConverter {

    @Override
    public String convert(ILoggingEvent event) {
        String cause = describe(event.getThrowableProxy());
        return cause == null ? "" : " cause=" + Log.quote(cause);
    }

    static String describe(IThrowableProxy proxy) {
        if (proxy == null) {
            return null;
        }
        if (proxy instanceof ThrowableProxy p) {
            return Log.describe(p.getThrowable());
        }
        return proxy.getClassName() + ": " + proxy.getMessage();
    }
}
