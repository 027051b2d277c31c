package dev.routecert.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * The {@code routecert} command line: composition root for every subcommand.
 *
 * <p>A run builds only the subcommand it names: picocli reads every option of every subcommand it
 * is given, and serve's options name the server's and the cluster's types, so {@code check} would
 * otherwise load classes it never uses and pay for that on every start.
 */
@Command(
        name = "routecert",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Checks that the hosts an Ingress, Traefik IngressRoute or IngressRouteTCP serves match the names its"
                    + " TLS covers, and creates the cert-manager Certificate it needs, at kubectl apply time."
        })
public final class Main implements Runnable {

    /** The subcommands, in the order the help lists them. */
    static final List<String> COMMANDS = List.of("serve", "check", "status", "warmup", "help");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Jetty's padding hint: how many object references fill a 64-byte cache line. */
    static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    public static void main(String[] args) {
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, Integer.toString(referencesPerCacheLine()));
        }
        int code = commandLine(args).execute(args);
        System.exit(code);
    }

    /**
     * Without the property, Jetty asks the platform MBean server whether references are compressed,
     * which starts JMX (hundreds of classes) on the path to ready. The JVM compresses them for a heap
     * under 32 GiB; a wrong guess would only cost padding, never correctness.
     */
    static int referencesPerCacheLine() {
        return Runtime.getRuntime().maxMemory() < 32L * 1024 * 1024 * 1024 ? 16 : 8;
    }

    /** The configured command line with every subcommand; tests drive it exactly as the jar does. */
    public static CommandLine commandLine() {
        return commandLine(COMMANDS);
    }

    /**
     * The command line for these arguments: when the first one names a subcommand, only that one is
     * built; otherwise (help, version, a mistake) all of them, so the help and the errors list them.
     */
    static CommandLine commandLine(String... args) {
        if (args.length > 0 && !args[0].equals("help") && COMMANDS.contains(args[0])) {
            return commandLine(List.of(args[0]));
        }
        return commandLine(COMMANDS);
    }

    private static CommandLine commandLine(List<String> names) {
        CommandLine line = new CommandLine(new Main());
        for (String name : names) {
            line.addSubcommand(name, subcommand(name));
        }
        // after the subcommands are added: picocli applies a parser setting to those it has
        return line.setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** One subcommand, constructed by name so that the others' classes are never loaded. */
    private static Object subcommand(String name) {
        return switch (name) {
            case "serve" -> new ServeCommand();
            case "check" -> new CheckCommand();
            case "status" -> new StatusCommand();
            case "warmup" -> new WarmupCommand();
            case "help" -> new HelpCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (try: routecert serve)");
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"routecert " + version()};
        }
    }
}
