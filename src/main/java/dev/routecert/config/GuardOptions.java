package dev.routecert.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who may reach routecert and where it may write: the namespaces excluded from everything
 * ({@code --excluded-namespaces}, {@code --exempt-namespace-label}, the same as the webhook
 * registration's namespaceSelector) and the CA bundle that callers' client certificates must
 * chain to ({@code --client-ca-file}; null: no client certificate asked for).
 */
public record GuardOptions(List<String> excludedNamespaces, String exemptNamespaceLabel, Path clientCaFile) {

    /** The namespaces manifests/webhook.yaml excludes by name. */
    public static final List<String> DEFAULT_EXCLUDED_NAMESPACES = List.of("kube-system", "cert-manager", "routecert");

    /** The label whose presence manifests/webhook.yaml excludes a namespace by. */
    public static final String DEFAULT_EXEMPT_NAMESPACE_LABEL = "routecert.dev/exempt";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public GuardOptions {
        excludedNamespaces = List.copyOf(excludedNamespaces);
    }

    public static GuardOptions defaults() {
        return new GuardOptions(DEFAULT_EXCLUDED_NAMESPACES, DEFAULT_EXEMPT_NAMESPACE_LABEL, null);
    }

    public GuardOptions withClientCaFile(Path file) {
        return new GuardOptions(excludedNamespaces, exemptNamespaceLabel, file);
    }

    /** Every problem, each naming its option. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (String name : excludedNamespaces) {
            if (!DNS_LABEL.matcher(name).matches()) {
                problems.add("--excluded-namespaces: \"" + name + "\" is not a namespace name (a DNS label)");
            }
        }
        if (!exemptNamespaceLabel.isEmpty() && !isLabelKey(exemptNamespaceLabel)) {
            problems.add("--exempt-namespace-label: \"" + exemptNamespaceLabel
                    + "\" is not a label key ([prefix/]name, e.g. routecert.dev/exempt)");
        }
        if (clientCaFile != null && !clientCaFile.toFile().isFile()) {
            problems.add("--client-ca-file: file " + clientCaFile + " does not exist");
        }
        return problems;
    }

    static boolean isLabelKey(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty()
                    || prefix.length() > 253
                    || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return false;
            }
        }
        return LABEL_NAME.matcher(name).matches();
    }
}
