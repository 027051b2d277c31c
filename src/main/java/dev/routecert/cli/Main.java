package dev.routecert.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The {@code routecert} command line: composition root for every subcommand. */
@Command(
        name = "routecert",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Checks that the hosts an Ingress, Traefik IngressRoute or IngressRouteTCP serves match the names its"
                    + " TLS covers, and creates the cert-manager Certificate it needs, at kubectl apply time."
        },
        subcommands = {
            ServeCommand.class,
            CheckCommand.class,
            StatusCommand.class,
            WarmupCommand.class,
            HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.exit(code);
    }

    /** The configured command line; tests drive it exactly as the jar does. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
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
