package dev.routecert.cli;

import dev.routecert.log.LogSetup;

/**
 * Puts serve's logging in force: Logback, one line per event on standard output, written as it is
 * logged (a container runtime collects it; nothing waits in a buffer for a kill to lose).
 */
final class Logging {

    private Logging() {}

    static void configure(String level, LogSetup.Format format) {
        LogSetup.apply(level, format);
    }
}
