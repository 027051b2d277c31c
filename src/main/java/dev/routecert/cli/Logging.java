package dev.routecert.cli;

/**
 * Configures slf4j-simple. Must run before the first logger is created, which is why commands
 * fetch their loggers only after calling it.
 */
final class Logging {

    private Logging() {
    }

    static void configure(String level) {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "false");
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.out");
        // Jetty and Javalin narrate their own start-up at INFO; routecert logs what matters itself.
        setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.javalin", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.fabric8", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.vertx", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.netty", "warn");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
