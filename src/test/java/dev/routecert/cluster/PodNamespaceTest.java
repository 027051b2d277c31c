package dev.routecert.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodNamespaceTest {

    @TempDir
    Path dir;

    @Test
    void theDownwardApisVariableFirstThenTheServiceAccountsFileElseNone() throws Exception {
        Path file = dir.resolve("namespace");
        assertEquals(Optional.empty(), PodNamespace.find(Map.of(), file));
        Files.writeString(file, "routecert-system\n");
        assertEquals(Optional.of("routecert-system"), PodNamespace.find(Map.of(), file));
        assertEquals(Optional.of("ops"), PodNamespace.find(Map.of("POD_NAMESPACE", "ops"), file));
        assertEquals(Optional.of("routecert-system"), PodNamespace.find(Map.of("POD_NAMESPACE", " "), file));
    }
}
