package dev.routecert.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.files.PolledFile;
import dev.routecert.log.Log;
import dev.routecert.policy.settings.PolicySettings;
import dev.routecert.policy.settings.PolicySnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * The policy file ({@code --policy-file}), polled for changes like the serving certificate: a
 * ConfigMap volume swaps its {@code ..data} symlink. A new file that does not parse keeps the last
 * good policy in force; it is logged once per distinct content, with every problem, and counted.
 */
public final class PolicyFileSource implements Supplier<PolicySnapshot>, AutoCloseable {

    private static final Log log = Log.of(PolicyFileSource.class);

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Counts outcomes; metrics plug in here. */
    public interface Events {
        void reloaded(PolicySnapshot snapshot);

        void failed(List<String> problems);

        Events NONE = new Events() {
            @Override
            public void reloaded(PolicySnapshot snapshot) {}

            @Override
            public void failed(List<String> problems) {}
        };
    }

    /** The policy file could not be used at start. */
    public static final class PolicyFileException extends RuntimeException {
        private final List<String> problems;

        PolicyFileException(Path file, List<String> problems) {
            super("policy file " + file + " is not usable:\n  " + String.join("\n  ", problems), null, false, false);
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private final Path file;
    private final PolledFile<PolicySnapshot> polled;

    /**
     * Reads the file now and then every {@code interval} (zero: only on {@link #poll()}).
     *
     * @throws PolicyFileException when the file is missing or not a valid policy
     */
    public PolicyFileSource(Path file, Duration interval, Events events) {
        this.file = file;
        this.polled = new PolledFile<>("policy-poller", List.of(file), interval, new Handler(events));
        if (polled.current().isEmpty()) {
            polled.close();
            throw new PolicyFileException(file, problems(polled.lastProblem()));
        }
    }

    /** The policy in force. */
    @Override
    public PolicySnapshot get() {
        return polled.current().orElseThrow();
    }

    /** One poll now, for tests that do not wait for the timer. */
    public void poll() {
        polled.poll();
    }

    @Override
    public void close() {
        polled.close();
    }

    /**
     * Every problem of a policy file, without keeping it: what start-up and {@code routecert check}
     * report before anything runs. Empty when the file is a valid policy.
     */
    public static List<String> problems(Path file) {
        return read(file).problems();
    }

    /** A policy file read once, as {@code routecert check} reads it: its settings, or every problem. */
    public static PolicySettings.Parsed read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return failed("file " + file + " does not exist");
        } catch (IOException | RuntimeException e) {
            return failed("cannot read " + file + ": " + e);
        }
        return parse(bytes);
    }

    /** Reads a snapshot from the bytes of a policy file. */
    public static PolicySettings.Parsed parse(byte[] bytes) {
        List<JsonNode> documents = new ArrayList<>();
        String text = new String(bytes, StandardCharsets.UTF_8);
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                documents.add(it.nextValue());
            }
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            return failed("not valid YAML" + (at == null ? "" : " (line " + at.getLineNr() + ")") + ": "
                    + oneLine(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            // the YAML reader wraps some parse failures in unchecked exceptions
            return failed("not valid YAML: " + oneLine(e.getMessage()));
        }
        if (documents.size() > 1) {
            return failed("holds " + documents.size() + " YAML documents; a policy file holds one");
        }
        return PolicySettings.parse(documents.isEmpty() ? null : documents.getFirst());
    }

    /** The YAML reader's messages quote the input over several lines; a problem is one line. */
    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static PolicySettings.Parsed failed(String problem) {
        return new PolicySettings.Parsed(null, List.of(problem));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The problems of a refusal, one per line as the handler joined them. */
    private static List<String> problems(String joined) {
        return List.of(joined.split("\n"));
    }

    private final class Handler implements PolledFile.Handler<PolicySnapshot> {
        private final Events events;

        Handler(Events events) {
            this.events = events;
        }

        @Override
        public PolledFile.Outcome<PolicySnapshot> parse(List<byte[]> contents) {
            byte[] bytes = contents.getFirst();
            PolicySettings.Parsed parsed = PolicyFileSource.parse(bytes);
            if (!parsed.ok()) {
                return new PolledFile.Refused<>(String.join("\n", parsed.problems()), false);
            }
            return new PolledFile.Loaded<>(new PolicySnapshot(parsed.settings(), sha256(bytes), file.toString()));
        }

        @Override
        public void loaded(PolicySnapshot snapshot, PolicySnapshot previous) {
            events.reloaded(snapshot);
            log.info("policy file {} {}, sha256 {}", file, previous == null ? "loaded" : "reloaded", snapshot.sha256());
        }

        @Override
        public void refused(String problem, PolicySnapshot kept) {
            List<String> problems = problems(problem);
            events.failed(problems);
            if (kept == null) {
                return; // at start: the constructor reports it
            }
            log.warn(
                    "policy file {} not reloaded, keeping the one with sha256 {}: {} problem(s) follow",
                    file,
                    kept.sha256(),
                    problems.size());
            for (String line : problems) {
                log.warn("policy file {}: {}", file, line);
            }
        }
    }
}
