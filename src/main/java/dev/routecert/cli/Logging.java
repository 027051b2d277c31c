package dev.routecert.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Configures slf4j-simple. Must run before the first logger is created, which is why commands
 * fetch their loggers only after calling it.
 */
final class Logging {

    private Logging() {}

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

    /** Standard output once {@link #bufferStdout} made it a buffer; null before. */
    private static volatile DeferredFlush bufferedStdout;

    /**
     * Makes standard output, where the log goes, a buffer that is written out every {@code interval}
     * (and whenever 64 KiB have gathered, and at exit) instead of once per line: Kubernetes' own
     * components do the same (klog flushes every 5 s, {@code --log-flush-frequency}). Under load the
     * webhook logs a line per review, and slf4j-simple flushes after each line: one {@code write(2)}
     * per review, made while the other request threads wait for the stream. An interval of zero
     * keeps that. Lines written in the last interval before a SIGKILL are lost; a graceful stop and
     * every normal exit write them ({@link #flushStdout}).
     */
    static void bufferStdout(Duration interval) {
        if (interval.isZero() || bufferedStdout != null) {
            return;
        }
        System.out.flush();
        DeferredFlush buffer = new DeferredFlush(new FileOutputStream(FileDescriptor.out));
        System.setOut(new PrintStream(buffer, false, System.out.charset()));
        bufferedStdout = buffer;
        long millis = Math.max(1, interval.toMillis());
        Thread.ofPlatform().daemon().name("log-flush").start(() -> {
            while (true) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    return;
                }
                buffer.writeOut();
            }
        });
    }

    /** Writes out what standard output holds, buffered or not; before the process exits. */
    static void flushStdout() {
        System.out.flush();
        DeferredFlush buffer = bufferedStdout;
        if (buffer != null) {
            buffer.writeOut();
        }
    }

    /** A buffer whose {@code flush()} waits for {@link #writeOut}: slf4j-simple flushes after every line. */
    static final class DeferredFlush extends BufferedOutputStream {

        DeferredFlush(OutputStream out) {
            super(out, 64 * 1024);
        }

        @Override
        public void flush() {
            // deferred to writeOut(), which the log-flush thread calls every interval
        }

        /** Writes the buffered bytes and flushes the stream under it. */
        void writeOut() {
            try {
                super.flush();
            } catch (IOException e) {
                // standard output is gone (its reader closed the pipe): nowhere left to report it
            }
        }
    }
}
