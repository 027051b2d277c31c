package dev.routecert.policy;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every check routecert makes, with the stable id that starts each of its messages in brackets
 * ({@code [tls-uncovered-host] ...}), the action it takes by nature, and whether a policy may change
 * that action. The ids are part of the interface: policy files name them and the docs anchor them
 * (checks.md), so an id is never renamed or reused.
 */
public enum Check {
    // ---- the object's shape and its routes
    OBJECT_SHAPE("object-shape", Action.DENY, Group.SHAPE, false),
    ROUTES_EMPTY("routes-empty", Action.DENY, Group.SHAPE, true),
    ROUTE_KIND("route-kind", Action.DENY, Group.SHAPE, true),
    ROUTE_KIND_MISSING("route-kind-missing", Action.WARN, Group.SHAPE, true),
    ROUTE_NO_RULE("route-no-rule", Action.DENY, Group.SHAPE, true),
    RULE_SYNTAX_FIELD("rule-syntax-field", Action.DENY, Group.SHAPE, true),
    RULE_V2_SYNTAX("rule-v2-syntax", Action.WARN, Group.SHAPE, true),

    // ---- Traefik rules
    RULE_SYNTAX("rule-syntax", Action.DENY, Group.RULES, true),
    RULE_UNKNOWN_MATCHER("rule-unknown-matcher", Action.DENY, Group.RULES, true),
    RULE_MATCHER_VERSION("rule-matcher-version", Action.DENY, Group.RULES, true),
    RULE_ARGUMENTS("rule-arguments", Action.DENY, Group.RULES, true),
    RULE_V2_MULTI_VALUE("rule-v2-multi-value", Action.DENY, Group.RULES, true),
    RULE_TCP_MATCHER("rule-tcp-matcher", Action.DENY, Group.RULES, true),
    RULE_HTTP_MATCHER("rule-http-matcher", Action.DENY, Group.RULES, true),
    RULE_SNI_WITHOUT_TLS("rule-sni-without-tls", Action.DENY, Group.RULES, true),
    RULE_PATH("rule-path", Action.DENY, Group.RULES, true),
    RULE_CLIENT_IP("rule-client-ip", Action.DENY, Group.RULES, true),
    RULE_HOSTREGEXP_TEMPLATE("rule-hostregexp-template", Action.DENY, Group.RULES, true),
    RULE_V2_TEMPLATE("rule-v2-template", Action.WARN, Group.RULES, true),
    RULE_REGEXP("rule-regexp", Action.DENY, Group.RULES, true),

    // ---- host names
    HOST_INVALID("host-invalid", Action.DENY, Group.HOSTS, true),
    HOST_IP_IN_INGRESS("host-ip-in-ingress", Action.DENY, Group.HOSTS, true),
    HOST_MULTI_WILDCARD("host-multi-wildcard", Action.DENY, Group.HOSTS, true),
    HOST_IP("host-ip", Action.WARN, Group.HOSTS, true),

    // ---- TLS
    TLS_UNCOVERED_HOST("tls-uncovered-host", Action.DENY, Group.TLS, true),
    TLS_UNSERVED_NAME("tls-unserved-name", Action.WARN, Group.TLS, true),
    TLS_HOSTREGEXP_UNDECLARED("tls-hostregexp-undeclared", Action.DENY, Group.TLS, true),
    TLS_HOSTREGEXP_UNCHECKED("tls-hostregexp-unchecked", Action.WARN, Group.TLS, true),
    TLS_HOSTREGEXP_NO_DOMAIN("tls-hostregexp-no-domain", Action.DENY, Group.TLS, true),
    TLS_CATCH_ALL("tls-catch-all", Action.DENY, Group.TLS, true),
    TLS_PASSTHROUGH_SECRET("tls-passthrough-secret", Action.WARN, Group.TLS, true),
    TLS_SHAPE("tls-shape", Action.DENY, Group.TLS, true),
    TLS_ON_CHILD_ROUTE("tls-on-child-route", Action.DENY, Group.TLS, true),
    TLS_DOMAIN_MAIN("tls-domain-main", Action.DENY, Group.TLS, true),
    TLS_SECRET_NAME("tls-secret-name", Action.DENY, Group.TLS, true),
    TLS_SECRET_SHARED("tls-secret-shared", Action.DENY, Group.TLS, true),
    TLS_ENTRY_REPEATED("tls-entry-repeated", Action.WARN, Group.TLS, true),
    TLS_RESOLVER_AND_SECRET("tls-resolver-and-secret", Action.WARN, Group.TLS, true),
    TLS_REQUIRED("tls-required", Action.DENY, Group.TLS, true),
    TLS_ANNOTATION_WITHOUT_TLS("tls-annotation-without-tls", Action.WARN, Group.TLS, true),
    TLS_ENTRY_WITHOUT_HOSTS("tls-entry-without-hosts", Action.WARN, Group.TLS, true),

