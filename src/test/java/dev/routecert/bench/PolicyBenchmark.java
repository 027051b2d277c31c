package dev.routecert.bench;

import dev.routecert.admission.AdmissionRequest;
import dev.routecert.admission.AdmissionReviews;
import dev.routecert.admission.ReviewRejection;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.PolicyRequest;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.policy.Verdict;
import dev.routecert.policy.rule.ParseResult;
import dev.routecert.policy.rule.RuleParser;
import dev.routecert.webhook.RouteAdmission;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: the pure policy (rule parsing, and the full evaluation with coverage, defaults, patch and
 * Certificate plan) on a small and on a large object, and for scale the whole admission handler
 * without HTTP (JSON in, verdict, JSON out). Objects come from {@link ReviewMix}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyBenchmark {

    /** A typical rule: one host, one path. */
    static final String SMALL_RULE = "Host(`shop.example.com`) && PathPrefix(`/api`)";
    /** A large rule: 200 hosts with paths, nested, about 12 KB. */
    static final String LARGE_RULE = IntStream.range(0, 200)
            .mapToObj(i -> "(Host(`service-" + i + ".example.com`) && (PathPrefix(`/v1`) || PathPrefix(`/v2`)))")
            .collect(Collectors.joining(" || "));

    RoutePolicy policy;
    AdmissionReviews reviews;
    PolicyRequest smallRequest;
    PolicyRequest largeRequest;
    byte[] smallReview;
    byte[] largeReview;
    RouteAdmission mutate;

    @Setup
    public void setUp() throws ReviewRejection {
        policy = new RoutePolicy(
                PolicyConfig.defaults().withDefaultIssuer("letsencrypt-prod", PolicyConfig.CLUSTER_ISSUER));
        mutate = new RouteAdmission(policy, RouteAdmission.Mode.MUTATE);
        reviews = new AdmissionReviews(7L * 1024 * 1024);
        List<ReviewMix.Kind> kinds = ReviewMix.kinds();
        smallReview = kinds.stream()
                .filter(k -> k.name().equals("create-ingressroute"))
                .findFirst()
                .orElseThrow()
                .body();
        largeReview = kinds.stream()
                .filter(k -> k.name().startsWith("large"))
                .findFirst()
                .orElseThrow()
                .body();
        smallRequest = policyRequest(reviews.parse(smallReview));
        largeRequest = policyRequest(reviews.parse(largeReview));
    }

    private static PolicyRequest policyRequest(AdmissionRequest r) {
        return new PolicyRequest(r.group(), r.version(), r.kind(), r.operation(), r.namespace(), r.object());
    }

    @Benchmark
    public ParseResult parseSmallRule() {
        return RuleParser.parse(SMALL_RULE);
    }

    @Benchmark
    public ParseResult parseLargeRule() {
        return RuleParser.parse(LARGE_RULE);
    }

    /** An IngressRoute CREATE with two routes and tls: {}: coverage, a defaulted secret name (patch), a Certificate. */
    @Benchmark
    public Verdict evaluateSmallObject() {
        return policy.evaluate(smallRequest);
    }

    /** The 1.4 MiB IngressRoute of the mix: thousands of routes under one wildcard certificate. */
    @Benchmark
    public Verdict evaluateLargeObject() {
        return policy.evaluate(largeRequest);
    }

    /** For scale: what /mutate does for the small object without HTTP: parse the review, decide, write the answer. */
    @Benchmark
    public byte[] admissionHandlerSmallObject() throws ReviewRejection {
        AdmissionRequest request = reviews.parse(smallReview);
        return reviews.write(reviews.response(AdmissionReviews.API_VERSION, request.uid(), mutate.review(request)));
    }

    /** The same for the large object. */
    @Benchmark
    public byte[] admissionHandlerLargeObject() throws ReviewRejection {
        AdmissionRequest request = reviews.parse(largeReview);
        return reviews.write(reviews.response(AdmissionReviews.API_VERSION, request.uid(), mutate.review(request)));
    }
}
