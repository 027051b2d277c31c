package dev.routecert.cli.output;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** How the formats that CI systems read name a file: relative to the working directory, with '/'. */
final class Paths {

    private Paths() {}

    /** The file relative to the working directory when it lies below it, else as given; null for stdin. */
    static String relative(String file) {
        if (file.equals(CheckedObject.STDIN)) {
            return null;
        }
        try {
            Path cwd = Path.of("").toAbsolutePath().normalize();
            Path p = Path.of(file).toAbsolutePath().normalize();
            Path shown = p.startsWith(cwd) ? cwd.relativize(p) : p;
            return shown.toString().replace('\\', '/');
        } catch (InvalidPathException e) {
            return file;
        }
    }

    /** The file as a URI reference: relative below the working directory, else a file: URI. */
    static String uri(String file) {
        String rel = relative(file);
        if (rel == null) {
            return null;
        }
        if (rel.startsWith("/")) {
            return Path.of(rel).toUri().toString();
        }
        try {
            return new URI(null, null, rel, null).toString();
        } catch (URISyntaxException e) {
            return rel;
        }
    }
}
