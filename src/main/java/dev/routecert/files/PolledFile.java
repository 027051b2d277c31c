package dev.routecert.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One or more files read together, polled for changes, and parsed into a value that stays in force
 * until a new content parses. Polling compares bytes instead of watching: the kubelet updates Secret
 * and ConfigMap volumes by swapping their {@code ..data} symlink, which watches on the files miss.
 * A content that does not parse keeps the last good value, and each distinct problem is reported
 * once, not on every poll.
 */
public final class PolledFile<T> implements AutoCloseable {

    /** What parsing one content gave. */
    public sealed interface Outcome<T> {}

    public record Loaded<T>(T value) implements Outcome<T> {}

    /**
     * @param retry parse the same bytes again on the next poll (the problem may pass with time, as a
     *     certificate that is not valid yet); a repeat of the same problem is then not reported again
     */
    public record Refused<T>(String problem, boolean retry) implements Outcome<T> {}

    /** Parses contents and hears of what became of them; called on the polling thread, one call at a time. */
    public interface Handler<T> {
        /** @param contents the files' bytes, in the order the files were given */
        Outcome<T> parse(List<byte[]> contents);

        /** A new value is in force; {@code previous} is null for the first. */
        void loaded(T value, T previous);

        /** A content was refused or could not be read; {@code kept} is the value still in force, or null. */
        void refused(String problem, T kept);
    }

    private final List<Path> files;
    private final Handler<T> handler;
    private final ScheduledExecutorService poller;

    private volatile T current;
    private volatile String lastProblem = "not read yet";
    private List<byte[]> lastContents = List.of();
    /** The last content was refused with retry: parse the same bytes again. */
    private boolean recheck;
    /** The read failure of the last poll, not reported yet; null when the last read succeeded. */
    private String unreadable;

    /**
     * Reads the files once now, then every {@code interval} on a daemon thread named {@code threadName};
     * a zero interval polls only when {@link #poll()} is called.
     */
    public PolledFile(String threadName, List<Path> files, Duration interval, Handler<T> handler) {
        this.files = List.copyOf(files);
        this.handler = handler;
        poll();
        if (interval.isZero()) {
            this.poller = null;
            return;
        }
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The value in force, empty until a content first parsed. */
    public Optional<T> current() {
        return Optional.ofNullable(current);
    }

    /** Why the last content was refused, or empty when the value in force came from the current content. */
    public String lastProblem() {
        return lastProblem;
    }

    /** One poll now: what the timer runs, and what tests call instead of waiting for it. */
    public synchronized void poll() {
        List<byte[]> contents = new ArrayList<>(files.size());
        try {
            for (Path file : files) {
                contents.add(Files.readAllBytes(file));
            }
        } catch (NoSuchFileException e) {
            readFailed("file " + e.getFile() + " does not exist");
            return;
        } catch (IOException | RuntimeException e) {
            readFailed(
                    "cannot read " + files.stream().map(Path::toString).collect(Collectors.joining(" / ")) + ": " + e);
            return;
        }
        unreadable = null;
        if (!recheck && sameBytes(contents, lastContents)) {
            return; // unchanged since the last attempt, good or bad
        }
        lastContents = contents;
        Outcome<T> outcome;
        try {
            outcome = handler.parse(List.copyOf(contents));
        } catch (RuntimeException e) {
            outcome = new Refused<>("cannot parse: " + e, false);
        }
        switch (outcome) {
            case Refused<T> refused -> {
                recheck = refused.retry();
                if (recheck && refused.problem().equals(lastProblem)) {
                    return; // the same refusal as on the last poll, already reported
                }
                lastProblem = refused.problem();
                handler.refused(refused.problem(), current);
            }
            case Loaded<T> loaded -> {
                recheck = false;
                T previous = current;
                current = loaded.value();
                lastProblem = "";
                handler.loaded(loaded.value(), previous);
            }
        }
    }

    /**
     * A read that fails while a value is in force is tried again on the next poll before it counts: the
     * kubelet deletes a volume's old data directory right after it swaps {@code ..data}, so a read that
     * resolved the link just before the swap can find its file gone.
     */
    private void readFailed(String problem) {
        if (current != null && !problem.equals(unreadable)) {
            unreadable = problem;
            return;
        }
        report(problem);
    }

    /** A read failure is reported once per distinct problem, not on every poll. */
    private void report(String problem) {
        if (problem.equals(lastProblem)) {
            return;
        }
        lastProblem = problem;
        lastContents = List.of();
        handler.refused(problem, current);
    }

    private static boolean sameBytes(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