    // ---- Traefik's TLS objects and the Ingress router annotations
    TLS_OPTIONS_MISSING("tls-options-missing", Action.DENY, Group.TLS, true),
    TLS_OPTIONS_CROSS_NAMESPACE("tls-options-cross-namespace", Action.DENY, Group.TLS, true),
    TLS_OPTIONS_NAMESPACE_IGNORED("tls-options-namespace-ignored", Action.WARN, Group.TLS, true),
    TLS_STORE_NOT_DEFAULT("tls-store-not-default", Action.WARN, Group.TLS, true),
    TRAEFIK_ROUTER_TLS("traefik-router-tls", Action.DENY, Group.TLS, true),
    TLS_ROUTER_NOT_TLS("tls-router-not-tls", Action.WARN, Group.TLS, true),

    // ---- cert-manager annotations
    CM_ISSUER_CONFLICT("cm-issuer-conflict", Action.DENY, Group.CERT_MANAGER, true),
    CM_ISSUER_EMPTY("cm-issuer-empty", Action.DENY, Group.CERT_MANAGER, true),
    CM_ISSUER_MISSING("cm-issuer-missing", Action.DENY, Group.CERT_MANAGER, true),
    CM_ISSUER_KIND("cm-issuer-kind", Action.DENY, Group.CERT_MANAGER, true),
    CM_TLS_ACME_VALUE("cm-tls-acme-value", Action.WARN, Group.CERT_MANAGER, true),
    CM_COMMON_NAME("cm-common-name", Action.DENY, Group.CERT_MANAGER, true),
    CM_DURATION("cm-duration", Action.DENY, Group.CERT_MANAGER, true),
    CM_RENEW_BEFORE("cm-renew-before", Action.DENY, Group.CERT_MANAGER, true),
    CM_USAGES("cm-usages", Action.DENY, Group.CERT_MANAGER, true),
    CM_PRIVATE_KEY("cm-private-key", Action.DENY, Group.CERT_MANAGER, true),
    CM_KEY_SIZE_IGNORED("cm-key-size-ignored", Action.WARN, Group.CERT_MANAGER, true),
    CM_REVISION_HISTORY_LIMIT("cm-revision-history-limit", Action.DENY, Group.CERT_MANAGER, true),
    CM_SUBJECT("cm-subject", Action.DENY, Group.CERT_MANAGER, true),
    CM_EMAIL_SANS("cm-email-sans", Action.DENY, Group.CERT_MANAGER, true),
    CM_IP_SANS("cm-ip-sans", Action.DENY, Group.CERT_MANAGER, true),
    CM_URI_SANS("cm-uri-sans", Action.DENY, Group.CERT_MANAGER, true),
    CM_SECRET_TEMPLATE("cm-secret-template", Action.DENY, Group.CERT_MANAGER, true),
    CM_ALT_NAMES("cm-alt-names", Action.DENY, Group.CERT_MANAGER, true),
    CM_RENEW_BEFORE_PERCENTAGE("cm-renew-before-percentage", Action.DENY, Group.CERT_MANAGER, true),
    CM_HTTP01_EDIT_IN_PLACE("cm-http01-edit-in-place", Action.WARN, Group.CERT_MANAGER, true),
    CM_UNKNOWN_ANNOTATION("cm-unknown-annotation", Action.WARN, Group.CERT_MANAGER, true),

