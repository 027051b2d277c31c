package dev.routecert.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionRequest;
import dev.routecert.admission.AdmissionReviews;
import dev.routecert.admission.ApiServerReviews;
import dev.routecert.admission.ReviewRejection;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.settings.NamespacePolicy;
import dev.routecert.policy.settings.PolicySettings;
import dev.routecert.webhook.RouteAdmission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Adversarial objects at the size the API server stores, each timed against its valid twin (the same
 * shape with every name covered): through the policy alone, and through the webhook path (review
 * parsed, {@link RouteAdmission} in /mutate mode, answer written). Work proportional to size means the
 * adversarial object costs about what its twin costs per byte. Figures are printed, never asserted.
 */
final class WorstCaseBenchmark {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Nesting of each deep rule (negations and parentheses), below the parser's cap. */
    private static final int DEPTH = 60;

    /**
     * One shape: how to add its i-th element to the adversarial object and to the twin, and how to
     * write the parts that are one long string (a rule, a list annotation) for n elements at once, as
     * appending to a string element by element would take quadratic time to build.
     *
     * @param allowed whether the adversarial object is allowed (one shape attacks the defaulting, not the checks)
     */
    record Shape(
            String name,
            String description,
            boolean allowed,
            ObjectNode adversarial,
            ObjectNode twin,
            BiConsumer<ObjectNode, Integer> addAdversarial,
            BiConsumer<ObjectNode, Integer> addTwin,
            BiConsumer<ObjectNode, Integer> finishAdversarial,
            BiConsumer<ObjectNode, Integer> finishTwin) {

        Shape(
                String name,
                String description,
                boolean allowed,
                ObjectNode adversarial,
                ObjectNode twin,
                BiConsumer<ObjectNode, Integer> addAdversarial,
                BiConsumer<ObjectNode, Integer> addTwin) {
            this(name, description, allowed, adversarial, twin, addAdversarial, addTwin, (o, n) -> {}, (o, n) -> {});
        }
    }

    /** One measured shape; times are medians in nanoseconds. */
    record Result(
            Shape shape,
            int bytes,
            int violations,
            long policyAdversarial,
            long policyTwin,
            long webhookAdversarial,
            long webhookTwin,
            int answerAdversarial,
            int answerTwin,
            boolean adversarialAllowed,
            boolean twinAllowed) {

        double policyRatio() {
            return (double) policyAdversarial / policyTwin;
        }

        double webhookRatio() {
            return (double) webhookAdversarial / webhookTwin;
        }
    }

    private final int targetBytes;
    private final int warmups;
    private final int runs;
    // the annotated twin carries IP, e-mail and subject values: a policy allows them, so its cost is measured
    private final RoutePolicy policy = new RoutePolicy(
                    PolicyConfig.defaults().withDefaultIssuer("letsencrypt-prod", PolicyConfig.CLUSTER_ISSUER))
            .withTenancy(ns -> NamespacePolicy.resolve(ALLOW_CONTENTS, ns, Map.of()));

    private static final PolicySettings ALLOW_CONTENTS = PolicySettings.parse(new ObjectMapper()
                    .valueToTree(Map.of(
                            "apiVersion", PolicySettings.API_VERSION,
                            "kind", PolicySettings.KIND,
                            "tenancy",
                                    Map.of(
                                            "certificates",
                                            List.of(Map.of(
                                                    "namespaceSelector",
                                                    Map.of(),
                                                    "allow",
                                                    Map.of("ipSANs", true, "emailSANs", true, "subject", true)))))))
            .settings();
    private final RouteAdmission mutate = new RouteAdmission(policy, RouteAdmission.Mode.MUTATE);
    private final AdmissionReviews reviews = new AdmissionReviews(16L * 1024 * 1024);
    final List<Result> results = new ArrayList<>();

    WorstCaseBenchmark(int targetBytes, int warmups, int runs) {
        this.targetBytes = targetBytes;
        this.warmups = warmups;
        this.runs = runs;
    }

    void run() throws ReviewRejection {
        for (Shape shape : shapes()) {
            Bench.progress("worst case: " + shape.name());
            fill(shape);
            results.add(measure(shape));
        }
    }

    /** Adds elements to both objects until the adversarial one reaches the target size. */
    private void fill(Shape shape) {
        int i = 0;
        while (i % 200 != 0 || size(shape, i) < targetBytes) {
            shape.addAdversarial().accept(shape.adversarial(), i);
            shape.addTwin().accept(shape.twin(), i);
            i++;
        }
    }

    private static int size(Shape shape, int n) {
        shape.finishAdversarial().accept(shape.adversarial(), n);
        shape.finishTwin().accept(shape.twin(), n);
        return shape.adversarial().toString().length();
    }

