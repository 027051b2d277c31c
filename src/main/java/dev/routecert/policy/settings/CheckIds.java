package dev.routecert.policy.settings;

import java.util.Set;
import java.util.function.Predicate;

/** Which check ids a policy file may name. */
public final class CheckIds {

    private CheckIds() {}

    /** The ids of the design, until the checks carry their own ids. */
    private static final Set<String> PROVISIONAL = Set.of(
            "object-shape",
            "routes-empty",
            "route-kind",
            "route-no-rule",
            "rule-syntax-field",
            "rule-syntax",
            "rule-unknown-matcher",
            "rule-matcher-version",
            "rule-arguments",
            "rule-v2-multi-host",
            "rule-tcp-matcher",
            "rule-path",
            "rule-client-ip",
            "rule-hostregexp-template",
            "rule-v2-syntax",
            "rule-v2-template",
            "host-invalid",
            "host-ip-in-ingress",
            "host-multi-wildcard",
            "host-ip",
            "tls-uncovered-host",
            "tls-unserved-name",
            "tls-hostregexp-undeclared",
            "tls-hostregexp-unchecked",
            "tls-shape",
            "tls-on-child-route",
            "tls-domain-main",
            "tls-secret-name",
            "tls-secret-shared",
            "tls-entry-repeated",
            "tls-resolver-and-secret",
            "tls-required",
            "tls-annotation-without-tls",
            "tls-entry-without-hosts",
            "cm-issuer-conflict",
            "cm-issuer-empty",
            "cm-issuer-missing",
            "cm-issuer-kind",
            "cm-tls-acme-value",
            "cm-common-name",
            "cm-duration",
            "cm-renew-before",
            "cm-usages",
            "cm-private-key",
            "cm-revision-history-limit",
            "cm-subject",
            "cm-email-sans",
            "cm-ip-sans",
            "cm-uri-sans",
            "cm-secret-template",
            "certificate-other-secret",
            "certificate-not-covering",
            "certificate-reused",
            "issuer-not-found",
            "issuer-kind-unknown",
            "issuer-no-dns01",
            "issuer-external",
            "secret-exists",
            "host-ownership",
            "host-unconstrained",
            "domain-not-allowed",
            "issuer-not-allowed",
            "cert-ip-sans",
            "cert-uri-sans",
            "cert-email-sans",
            "cert-usages",
            "cert-subject");

    /** The ids this build knows; what the server and {@code routecert check} validate policy files with. */
    public static final Predicate<String> KNOWN = id -> PROVISIONAL.contains(id);
}