    // ---- Certificate decisions against the cluster (not tunable: they decide a write, not a route)
    CERTIFICATE_DELETING("certificate-deleting", Action.DENY, Group.CERTIFICATE, false),
    CERTIFICATE_OTHER_SECRET("certificate-other-secret", Action.DENY, Group.CERTIFICATE, false),
    CERTIFICATE_NOT_COVERING("certificate-not-covering", Action.DENY, Group.CERTIFICATE, false),
    CERTIFICATE_REUSED("certificate-reused", Action.WARN, Group.CERTIFICATE, false),
    CERTIFICATE_ADOPTED("certificate-adopted", Action.WARN, Group.CERTIFICATE, false),
    ISSUER_NOT_FOUND("issuer-not-found", Action.DENY, Group.CERTIFICATE, false),
    ISSUER_KIND_UNKNOWN("issuer-kind-unknown", Action.DENY, Group.CERTIFICATE, false),
    ISSUER_NO_DNS01("issuer-no-dns01", Action.DENY, Group.CERTIFICATE, false),
    ISSUER_EXTERNAL("issuer-external", Action.WARN, Group.CERTIFICATE, false),
    SECRET_EXISTS("secret-exists", Action.WARN, Group.CERTIFICATE, false),
    // ---- DNSEndpoint decisions (--dns-endpoints)
    DNS_ANNOTATION("dns-annotation", Action.DENY, Group.CERTIFICATE, false),
    DNS_RECORD_SKIPPED("dns-record-skipped", Action.WARN, Group.CERTIFICATE, false),
    DNS_NO_TARGETS("dns-no-targets", Action.WARN, Group.CERTIFICATE, false),
    DNS_ENDPOINT_FOREIGN("dns-endpoint-foreign", Action.WARN, Group.CERTIFICATE, false),
    DNS_ENDPOINT_WRITE("dns-endpoint-write", Action.DENY, Group.CERTIFICATE, false),
    // ---- certificate health: what cert-manager reports of the certificates a route serves
    CERTIFICATE_NOT_READY("certificate-not-ready", Action.WARN, Group.CERTIFICATE, false),
    CERTIFICATE_RENEWAL_FAILING("certificate-renewal-failing", Action.WARN, Group.CERTIFICATE, false),
    CERTIFICATE_EXPIRING("certificate-expiring", Action.WARN, Group.CERTIFICATE, false),
    SECRET_NOT_COVERING("secret-not-covering", Action.WARN, Group.CERTIFICATE, false),
    SECRET_MISSING("secret-missing", Action.WARN, Group.CERTIFICATE, false),
    CERTIFICATE_WRITE("certificate-write", Action.DENY, Group.CERTIFICATE, false),
    CHECK_FAILED("check-failed", Action.DENY, Group.NOTICE, false),
    HOST_CLAIM_WRITE("host-claim-write", Action.DENY, Group.NOTICE, false),

    // ---- notices: say what routecert did, never tuned
    DRY_RUN("dry-run", Action.WARN, Group.NOTICE, false),
    NO_CLUSTER("no-cluster", Action.WARN, Group.NOTICE, false),
    NO_CERTIFICATE("no-certificate", Action.WARN, Group.NOTICE, false),
    IGNORE_ANNOTATION("ignore-annotation", Action.WARN, Group.NOTICE, false),
    OPT_OUT_FORBIDDEN("opt-out-forbidden", Action.WARN, Group.NOTICE, false),

