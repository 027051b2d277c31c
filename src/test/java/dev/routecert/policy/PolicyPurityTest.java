package dev.routecert.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The policy core stays pure: no HTTP framework, no Kubernetes client, no files, no network, no clock. */
class PolicyPurityTest {

    private static final List<String> FORBIDDEN = List.of(
            "import io.javalin",
            "import io.fabric8.kubernetes",
            "import java.nio.file",
            "import java.io.File",
            "import java.net.http",
            "import java.net.Socket",
            "import java.net.URL;",
            "import java.net.InetAddress",
            "System.currentTimeMillis",
            "Instant.now",
            "LocalDateTime.now",
            "System.getenv",
            "picocli");

    @Test
    void policyAndRoutePackagesImportNothingImpure() throws Exception {
        List<String> offences = new ArrayList<>();
        int files = 0;
        for (String pkg : List.of("src/main/java/dev/routecert/policy", "src/main/java/dev/routecert/routes")) {
            try (Stream<Path> paths = Files.walk(Path.of(pkg))) {
                for (Path p : paths.filter(x -> x.toString().endsWith(".java")).toList()) {
                    files++;
                    String text = Files.readString(p);
                    for (String bad : FORBIDDEN) {
                        if (text.contains(bad)) {
                            offences.add(p + ": " + bad);
                        }
                    }
                }
            }
        }
        assertTrue(files > 10, "the source tree was found");
        assertEquals(List.of(), offences);
    }
}
