package dev.routecert.bench;

import dev.routecert.admission.AdmissionReviewBuilder;
import dev.routecert.admission.ApiServerReviews;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The AdmissionReviews the load benchmark sends ({@link ApiServerReviews}: as the API server sends
 * them), each with the answer routecert must give. The weights make a realistic day: mostly UPDATEs
 * that leave TLS alone, some CREATEs, dry-runs and denials, and a rare object near etcd's 1.5 MiB limit.
 */
public final class ReviewMix {

    /** The request uid in every body; the load client overwrites its last 12 characters per request. */
    public static final String UID_PLACEHOLDER = AdmissionReviewBuilder.DEFAULT_UID;

    /** What routecert must answer. */
    public enum Expect {
        ALLOWED,
        PATCHED,
        DENIED
    }

    /** One kind of request: its body, how often it appears in 200 requests, and the expected answer. */
    public record Kind(String name, int weight, Expect expect, byte[] body) {
        public int uidOffset() {
            return indexOf(body, UID_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Requests in one shuffled round; the weights add up to this. */
    public static final int ROUND = 200;
    /** The name of the large object's kind. */
    public static final String LARGE_KIND = "large-1.4MiB";
    /** Target size of the large object. */
    public static final int LARGE_OBJECT_BYTES = ApiServerReviews.LARGE_OBJECT_BYTES;

    private ReviewMix() {}

    /** The kinds, in a fixed order (the load client reports latency per kind by this index). */
    public static List<Kind> kinds() {
        List<Kind> kinds = List.of(
                new Kind("update-unchanged", 90, Expect.ALLOWED, body(ApiServerReviews.updateUnchanged())),
                new Kind("create-ingress", 35, Expect.ALLOWED, body(ApiServerReviews.createIngress())),
                new Kind("create-ingressroute", 35, Expect.PATCHED, body(ApiServerReviews.createIngressRoute())),
                new Kind(
                        "dry-run",
                        20,
                        Expect.PATCHED,
                        body(ApiServerReviews.createIngressRoute().dryRun(true))),
                new Kind("denied", 19, Expect.DENIED, body(ApiServerReviews.denied())),
                new Kind(LARGE_KIND, 1, Expect.ALLOWED, body(ApiServerReviews.large())));
        if (kinds.stream().mapToInt(Kind::weight).sum() != ROUND) {
            throw new IllegalStateException("weights must add up to " + ROUND);
        }
        return kinds;
    }

    /** The body of {@code review} with the uid the load client overwrites. */
    public static byte[] body(AdmissionReviewBuilder review) {
        return review.uid(UID_PLACEHOLDER).bytes();
    }

    /** A shuffled round of kind indexes with the weights' proportions, different per connection. */
    public static int[] round(List<Kind> kinds, long seed) {
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            for (int n = 0; n < kinds.get(i).weight(); n++) {
                slots.add(i);
            }
        }
        Collections.shuffle(slots, new Random(seed));
        return slots.stream().mapToInt(Integer::intValue).toArray();
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