    // ---- tenant isolation
    HOST_OWNERSHIP("host-ownership", Action.DENY, Group.TENANCY, true),
    DOMAIN_NOT_ALLOWED("domain-not-allowed", Action.DENY, Group.TENANCY, true),
    ISSUER_NOT_ALLOWED("issuer-not-allowed", Action.DENY, Group.TENANCY, true),
    CERT_IP_SANS("cert-ip-sans", Action.DENY, Group.TENANCY, true),
    CERT_URI_SANS("cert-uri-sans", Action.DENY, Group.TENANCY, true),
    CERT_EMAIL_SANS("cert-email-sans", Action.DENY, Group.TENANCY, true),
    CERT_USAGES("cert-usages", Action.DENY, Group.TENANCY, true),
    CERT_SUBJECT("cert-subject", Action.DENY, Group.TENANCY, true),
    NAMESPACE_MISMATCH("namespace-mismatch", Action.DENY, Group.TENANCY, false);

    /** Where a check belongs; the docs list the checks by group. */
    public enum Group {
        SHAPE,
        RULES,
        HOSTS,
        TLS,
        CERT_MANAGER,
        CERTIFICATE,
        NOTICE,
        TENANCY
    }

    private static final Map<String, Check> BY_ID =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(Check::id, Function.identity()));

    private final String id;
    private final Action natural;
    private final Group group;
    private final boolean tunable;

    Check(String id, Action natural, Group group, boolean tunable) {
        this.id = id;
        this.natural = natural;
        this.group = group;
        this.tunable = tunable;
    }

    /** The stable kebab-case id, e.g. {@code tls-uncovered-host}. */
    public String id() {
        return id;
    }

    /** {@link Action#DENY} or {@link Action#WARN}: what the check does when no policy says otherwise. */
    public Action natural() {
        return natural;
    }

    public Group group() {
        return group;
    }

    /** False for notices and the checks a policy may not change; those always act by nature. */
    public boolean tunable() {
        return tunable;
    }

    public boolean deniesByNature() {
        return natural == Action.DENY;
    }

    /** Checks that keep tenants apart: they run even on an object that opts out of the other checks. */
    public boolean isolation() {
        return group == Group.TENANCY && this != NAMESPACE_MISMATCH;
    }

    /**
     * A finding of this check means the route is broken, so it gets no Certificate whatever the
     * check's mode. Tenancy findings do not: a route admitted in warn or audit despite them works.
     */
    public boolean blocksCertificate() {
        return deniesByNature() && group != Group.TENANCY && group != Group.NOTICE && group != Group.CERTIFICATE;
    }

    /** {@code [id]}, the prefix of every message of this check. */
    public String tag() {
        return "[" + id + "]";
    }

    /** The check of an id, exactly as written; empty for an unknown one ({@link #unknownIdMessage} says why). */
    public static Optional<Check> byId(String id) {
        return Optional.ofNullable(id == null ? null : BY_ID.get(id));
    }

    /** The known id closest to an unknown one, when one is close enough to be a typo. */
    public static Optional<String> suggestion(String unknown) {
        if (unknown == null || unknown.isEmpty()) {
            return Optional.empty();
        }
        String wanted = unknown.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        if (BY_ID.containsKey(wanted)) {
            return Optional.of(wanted);
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Check c : values()) {
            int d = distance(wanted, c.id);
            if (d < bestDistance) {
                best = c.id;
                bestDistance = d;
            }
        }
        // a typo changes a few characters; anything further off is a different word
        return bestDistance <= Math.max(2, wanted.length() / 4) ? Optional.of(best) : Optional.empty();
    }

    /** {@code unknown check id 'x' (did you mean y?)}, the message a policy file's parser reports. */
    public static String unknownIdMessage(String unknown) {
        String base = "unknown check id '" + unknown + "'";
        return suggestion(unknown)
                .map(s -> base + " (did you mean " + s + "?)")
                .orElse(base + " (the ids are listed in checks.md)");
    }

    /** Levenshtein distance; the ids are short, so the quadratic table is cheap. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
