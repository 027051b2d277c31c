package dev.routecert.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.cli.output.CheckReport;
import dev.routecert.cli.output.CheckedObject;
import dev.routecert.cli.output.GithubReport;
import dev.routecert.cli.output.JsonReport;
import dev.routecert.cli.output.JunitReport;
import dev.routecert.cli.output.LocatingParser;
import dev.routecert.cli.output.Locations;
import dev.routecert.cli.output.SarifReport;
import dev.routecert.config.CertificateOptions;
import dev.routecert.config.Durations;
import dev.routecert.config.PolicyFileSource;
import dev.routecert.config.ServeConfig;
import dev.routecert.policy.NamespaceRules;
import dev.routecert.policy.PlannedCertificate;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.ScopedVerdict;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.Violation;
import dev.routecert.policy.scope.DocumentFacts;
import dev.routecert.policy.scope.ScopeFacts;
import dev.routecert.policy.scope.ScopeSettings;
import dev.routecert.policy.settings.PolicySettings;
import dev.routecert.policy.settings.PolicySnapshot;
import dev.routecert.routes.RouteKind;
import dev.routecert.webhook.NamespacePolicies;
import dev.routecert.webhook.PolicySharedHosts;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code routecert check}: runs the admission policy over manifests on disk, without a cluster, so a
 * person or a CI job sees the same verdict {@code kubectl apply} would get.
 */
@Command(
        name = "check",
        description =
                "Checks Ingress, Traefik IngressRoute and IngressRouteTCP manifests with the same policy as the admission "
                        + "webhook (served host names against TLS names, rule syntax, cert-manager annotations) and shows the "
                        + "Certificate each object needs. Reads every document of a file: YAML documents, kind: List, JSON values one after "
                        + "another or separated by '---'. A directory is always read recursively (-R is accepted and changes nothing); "
                        + "'-' reads standard input. Each object is located by file and line.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every object is allowed",
            "1:at least one object is denied",
            "2:an input could not be read, or an option or the policy file is invalid"
        })
public final class CheckCommand implements Callable<Integer> {

    static final int ALLOWED = 0;
    static final int DENIED = 1;
    static final int UNREADABLE = 2;

    @Parameters(
            arity = "1..*",
            paramLabel = "FILE",
            description =
                    "Manifest files or directories to check. A directory's *.yaml, *.yml and *.json files are read "
                            + "recursively, sorted by name; hidden entries and symbolic links to directories are skipped. "
                            + "'-' reads standard input.")
    List<String> files = new ArrayList<>();