    private Result measure(Shape shape) throws ReviewRejection {
        byte[] adversarial = review(shape, shape.adversarial());
        byte[] twin = review(shape, shape.twin());
        PolicyRequest adversarialRequest = policyRequest(reviews.parse(adversarial));
        PolicyRequest twinRequest = policyRequest(reviews.parse(twin));
        Verdict adversarialVerdict = policy.evaluate(adversarialRequest);
        Verdict twinVerdict = policy.evaluate(twinRequest);
        long[] policyA = new long[runs];
        long[] policyT = new long[runs];
        long[] webhookA = new long[runs];
        long[] webhookT = new long[runs];
        int answerA = 0;
        int answerT = 0;
        // alternate the two objects so both see the same load from other processes
        for (int r = -warmups; r < runs; r++) {
            long a = time(() -> policy.evaluate(adversarialRequest));
            long t = time(() -> policy.evaluate(twinRequest));
            long[] wa = webhook(adversarial);
            long[] wt = webhook(twin);
            if (r >= 0) {
                policyA[r] = a;
                policyT[r] = t;
                webhookA[r] = wa[0];
                webhookT[r] = wt[0];
            }
            answerA = (int) wa[1];
            answerT = (int) wt[1];
        }
        return new Result(
                shape,
                shape.adversarial().toString().length(),
                adversarialVerdict.violations().size(),
                median(policyA),
                median(policyT),
                median(webhookA),
                median(webhookT),
                answerA,
                answerT,
                adversarialVerdict.allowed(),
                twinVerdict.allowed());
    }

    private byte[] review(Shape shape, ObjectNode object) {
        boolean ingress = object.path("kind").asText().equals("Ingress");
        return (ingress ? ApiServerReviews.ingressReview(object) : ApiServerReviews.ingressRouteReview(object)).bytes();
    }

    /** Time and answer size of /mutate for one review: parse, decide, write. */
    private long[] webhook(byte[] body) throws ReviewRejection {
        long start = System.nanoTime();
        AdmissionRequest request = reviews.parse(body);
        byte[] answer =
                reviews.write(reviews.response(AdmissionReviews.API_VERSION, request.uid(), mutate.review(request)));
        return new long[] {System.nanoTime() - start, answer.length};
    }

