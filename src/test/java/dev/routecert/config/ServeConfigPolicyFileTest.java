package dev.routecert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.routecert.http.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeConfigPolicyFileTest {

    @Test
    void aValidPolicyFileAndIntervalAreNoProblem(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("p.yaml"), "apiVersion: routecert.dev/v1alpha1\nkind: Policy\n");
        ServeConfig config = TestServer.defaults().toBuilder()
                .policyFile(file, Duration.ofSeconds(1))
                .build();
        assertEquals(List.of(), config.problems());
        assertEquals(List.of(), TestServer.defaults().problems(), "no policy file is no problem");
    }

    @Test
    void everyProblemOfThePolicyFileIsAConfigurationProblem(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("p.yaml"), "apiVersion: v1\nkind: ConfigMap\n");
        ServeConfig config = TestServer.defaults().toBuilder()
                .policyFile(file, Duration.ofMillis(1))
                .build();
        assertEquals(
                List.of(
                        "--policy-reload-interval must be at least 10ms, got 1ms",
                        "--policy-file " + file + ": apiVersion: must be routecert.dev/v1alpha1, got \"v1\"",
                        "--policy-file " + file + ": kind: must be Policy, got \"ConfigMap\""),
                config.problems());
    }
}