    @Mixin
    PolicyOptions policy;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "text|json|sarif|junit|github",
            defaultValue = "${env:ROUTECERT_OUTPUT:-text}",
            description = "Output format: text for people, json (one object with a schema version, a summary and an "
                    + "entry per object), sarif (SARIF 2.1.0 for code scanning), junit (JUnit XML test report) or github "
                    + "(GitHub Actions annotations). Env ROUTECERT_OUTPUT, default: ${DEFAULT-VALUE}.")
    String output;

    @Option(
            names = {"-q", "--quiet"},
            defaultValue = "${env:ROUTECERT_QUIET:-false}",
            description = "Only problems: leave out objects that are allowed without a warning or not checked, and "
                    + "text's summary line; json keeps its summary (env ROUTECERT_QUIET, default: ${DEFAULT-VALUE}).")
    boolean quiet;

    @Option(
            names = "--checks-url",
            paramLabel = "URL",
            defaultValue = "${env:ROUTECERT_CHECKS_URL:-}",
            description =
                    "Where the checks page of routecert's docs is published (https://.../checks.html): sarif then "
                            + "gives each rule a helpUri at its check's anchor. Env ROUTECERT_CHECKS_URL, default: none.")
    String checksUrl;

    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            description =
                    "Also run the checks that need the cluster, read-only (one list per kind, a metadata-only GET "
                            + "per referenced Secret, no writes): Traefik TLSOptions and TLSStores, IngressClasses, Middlewares, "
                            + "issuers, existing Certificates, the Secrets' certificate health, host ownership and, with "
                            + "--policy-file, the Namespaces' labels, as admission would decide them. Unset: no cluster is read. Env ROUTECERT_CHECK_KUBECONFIG.",
            defaultValue = "${env:ROUTECERT_CHECK_KUBECONFIG}")
    Path kubeconfig;

    @Option(
            names = "--claims-namespace",
            paramLabel = "NAMESPACE",
            defaultValue = "${env:ROUTECERT_CLAIMS_NAMESPACE:-routecert}",
            description = "With --kubeconfig: the namespace of routecert's host claims (serve's --claims-namespace), "
                    + "which host ownership reads (env ROUTECERT_CLAIMS_NAMESPACE, default ${DEFAULT-VALUE}).")
    String claimsNamespace;

    @Option(
            names = "--expiry-warning",
            paramLabel = "DURATION",
            defaultValue = "${env:ROUTECERT_EXPIRY_WARNING:-336h}",
            description = "With --kubeconfig: warn when a certificate a route serves expires within this long (serve's "
                    + "--expiry-warning; env ROUTECERT_EXPIRY_WARNING, default ${DEFAULT-VALUE}, 14 days).")
    // read as text and parsed only with --kubeconfig: picocli converts an env default on every run,
    // and an offline check must not fail on a setting it does not use
    String expiryWarning;

    @Option(
            names = "--context",
            paramLabel = "NAME",
            defaultValue = "${env:ROUTECERT_CONTEXT:-}",
            description =
                    "The kubeconfig context for --kubeconfig (env ROUTECERT_CONTEXT, default: its current context).")
    String context;

    @Option(
            names = {"-R", "--recursive"},
            description = "Accepted for kubectl's habit; directories are always read recursively.")
    boolean recursive;

    @Option(
            names = {"-n", "--namespace"},
            paramLabel = "NAMESPACE",
            defaultValue = "${env:ROUTECERT_NAMESPACE:-default}",
            description =
                    "Namespace for objects without metadata.namespace (env ROUTECERT_NAMESPACE, default: ${DEFAULT-VALUE}).")
    String namespace;

    @Spec
    CommandSpec spec;

    private final InputStream stdin;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();

    /** One object found in the input and where it came from. */
    private record Found(String source, int document, JsonNode object, Locations at) {}

    /** One document of an input and where it stands. */
    private record Doc(JsonNode node, Locations at) {}

    public CheckCommand() {
        this(System.in);
    }

    CheckCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        PolicyConfig config = policy.config();
        String format = output.trim().toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--output': '" + output + "' (use " + String.join(", ", FORMATS) + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String checksProblem = checksUrlProblem(checksUrl);
        if (checksProblem != null) {
            err.println("error: --checks-url: " + checksProblem);
            err.flush();
            return UNREADABLE;
        }
        if (kubeconfig == null && !context.isBlank()) {
            err.println("error: --context needs --kubeconfig");
            err.flush();
            return UNREADABLE;
        }
        Duration window = null;
        if (kubeconfig != null) {
            // serve's own rules, and only with a cluster: offline the options are not used
            List<String> clusterProblems = new ArrayList<>();
            CertificateOptions.claimsNamespaceProblem(claimsNamespace).ifPresent(clusterProblems::add);
            try {
                window = Durations.parse(expiryWarning);
                ServeConfig.expiryWarningProblem(window).ifPresent(clusterProblems::add);
            } catch (IllegalArgumentException e) {
                clusterProblems.add("--expiry-warning: " + e.getMessage());
            }
            if (!clusterProblems.isEmpty()) {
                clusterProblems.forEach(p -> err.println("error: " + p));
                err.flush();
                return UNREADABLE;
            }
        }
        Path policyFile = policy.policyFile();
        PolicySnapshot snapshot = PolicySnapshot.DEFAULTS;
        if (policyFile != null) {
            // the same reading as serve's start-up: a file serve would refuse is refused here
            PolicySettings.Parsed parsed = PolicyFileSource.read(policyFile);
            if (!parsed.ok()) {
                parsed.problems().forEach(p -> err.println("error: --policy-file " + policyFile + ": " + p));
                err.flush();
                return UNREADABLE;
            }
            snapshot = new PolicySnapshot(parsed.settings(), "", policyFile.toString());
        }

        boolean unreadable = false;
        List<String> inputErrors = new ArrayList<>();
        List<Found> objects = new ArrayList<>();
        for (String arg : files) {
            List<String> problems = new ArrayList<>();
            List<String> inputs = inputs(arg, problems);
            for (String problem : problems) {
                err.println(problem);
                inputErrors.add(problem);
                unreadable |= problem.startsWith("error:");
            }
            for (String file : inputs) {
                try {
                    objects.addAll(read(file));
                } catch (InputProblem e) {
                    // one bad file is reported, and the others are still checked
                    err.println("error: " + e.getMessage());
                    inputErrors.add("error: " + e.getMessage());
                    unreadable = true;
                }
            }
        }

        ScopeSettings scope = policy.scope();
        if (!scope.problems().isEmpty()) {
            scope.problems().forEach(problem -> err.println("error: " + problem));
            err.flush();
            return UNREADABLE;
        }
        // the IngressClass and Middleware documents of the input are the cluster check judges against
        List<JsonNode> factObjects =
                new ArrayList<>(objects.stream().map(Found::object).toList());
        // as serve resolves the policy file per namespace: from the labels of the input's Namespace
        // documents, and with --kubeconfig the cluster's for the namespaces the input does not define
        PolicySnapshot inForce = snapshot;
        Map<String, Map<String, String>> labels = namespaceLabels(objects);
        // the cluster's classes are loaded only on this path
        CheckCluster cluster = null;
        if (kubeconfig != null) {
            try {
                cluster = CheckCluster.read(
                        kubeconfig,
                        context,
                        new CheckCluster.Settings(
                                claimsNamespace.strip(),
                                new PolicySharedHosts(() -> inForce, ns -> labels.getOrDefault(ns, Map.of())),
                                config.defaultSyntax(),
                                window,
                                policyFile != null));
            } catch (IOException e) {
                err.println("error: " + e.getMessage());
                err.flush();
                return UNREADABLE;
            }
            factObjects.addAll(cluster.facts());
            // the input's Namespace wins: applying the input gives the namespace those labels, and
            // admission judges the routes after it by them; the lookups above read this map when judging
            cluster.namespaceLabels().forEach(labels::putIfAbsent);
        }
        try (CheckCluster closing = cluster) {
            return judge(
                    config, scope, factObjects, inForce, labels, objects, cluster, inputErrors, unreadable, format);
        }
    }

    private int judge(
            PolicyConfig config,
            ScopeSettings scope,
            List<JsonNode> factObjects,
            PolicySnapshot inForce,
            Map<String, Map<String, String>> labels,
            List<Found> objects,
            CheckCluster cluster,
            List<String> inputErrors,
            boolean unreadable,
            String format) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ScopeFacts facts = DocumentFacts.of(factObjects, namespace);
        RoutePolicy policy = new RoutePolicy(config, scope, facts, (NamespaceRules.Source)
                new NamespacePolicies(() -> inForce, ns -> labels.getOrDefault(ns, Map.of())));
        List<CheckedObject> checked = new ArrayList<>();
        int denied = 0;
        int allowed = 0;
        int skipped = 0;
        int outOfScope = 0;
        for (Found f : objects) {
            PolicyRequest request = PolicyRequest.create(f.object(), namespace);
            boolean handled = RouteKind.of(request.group(), request.version(), request.kind())
                    .isPresent();
            ScopedVerdict judged = policy.judge(request);
            Verdict verdict = judged.verdict();
            if (cluster != null && handled) {
                verdict = cluster.admit(request, f.object(), judged);
            }
            // an opted-out object that host ownership denies is denied, as admission denies it
            boolean deniedByCluster = judged.verdict().allowed() && !verdict.allowed();
            String skippedWhy = judged.skipped() && !deniedByCluster ? skipReason(judged) : null;
            if (!handled) {
                skipped++;
            } else if (skippedWhy != null) {
                outOfScope++;
            } else if (verdict.allowed()) {
                allowed++;
            } else {
                denied++;
            }
            if (format.equals("text") && (!quiet || (handled && skippedWhy == null && hasProblems(verdict)))) {
                printText(out, f, request, handled, verdict, skippedWhy);
            }
            checked.add(checkedObject(f, request, handled, verdict, skippedWhy));
        }
        int exit = unreadable ? UNREADABLE : denied > 0 ? DENIED : ALLOWED;
        List<String> clusterChecks = cluster == null ? List.of() : cluster.ran();
        if (cluster != null) {
            // a check the kubeconfig's user may not read for is said, never silently passed
            for (String notice : cluster.notices()) {
                err.println(notice);
                inputErrors.add(notice);
            }
        }
        CheckReport report = new CheckReport(checked, inputErrors, exit, clusterChecks);
        switch (format) {
            case "json" -> JsonReport.write(report, quiet, out);
            case "sarif" -> SarifReport.write(report, Main.version(), checksUrl.trim(), out);
            case "junit" -> JunitReport.write(report, quiet, out);
            case "github" -> GithubReport.write(report, quiet, out);
            default -> {
                if (!quiet) {
                    if (cluster != null) {
                        out.println("cluster checks: "
                                + (clusterChecks.isEmpty()
                                        ? "none (no kind they read is served)"
                                        : String.join(", ", clusterChecks)));
                    }
                    summaryLine(out, objects.size(), allowed, denied, skipped, outOfScope);
                }
            }
        }
        out.flush();
        err.flush();
        return exit;
    }

    /** Why {@code url} cannot be the checks page (an absolute http or https URL without a fragment), or null. */
    static String checksUrlProblem(String url) {
        if (url.isBlank()) {
            return null;
        }
        try {
            URI u = new URI(url.trim());
            if (!u.isAbsolute()
                    || !("https".equalsIgnoreCase(u.getScheme()) || "http".equalsIgnoreCase(u.getScheme()))
                    || u.getHost() == null) {
                return "'" + url + "' is not an absolute http(s) URL";
            }
            if (u.getFragment() != null) {
                return "'" + url + "' has a '#' part; give the page, each check's anchor is added";
            }
            return null;
        } catch (URISyntaxException e) {
            return "'" + url + "' is not a URL: " + e.getReason();
        }
    }

    static final List<String> FORMATS = List.of("text", "json", "sarif", "junit", "github");

    private static boolean hasProblems(Verdict v) {
        return !v.allowed() || !v.warnings().isEmpty();
    }

    private static CheckedObject checkedObject(
            Found f, PolicyRequest r, boolean handled, Verdict v, String skippedWhy) {
        JsonNode name = f.object().path("metadata").path("name");
        String apiVersion = f.object().path("apiVersion").asText("");
        String why = skippedWhy;
        if (!handled) {
            why = "routecert does not check "
                    + (apiVersion.isEmpty() ? "" : apiVersion + " ")
                    + (r.kind().isEmpty() ? "objects without a kind" : r.kind());
        }
        return new CheckedObject(
                f.source(),
                f.document(),
                f.at(),
                f.object(),
                apiVersion,
                r.kind(),
                r.namespace(),
                name.isTextual() ? name.asText() : null,
                why,
                v);
    }

    private static void summaryLine(PrintWriter out, int size, int allowed, int denied, int skipped, int outOfScope) {
        out.printf(
                "checked %d object%s: %d allowed, %d denied%s%n",
                size,
                size == 1 ? "" : "s",
                allowed,
                denied,
                (skipped > 0 ? ", " + skipped + " not checked (other kinds)" : "")
                        + (outOfScope > 0 ? ", " + outOfScope + " skipped (out of scope or opted out)" : ""));
    }

    /** An input that was read but is not a manifest. */
    private static final class InputProblem extends Exception {
        InputProblem(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The inputs an argument names: itself, or for a directory every {@code *.yaml}, {@code *.yml} and
     * {@code *.json} file below it, sorted by name at each level. Hidden files and directories are
     * skipped, and so are symbolic links to directories: a link cannot lead the walk in a loop or out of
     * the tree. A link to a file is read.
     */
    private static List<String> inputs(String arg, List<String> problems) {
        if (arg.equals("-")) {
            return List.of(arg);
        }
        Path p = Path.of(arg);
        if (!Files.isDirectory(p)) {
            return List.of(arg);
        }
        List<String> found = new ArrayList<>();
        walk(p, found, problems);
        if (found.isEmpty() && problems.isEmpty()) {
            problems.add("warning: " + arg + " holds no *.yaml, *.yml or *.json file");
        }
        return found;
    }

    private static void walk(Path dir, List<String> found, List<String> problems) {
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.sorted(Comparator.comparing(e -> e.getFileName().toString()))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            problems.add("error: cannot read directory " + dir + ": " + reason(e));
            return;
        }
        for (Path e : entries) {
            String name = e.getFileName().toString();
            if (name.startsWith(".") || (Files.isSymbolicLink(e) && Files.isDirectory(e))) {
                continue;
            }
            if (Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
                walk(e, found, problems);
            } else if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) {
                found.add(e.toString());
            }
        }
    }

    private static String reason(Exception e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        return cause instanceof NoSuchFileException
                ? "no such file"
                : cause instanceof AccessDeniedException ? "permission denied" : String.valueOf(cause.getMessage());
    }

    private List<Found> read(String file) throws InputProblem {
        String source = file.equals("-") ? "<stdin>" : file;
        String text;
        try {
            if (file.equals("-")) {
                text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            } else {
                Path p = Path.of(file);
                if (!Files.isRegularFile(p)) {
                    throw new InputProblem("cannot read " + file + ": no such file");
                }
                text = Files.readString(p, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new InputProblem("cannot read " + source + ": " + reason(e));
        }
        List<Doc> docs = documents(source, text.toCharArray());
        List<Found> found = new ArrayList<>();
        int n = 0;
        for (Doc d : docs) {
            JsonNode doc = d.node();
            n++;
            if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
                continue; // an empty document between '---' lines
            }
            if (!doc.isObject()) {
                throw new InputProblem(source + " document " + n + " is not an object but "
                        + doc.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            if (doc.path("kind").asText("").endsWith("List")
                    && doc.path("items").isArray()) {
                int i = 0;
                for (JsonNode item : doc.get("items")) {
                    if (item.isObject()) {
                        found.add(new Found(source, n, item, d.at().within("/items/" + i)));
                    }
                    i++;
                }
            } else {
                found.add(new Found(source, n, doc, d.at()));
            }
        }
        return found;
    }

    /**
     * Every document of one input, in order. JSON values are read while they parse, one after another
     * (a top-level array gives each element as a document); from where the last one ended, the rest is
     * read as YAML documents, which covers JSON or YAML separated by {@code ---}. The parsers find every
     * boundary: the text is never split by hand.
     */
    private static List<Doc> documents(String source, char[] text) throws InputProblem {
        List<Doc> docs = new ArrayList<>();
        List<String> lines = List.of(new String(text).split("\n", -1));
        int rest = 0;
        int restLine = 1;
        if (startsWithJson(text)) {
            try (LocatingParser parser = new LocatingParser(JSON.getFactory().createParser(text), 1, lines);
                    MappingIterator<JsonNode> it =
                            JSON.readerFor(JsonNode.class).readValues(parser)) {
                while (it.hasNextValue()) {
                    JsonNode value = it.nextValue();
                    if (value != null && value.isArray()) {
                        for (int i = 0; i < value.size(); i++) {
                            docs.add(new Doc(value.get(i), parser.element(i)));
                        }
                    } else {
                        docs.add(new Doc(value, parser.last()));
                    }
                    JsonLocation end = parser.currentLocation();
                    rest = (int) end.getCharOffset();
                    restLine = end.getLineNr();
                }
            } catch (IOException | RuntimeException notJson) {
                // a '---', a YAML document or a broken value: the YAML reader goes on from the last value's end
            }
        }
        if (rest >= text.length) {
            return docs;
        }
        try (LocatingParser parser = new LocatingParser(
                        YAML.getFactory().createParser(text, rest, text.length - rest), restLine, lines);
                MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class)) {
            while (it.hasNextValue()) {
                JsonNode value = it.nextValue();
                docs.add(new Doc(value, parser.last()));
            }
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            // the YAML reader counts lines from where it started; SnakeYAML's own marks would too, so
            // they are left out of the message
            String why = e.getCause() instanceof MarkedYAMLException m
                    ? (m.getContext() == null ? "" : m.getContext() + ": ") + m.getProblem()
                    : e.getOriginalMessage();
            throw new InputProblem(source + " is not valid YAML or JSON"
                    + (loc == null ? "" : " (line " + (restLine + loc.getLineNr() - 1) + ")") + ": " + why);
        } catch (IOException | RuntimeException e) {
            // the YAML reader wraps some parse failures in unchecked exceptions
            throw new InputProblem(source + " is not valid YAML or JSON: " + e.getMessage());
        }
        return docs;
    }

    private static boolean startsWithJson(char[] text) {
        for (char c : text) {
            if (!Character.isWhitespace(c)) {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    private static String describe(Found f, PolicyRequest r) {
        JsonNode meta = f.object().path("metadata");
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            name = meta.path("generateName").asText("(unnamed)") + "*";
        }
        String kind = r.kind().isEmpty() ? "(no kind)" : r.kind();
        return kind + " " + r.namespace() + "/" + name + " (" + f.source() + ", document " + f.document() + ")";
    }

    /** The labels of each {@code v1 Namespace} document in the input, by its name. */
    static Map<String, Map<String, String>> namespaceLabels(List<Found> objects) {
        Map<String, Map<String, String>> labels = new HashMap<>();
        for (Found f : objects) {
            JsonNode o = f.object();
            if (!"v1".equals(o.path("apiVersion").asText())
                    || !"Namespace".equals(o.path("kind").asText())) {
                continue;
            }
            String name = o.path("metadata").path("name").asText("");
            Map<String, String> own = new HashMap<>();
            o.path("metadata").path("labels").properties().forEach(e -> {
                if (e.getValue().isTextual()) {
                    own.put(e.getKey(), e.getValue().asText());
                }
            });
            if (!name.isEmpty()) {
                labels.put(name, Map.copyOf(own));
            }
        }
        return labels;
    }

    private static String skipReason(ScopedVerdict judged) {
        return switch (judged.status()) {
            case OUT_OF_SCOPE -> "out of scope: " + judged.why();
            case OPTED_OUT -> "opted out: " + judged.why();
            case CHECKED -> null;
        };
    }

    private static void printText(
            PrintWriter out, Found f, PolicyRequest r, boolean handled, Verdict v, String skippedWhy) {
        if (handled && skippedWhy != null) {
            out.println(describe(f, r) + ": SKIPPED - " + skippedWhy);
            out.println();
            return;
        }
        if (!handled) {
            String apiVersion = f.object().path("apiVersion").asText("");
            out.println(describe(f, r) + ": SKIPPED - routecert does not check "
                    + (apiVersion.isEmpty() ? "" : apiVersion + " ")
                    + (r.kind().isEmpty() ? "objects without a kind" : r.kind()));
            out.println();
            return;
        }
        out.println(describe(f, r) + ": " + v.outcome());
        if (!v.violations().isEmpty()) {
            out.println("  violations:");
            for (Violation x : v.violations()) {
                out.println("    - " + x.describe());
            }
        }
        list(out, "warnings", v.warnings());
        // audit findings admit the object, but check lists everything it found
        list(out, "audit", v.audit().stream().map(Violation::describe).toList());
        list(out, "notes", v.notes());
        if (v.patch() != null) {
            out.println("  patch: " + v.patch());
        }
        for (PlannedCertificate c : v.certificates()) {
            out.println("  certificate:");
            try {
                for (String line : YAML.writeValueAsString(c.toCertificate()).split("\n")) {
                    out.println("    " + line);
                }
            } catch (JsonProcessingException e) {
                out.println("    " + c.toCertificate());
            }
        }
        out.println();
    }

    private static void list(PrintWriter out, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        out.println("  " + title + ":");
        items.forEach(i -> out.println("    - " + i));
    }
}
