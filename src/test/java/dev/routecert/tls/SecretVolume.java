package dev.routecert.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A folder laid out as the kubelet lays out a Secret volume: the data in a timestamped directory,
 * {@code ..data} a symlink to it, and {@code tls.crt}/{@code tls.key} symlinks through {@code ..data}.
 * An update writes a new directory and renames a fresh symlink over {@code ..data}: one atomic step.
 */
public final class SecretVolume {

    private static final AtomicInteger GENERATION = new AtomicInteger();

    private final Path root;
    private Path currentDir;

    public SecretVolume(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    public Path certificateFile() {
        return root.resolve("tls.crt");
    }

    public Path keyFile() {
        return root.resolve("tls.key");
    }

    public void write(String certificatePem, String keyPem) throws IOException {
        Path next = root.resolve("..2026_11_22_" + GENERATION.incrementAndGet());
        Files.createDirectory(next);
        Files.writeString(next.resolve("tls.crt"), certificatePem);
        Files.writeString(next.resolve("tls.key"), keyPem);
        Path tmp = root.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, next.getFileName());
        Files.move(tmp, root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String file : new String[] {"tls.crt", "tls.key"}) {
            if (!Files.exists(root.resolve(file), LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(root.resolve(file), Path.of("..data", file));
            }
        }
        if (currentDir != null) {
            try (var old = Files.walk(currentDir)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        currentDir = next;
    }

    public void write(TestPki.Issued issued) throws IOException {
        write(issued.certificatePem(), issued.keyPem());
    }
}
