package dev.routecert.cli;

import dev.routecert.certificates.ClusterHealthFacts;
import dev.routecert.cluster.ClusterConnection;
import dev.routecert.config.Durations;
import dev.routecert.policy.NamespaceRules;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.scope.ScopeFacts;
import dev.routecert.time.Clock;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code routecert status}: the certificate health of the routes in a live cluster, read-only, with
 * the words of the warnings {@code kubectl apply} prints. One list per resource, no informers.
 */
@Command(
        name = "status",
        description = "Lists the routes of a live cluster whose certificates are unhealthy: a Certificate that is not "
                + "Ready, failing to renew or expiring within --expiry-warning, a Secret whose certificate does not "
                + "cover the served names (from cert-manager's annotations on it, never its data), a Secret nothing will "
                + "create. Reads only: lists routes, Certificates and Secrets' metadata.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every route's certificates are healthy",
            "1:at least one route's certificates are unhealthy",
            "2:the cluster could not be read, or an option is invalid"
        })
public final class StatusCommand implements Callable<Integer> {

    static final int HEALTHY = 0;
    static final int UNHEALTHY = 1;
    static final int ERROR = 2;

    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            defaultValue = "${env:ROUTECERT_KUBECONFIG}",
            description = "kubeconfig to use (env ROUTECERT_KUBECONFIG); unset: in-cluster service account, else "
                    + "KUBECONFIG, else ~/.kube/config, as kubectl.")
    Path kubeconfig;

    @Option(
            names = {"-n", "--namespace"},
            paramLabel = "NAMESPACE",
            defaultValue = "${env:ROUTECERT_NAMESPACE}",
            description = "Only this namespace (env ROUTECERT_NAMESPACE); unset: every namespace.")
    String namespace;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "text|json",
            defaultValue = "${env:ROUTECERT_OUTPUT:-text}",
            description = "Output format (env ROUTECERT_OUTPUT, default: ${DEFAULT-VALUE}).")
    String output;

    @Option(
            names = "--expiry-warning",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            defaultValue = "${env:ROUTECERT_EXPIRY_WARNING:-336h}",
            description = "A certificate expiring within this long is unhealthy, as serve's option "
                    + "(env ROUTECERT_EXPIRY_WARNING, default ${DEFAULT-VALUE}).")
    Duration expiryWarning;

    @Mixin
    PolicyOptions policy;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!"text".equals(output) && !"json".equals(output)) {
            err.println("routecert status: --output must be text or json, got '" + output + "'");
            return ERROR;
        }
        if (expiryWarning.isNegative() || expiryWarning.isZero()) {
            err.println("routecert status: --expiry-warning must be positive, got " + Durations.format(expiryWarning));
            return ERROR;
        }
        if (policy.policyFile() != null) {
            err.println("routecert status: --policy-file does not apply; the default issuer options tell which"
                    + " Secrets routecert itself creates Certificates for");
            return ERROR;
        }
        // no IngressClass is read: classless objects follow --scope-unclassed, as in check without one
        RoutePolicy routePolicy =
                new RoutePolicy(policy.config(), policy.scope(), ScopeFacts.NONE, NamespaceRules.Source.DEFAULT);
        String ns = namespace == null || namespace.isBlank() ? null : namespace.strip();
        ClusterHealthFacts facts;
        try (KubernetesClient client = ClusterConnection.commandLineClient(kubeconfig, null)) {
            facts = ClusterHealthFacts.read(client, ns);
        } catch (IOException | ClusterHealthFacts.ReadFailure | RuntimeException e) {
            err.println("routecert status: " + e.getMessage());
            return ERROR;
        }
        StatusReport report = StatusReport.of(facts, routePolicy, Clock.system().instant(), expiryWarning);
        out.print("json".equals(output) ? report.json() : report.text());
        out.flush();
        return report.unhealthy().isEmpty() ? HEALTHY : UNHEALTHY;
    }
}
