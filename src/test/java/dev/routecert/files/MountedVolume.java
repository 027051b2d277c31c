package dev.routecert.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A folder laid out as the kubelet lays out a ConfigMap or Secret volume: the data in a timestamped
 * directory, {@code ..data} a symlink to it, and each key a symlink through {@code ..data}. An update
 * writes a new directory and renames a fresh symlink over {@code ..data}: one atomic step.
 */
public final class MountedVolume {

    private static final AtomicInteger GENERATION = new AtomicInteger();

    private final Path root;
    private Path currentDir;

    public MountedVolume(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    public Path file(String key) {
        return root.resolve(key);
    }

    /** Swaps in new contents for every key given, as one update of the ConfigMap. */
    public synchronized void write(Map<String, String> contents) throws IOException {
        Path next = root.resolve("..2026_11_22_" + GENERATION.incrementAndGet());
        Files.createDirectory(next);
        for (var entry : contents.entrySet()) {
            Files.writeString(next.resolve(entry.getKey()), entry.getValue());
        }
        Path tmp = root.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, next.getFileName());
        Files.move(tmp, root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String key : contents.keySet()) {
            if (!Files.exists(root.resolve(key), LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(root.resolve(key), Path.of("..data", key));
            }
        }
        if (currentDir != null) {
            try (var old = Files.walk(currentDir)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        currentDir = next;
    }

    public void write(String key, String content) throws IOException {
        write(Map.of(key, content));
    }
}
