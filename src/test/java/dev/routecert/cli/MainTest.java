package dev.routecert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up path: a run builds only the subcommand it names, so check loads no server or cluster code. */
class MainTest {

    @TempDir
    Path dir;

    @Test
    void aRunThatNamesASubcommandBuildsOnlyThatOne() {
        assertEquals(
                List.of("check"),
                List.copyOf(
                        Main.commandLine("check", "route.yaml").getSubcommands().keySet()));
        assertEquals(
                List.of("serve"),
                List.copyOf(Main.commandLine("serve", "--kubernetes=off")
                        .getSubcommands()
                        .keySet()));
    }

    @Test
    void helpVersionAndMistakesBuildEverySubcommandSoThatTheyCanBeListed() {
        for (String[] args : List.of(
                new String[] {}, new String[] {"--help"}, new String[] {"help", "check"}, new String[] {"chekc"})) {
            assertEquals(
                    Main.COMMANDS,
                    List.copyOf(Main.commandLine(args).getSubcommands().keySet()),
                    List.of(args).toString());
        }
        assertEquals(
                Main.COMMANDS, List.copyOf(Main.commandLine().getSubcommands().keySet()));
        CliRun unknown = CliRun.of("chekc");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("check"), unknown.err());
    }

    @Test
    void aLeanCommandLineKeepsTheParserSettings() {
        // enum values in any case, as with every subcommand built: picocli rejects "oFf" otherwise
        String[] args = {"serve", "--kubernetes=oFf"};
        assertTrue(Main.commandLine(args).parseArgs(args).hasSubcommand());
    }

    /** check of a file in a JVM of its own, as the jar runs it: none of the server's or the cluster client's classes load. */
    @Test
    void checkLoadsNoServerOrClusterClasses() throws Exception {
        Path route = dir.resolve("route.yaml");
        Files.writeString(route, """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: default}
                spec:
                  tls: [{hosts: [www.example.com], secretName: web-tls}]
                  rules: [{host: www.example.com}]
                """);
        Path classes = dir.resolve("classes.log");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xlog:class+load:file=" + classes,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "check",
                route.toString()));
        Process check = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile())
                .start();
        assertTrue(check.waitFor(60, TimeUnit.SECONDS));
        String out = Files.readString(dir.resolve("out.log"));
        assertEquals(0, check.exitValue(), out);
        assertTrue(out.contains("1 allowed, 0 denied"), out);
        List<String> loaded = Files.readAllLines(classes);
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" picocli.CommandLine ")), "the log lists classes");
        for (String prefix : List.of(
                " io.javalin.",
                " org.eclipse.jetty.",
                " io.fabric8.",
                " io.prometheus.",
                " org.bouncycastle.",
                " dev.routecert.cli.ServeCommand ",
                " dev.routecert.cli.StatusCommand ",
                " dev.routecert.cli.WarmupCommand ")) {
            assertFalse(
                    loaded.stream().anyMatch(l -> l.contains(prefix)),
                    prefix.strip() + " loaded by check: "
                            + loaded.stream()
                                    .filter(l -> l.contains(prefix))
                                    .findFirst()
                                    .orElse(""));
        }
    }

    @Test
    void jettysPaddingHintMatchesASmallHeap() {
        // the test JVM's heap is far below 32 GiB: compressed references, 16 to a 64-byte line
        assertEquals(16, Main.referencesPerCacheLine());
    }
}