    private static long time(Runnable task) {
        long start = System.nanoTime();
        task.run();
        return System.nanoTime() - start;
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static PolicyRequest policyRequest(AdmissionRequest r) {
        return new PolicyRequest(r.group(), r.version(), r.kind(), r.operation(), r.namespace(), r.object());
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| shape | object KiB | violations | policy ns/byte (adversarial / twin) | × twin |"
                + " webhook ns/byte (adversarial / twin) | × twin | answer bytes (adversarial / twin) |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %.1f / %.1f | %.2f | %.1f / %.1f | %.2f | %d / %d |%n",
                    r.shape().name(),
                    r.bytes() / 1024,
                    r.violations(),
                    (double) r.policyAdversarial() / r.bytes(),
                    (double) r.policyTwin() / r.bytes(),
                    r.policyRatio(),
                    (double) r.webhookAdversarial() / r.bytes(),
                    (double) r.webhookTwin() / r.bytes(),
                    r.webhookRatio(),
                    r.answerAdversarial(),
                    r.answerTwin()));
        }
        b.append("\nShapes:\n\n");
        for (Result r : results) {
            b.append("- `")
                    .append(r.shape().name())
                    .append("`: ")
                    .append(r.shape().description())
                    .append('\n');
        }
        return b.toString();
    }

    /** The largest per-byte ratio to the twin over all shapes and both paths. */
    double worstRatio() {
        return results.stream()
                .mapToDouble(r -> Math.max(r.policyRatio(), r.webhookRatio()))
                .max()
                .orElse(0);
    }

    // ---------------------------------------------------------------- the shapes

    static List<Shape> shapes() {
        return List.of(
                new Shape(
                        "ingress-uncovered-hosts",
                        "an Ingress whose rule hosts no TLS host covers (one TLS entry listing as many other hosts);"
                                + " twin: the TLS entry lists the rule hosts",
                        false,
                        ingress(false, "shared"),
                        ingress(false, "shared"),
                        (o, i) -> {
                            rule(o, "r" + i + ".example.com");
                            tlsHosts(o, 0).add("t" + i + ".example.org");
                        },
                        (o, i) -> {
                            rule(o, "r" + i + ".example.com");
                            tlsHosts(o, 0).add("r" + i + ".example.com");
                        }),
                new Shape(
                        "ingress-shared-secret",
                        "an Ingress whose rule hosts are not covered, its TLS hosts split between one large entry and"
                                + " many entries that reuse its secret name with other hosts; twin: the entries cover"
                                + " the rules, each with its own secret name",
                        false,
                        ingress(false, "shared"),
                        ingress(false, "s"),
                        (o, i) -> {
                            rule(o, "r" + i + ".example.com");
                            if (i % 2 == 0) {
                                tlsHosts(o, 0).add("t" + i + ".example.org");
                            } else {
                                tlsEntry(o, "shared").add("t" + i + ".example.org");
                            }
                        },
                        (o, i) -> {
                            rule(o, "r" + i + ".example.com");
                            if (i % 2 == 0) {
                                tlsHosts(o, 0).add("r" + i + ".example.com");
                            } else {
                                tlsEntry(o, "s" + i).add("r" + i + ".example.com");
                            }
                        }),
                new Shape(
                        "ingress-default-secret-names",
                        "an Ingress with an issuer and many TLS entries without a secret name, all for the same"
                                + " host, so each needs the next free numbered name (allowed); twin: each entry has"
                                + " its own host",
                        true,
                        ingress(true, null),
                        ingress(true, null),
                        (o, i) -> {
                            if (i == 0) {
                                rule(o, "same.example.com");
                            }
                            tlsEntry(o, null).add("same.example.com");
                        },
                        (o, i) -> {
                            rule(o, "h" + i + ".example.com");
                            tlsEntry(o, null).add("h" + i + ".example.com");
                        }),
                new Shape(
                        "ingressroute-uncovered-routes",
                        "an IngressRoute with many routes, each naming a host that spec.tls.domains (one entry,"
                                + " as many SANs) does not cover; twin: the SANs are the routes' hosts",
                        false,
                        ingressRoute(),
                        ingressRoute(),
                        (o, i) -> {
                            route(o, "Host(`r" + i + ".example.com`) && PathPrefix(`/api`)");
                            sans(o).add("t" + i + ".example.org");
                        },
                        (o, i) -> {
                            route(o, "Host(`r" + i + ".example.com`) && PathPrefix(`/api`)");
                            sans(o).add("r" + i + ".example.com");
                        }),
                new Shape(
                        "ingressroute-long-rule",
                        "an IngressRoute with one route whose rule ORs thousands of Host matchers, none covered;"
                                + " twin: every host covered",
                        false,
                        ingressRoute(),
                        ingressRoute(),
                        (o, i) -> sans(o).add("t" + i + ".example.org"),
                        (o, i) -> sans(o).add("r" + i + ".example.com"),
                        WorstCaseBenchmark::longRule,
                        WorstCaseBenchmark::longRule),
                new Shape(
                        "ingressroute-deep-rules",
                        "an IngressRoute whose routes each nest their rule " + DEPTH + " parentheses and negations"
                                + " deep around an uncovered host; twin: the hosts covered",
                        false,
                        ingressRoute(),
                        ingressRoute(),
                        (o, i) -> {
                            route(o, deep("r" + i + ".example.com"));
                            sans(o).add("t" + i + ".example.org");
                        },
                        (o, i) -> {
                            route(o, deep("r" + i + ".example.com"));
                            sans(o).add("r" + i + ".example.com");
                        }),
                new Shape(
                        "ingressroute-many-domains",
                        "an IngressRoute with as many spec.tls.domains entries as routes, none matching (every host"
                                + " uncovered and every domain unserved); twin: each domain names a route's host",
                        false,
                        ingressRoute(),
                        ingressRoute(),
                        (o, i) -> {
                            route(o, "Host(`r" + i + ".example.com`)");
                            domains(o).addObject().put("main", "t" + i + ".example.org");
                        },
                        (o, i) -> {
                            route(o, "Host(`r" + i + ".example.com`)");
                            domains(o).addObject().put("main", "r" + i + ".example.com");
                        }),
                new Shape(
                        "many-annotations",
                        "an Ingress with thousands of annotations and cert-manager list annotations (ip-sans,"
                                + " email-sans, subject-organizations) of thousands of invalid items; twin: the same"
                                + " annotations with valid items",
                        false,
                        annotated(),
                        annotated(),
                        (o, i) -> annotate(o, i),
                        (o, i) -> annotate(o, i),
                        (o, n) -> lists(o, n, true),
                        (o, n) -> lists(o, n, false)));
    }

    private static ObjectNode ingress(boolean issuer, String firstSecret) {
        ObjectNode o = F.objectNode().put("apiVersion", "networking.k8s.io/v1").put("kind", "Ingress");
        ObjectNode meta = o.putObject("metadata").put("name", "worst").put("namespace", "web");
        if (issuer) {
            meta.putObject("annotations").put("cert-manager.io/cluster-issuer", "letsencrypt-prod");
        }
        ObjectNode spec = o.putObject("spec");
        spec.putArray("rules");
        ArrayNode tls = spec.putArray("tls");
        if (firstSecret != null) {
            tls.addObject().put("secretName", firstSecret).putArray("hosts");
        }
        return o;
    }

    private static void rule(ObjectNode ingress, String host) {
        ObjectNode rule =
                ((ArrayNode) ingress.get("spec").get("rules")).addObject().put("host", host);
        rule.putObject("http")
                .putArray("paths")
                .addObject()
                .put("path", "/")
                .put("pathType", "Prefix")
                .putObject("backend")
                .putObject("service")
                .put("name", "web")
                .putObject("port")
                .put("number", 80);
    }

    private static ArrayNode tlsHosts(ObjectNode ingress, int entry) {
        return (ArrayNode) ingress.get("spec").get("tls").get(entry).get("hosts");
    }

    private static ArrayNode tlsEntry(ObjectNode ingress, String secretName) {
        ObjectNode entry = ((ArrayNode) ingress.get("spec").get("tls")).addObject();
        if (secretName != null) {
            entry.put("secretName", secretName);
        }
        return entry.putArray("hosts");
    }

    private static ObjectNode ingressRoute() {
        ObjectNode o = F.objectNode().put("apiVersion", "traefik.io/v1alpha1").put("kind", "IngressRoute");
        o.putObject("metadata").put("name", "worst").put("namespace", "web");
        ObjectNode spec = o.putObject("spec");
        spec.putArray("routes");
        spec.putObject("tls")
                .put("secretName", "worst-tls")
                .putArray("domains")
                .addObject()
                .put("main", "example.com")
                .putArray("sans");
        return o;
    }

    private static void route(ObjectNode route, String match) {
        ObjectNode r = ((ArrayNode) route.get("spec").get("routes")).addObject();
        r.put("kind", "Rule").put("match", match);
        r.putArray("services").addObject().put("name", "web").put("port", 80);
    }

    /** The one route's rule: n Host matchers joined by ||. */
    private static void longRule(ObjectNode route, int n) {
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < Math.max(n, 1); i++) {
            rule.append(i == 0 ? "" : " || ").append("Host(`r").append(i).append(".example.com`)");
        }
        ArrayNode routes = (ArrayNode) route.get("spec").get("routes");
        routes.removeAll();
        route(route, rule.toString());
    }

    private static String deep(String host) {
        StringBuilder b = new StringBuilder();
        for (int d = 0; d < DEPTH / 4; d++) { // each "!(" nests two levels
            b.append("!(!(");
        }
        b.append("Host(`").append(host).append("`) && PathPrefix(`/a`)");
        b.append("))".repeat(DEPTH / 4));
        return b.toString();
    }

    private static ArrayNode sans(ObjectNode route) {
        return (ArrayNode) route.get("spec").get("tls").get("domains").get(0).get("sans");
    }

    private static ArrayNode domains(ObjectNode route) {
        return (ArrayNode) route.get("spec").get("tls").get("domains");
    }

    private static ObjectNode annotated() {
        ObjectNode o = ingress(true, "worst-tls");
        rule(o, "worst.example.com");
        tlsHosts(o, 0).add("worst.example.com");
        ObjectNode annotations = (ObjectNode) o.get("metadata").get("annotations");
        annotations.put("cert-manager.io/ip-sans", "");
        annotations.put("cert-manager.io/email-sans", "");
        annotations.put("cert-manager.io/subject-organizations", "");
        return o;
    }

    /** One more plain annotation. */
    private static void annotate(ObjectNode ingress, int i) {
        ((ObjectNode) ingress.get("metadata").get("annotations")).put("example.com/key-" + i, "value-" + i);
    }

    /** The list annotations with n items each, every one invalid or every one valid. */
    private static void lists(ObjectNode ingress, int n, boolean invalid) {
        StringBuilder ips = new StringBuilder();
        StringBuilder emails = new StringBuilder();
        StringBuilder orgs = new StringBuilder();
        for (int i = 0; i < Math.max(n, 1); i++) {
            String comma = i == 0 ? "" : ",";
            ips.append(comma)
                    .append(
                            invalid
                                    ? "not-an-ip-" + i
                                    : "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
            emails.append(comma).append(invalid ? "not an email " + i : "user" + i + "@example.com");
            orgs.append(comma).append(invalid && i == n - 1 ? "\"org" + i : "org" + i);
        }
        ObjectNode a = (ObjectNode) ingress.get("metadata").get("annotations");
        a.put("cert-manager.io/ip-sans", ips.toString());
        a.put("cert-manager.io/email-sans", emails.toString());
        a.put("cert-manager.io/subject-organizations", orgs.toString());
    }
}
