package dev.routecert.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routecert.policy.values.EmailAddresses;
import dev.routecert.policy.values.GoCsv;
import dev.routecert.policy.values.GoDuration;
import dev.routecert.policy.values.GoStrconv;
import dev.routecert.policy.values.IpAddresses;
import dev.routecert.routes.ObjectMetaView;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads cert-manager's ingress-shim annotations from an object and validates them the way
 * cert-manager's ingress-shim and its Certificate webhook do, so a value cert-manager would refuse
 * is rejected at {@code kubectl apply} time, naming the annotation. Applies to Ingress and
 * IngressRoute alike.
 */
public final class CertManagerAnnotations {

    static final String PREFIX = "cert-manager.io/";
    static final String ISSUER = PREFIX + "issuer";
    static final String CLUSTER_ISSUER = PREFIX + "cluster-issuer";
    static final String ISSUER_KIND = PREFIX + "issuer-kind";
    static final String ISSUER_GROUP = PREFIX + "issuer-group";
    static final String COMMON_NAME = PREFIX + "common-name";
    static final String DURATION = PREFIX + "duration";
    static final String RENEW_BEFORE = PREFIX + "renew-before";
    static final String USAGES = PREFIX + "usages";
    static final String REVISION_HISTORY_LIMIT = PREFIX + "revision-history-limit";
    static final String PRIVATE_KEY_ALGORITHM = PREFIX + "private-key-algorithm";
    static final String PRIVATE_KEY_ENCODING = PREFIX + "private-key-encoding";
    static final String PRIVATE_KEY_SIZE = PREFIX + "private-key-size";
    static final String PRIVATE_KEY_ROTATION_POLICY = PREFIX + "private-key-rotation-policy";
    static final String EMAIL_SANS = PREFIX + "email-sans";
    static final String IP_SANS = PREFIX + "ip-sans";
    static final String URI_SANS = PREFIX + "uri-sans";
    static final String SECRET_TEMPLATE = PREFIX + "secret-template";
    static final String SUBJECT_ORGANIZATIONS = PREFIX + "subject-organizations";
    static final String SUBJECT_ORGANIZATIONAL_UNITS = PREFIX + "subject-organizationalunits";
    static final String SUBJECT_COUNTRIES = PREFIX + "subject-countries";
    static final String SUBJECT_PROVINCES = PREFIX + "subject-provinces";
    static final String SUBJECT_LOCALITIES = PREFIX + "subject-localities";
    static final String SUBJECT_POSTAL_CODES = PREFIX + "subject-postalcodes";
    static final String SUBJECT_STREET_ADDRESSES = PREFIX + "subject-streetaddresses";
    static final String SUBJECT_SERIAL_NUMBER = PREFIX + "subject-serialnumber";
    static final String ALT_NAMES = PREFIX + "alt-names";
    static final String RENEW_BEFORE_PERCENTAGE = PREFIX + "renew-before-percentage";
    static final String TLS_ACME = "kubernetes.io/tls-acme";

    static final String ACME_PREFIX = "acme.cert-manager.io/";
    static final String HTTP01_EDIT_IN_PLACE = ACME_PREFIX + "http01-edit-in-place";
    static final String HTTP01_INGRESS_CLASS = ACME_PREFIX + "http01-ingress-class";
    static final String HTTP01_INGRESS_CLASS_NAME = ACME_PREFIX + "http01-ingress-ingressclassname";

    /** The Certificate annotations the shim writes from the three above (pkg/apis/acme/v1/types.go). */
    static final String OVERRIDE_INGRESS_NAME = ACME_PREFIX + "http01-override-ingress-name";

    static final String OVERRIDE_INGRESS_CLASS = ACME_PREFIX + "http01-override-ingress-class";
    static final String OVERRIDE_INGRESS_CLASS_NAME = ACME_PREFIX + "http01-override-ingress-ingressclassname";
    static final String ISSUE_TEMPORARY_CERTIFICATE = PREFIX + "issue-temporary-certificate";

    /** The shim drops this label when it copies a route's labels, as kubectl's applysets would prune the Certificate. */
    static final String APPLYSET_LABEL = "applyset.kubernetes.io/part-of";

    /** Every key of the two cert-manager prefixes that routecert reads on a route. */
    static final List<String> KNOWN = List.of(
            ISSUER,
            CLUSTER_ISSUER,
            ISSUER_KIND,
            ISSUER_GROUP,
            COMMON_NAME,
            DURATION,
            RENEW_BEFORE,
            RENEW_BEFORE_PERCENTAGE,
            USAGES,
            REVISION_HISTORY_LIMIT,
            PRIVATE_KEY_ALGORITHM,
            PRIVATE_KEY_ENCODING,
            PRIVATE_KEY_SIZE,
            PRIVATE_KEY_ROTATION_POLICY,
            ALT_NAMES,
            EMAIL_SANS,
            IP_SANS,
            URI_SANS,
            SECRET_TEMPLATE,
            SUBJECT_ORGANIZATIONS,
            SUBJECT_ORGANIZATIONAL_UNITS,
            SUBJECT_COUNTRIES,
            SUBJECT_PROVINCES,
            SUBJECT_LOCALITIES,
            SUBJECT_POSTAL_CODES,
            SUBJECT_STREET_ADDRESSES,
            SUBJECT_SERIAL_NUMBER,
            HTTP01_EDIT_IN_PLACE,
            HTTP01_INGRESS_CLASS,
            HTTP01_INGRESS_CLASS_NAME);

    /** cert-manager's minimum Certificate duration, its default duration, and its minimum renewBefore. */
    static final long MIN_DURATION = GoDuration.HOUR;

    static final long DEFAULT_DURATION = 90 * 24 * GoDuration.HOUR;
    static final long MIN_RENEW_BEFORE = 5 * GoDuration.MINUTE;

    /** ingress-shim sets these when no usages annotation is given. */
    static final List<String> DEFAULT_USAGES = List.of("digital signature", "key encipherment");

    /** cert-manager's key usages as its API spells them; the tenancy settings accept the same names. */
    public static final Set<String> KEY_USAGES = Set.of(
            "signing",
            "digital signature",
            "content commitment",
            "key encipherment",
            "key agreement",
            "data encipherment",
            "cert sign",
            "crl sign",
            "encipher only",
            "decipher only",
            "any",
            "server auth",
            "client auth",
            "code signing",
            "email protection",
            "s/mime",
            "ipsec end system",
            "ipsec tunnel",
            "ipsec user",
            "timestamping",
            "ocsp signing",
            "microsoft sgc",
            "netscape sgc");

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Everything the annotations say about the Certificate to plan.
     *
     * @param issuer          the resolved issuer, or null when none is named or configured (or the
     *                        annotations naming it are invalid)
     * @param requested       true when an annotation explicitly asks for a certificate
     *                        ({@code issuer}, {@code cluster-issuer} or {@code tls-acme: "true"})
     * @param issuerFromAnnotation true when the issuer name comes from an annotation, not the default
     */
    record Options(
            PlannedCertificate.IssuerRef issuer,
            boolean requested,
            boolean issuerFromAnnotation,
            String commonName,
            String duration,
            String renewBefore,
            List<String> usages,
            PlannedCertificate.PrivateKey privateKey,
            Integer revisionHistoryLimit,
            PlannedCertificate.Subject subject,
            List<String> emailAddresses,
            List<String> ipAddresses,
            List<String> uris,
            PlannedCertificate.SecretTemplate secretTemplate,
            List<String> altNames,
            Integer renewBeforePercentage,
            Map<String, String> certificateAnnotations,
            Map<String, String> labels) {}

    private CertManagerAnnotations() {}

    static String field(String annotation) {
        return "metadata.annotations[" + annotation + "]";
    }

    /** The annotations of an IngressRoute, without its name or labels. */
    static Options read(Map<String, String> a, PolicyConfig config, Findings f) {
        return read(new ObjectMetaView(null, null, null, a, List.of()), config, f, false);
    }

    /**
     * @param meta    the route's metadata: its annotations, and the name and labels the shim copies
     * @param ingress true for an Ingress, the only kind cert-manager's ingress-shim reads
     */
    static Options read(ObjectMetaView meta, PolicyConfig config, Findings f, boolean ingress) {
        Map<String, String> own = meta.annotations();
        unknownKeys(own, config, f);
        boolean tlsAcme = readTlsAcme(own, f);
        boolean requested = own.containsKey(ISSUER) || own.containsKey(CLUSTER_ISSUER) || tlsAcme;
        // the shim, which acts on such an Ingress too, knows no template: the two would rewrite each other
        CertificateTemplate crtTemplate =
                ingress && requested ? CertificateTemplate.NONE : config.certificateTemplate();
        Map<String, String> a = crtTemplate.under(own);
        PlannedCertificate.IssuerRef issuer = resolveIssuer(a, config, tlsAcme, f);
        boolean issuerFromAnnotation = a.containsKey(ISSUER) || a.containsKey(CLUSTER_ISSUER);

        String commonName = a.get(COMMON_NAME);
        if (commonName != null && commonName.length() > 64) {
            f.deny(Violation.tooLong(
                    Check.CM_COMMON_NAME,
                    field(COMMON_NAME),
                    "the common name is " + commonName.length() + " characters long; X.509 allows at most 64",
                    "use a shorter name; the DNS names go in the SANs anyway"));
        }

        Long duration = readDuration(a, DURATION, f);
        if (duration != null && duration < MIN_DURATION) {
            f.deny(Violation.invalid(
                    Check.CM_DURATION,
                    field(DURATION),
                    "certificate duration " + a.get(DURATION) + " is shorter than cert-manager's minimum of 1h",
                    "use 1h or more, e.g. 2160h for 90 days"));
        }
        Long renewBefore = readDuration(a, RENEW_BEFORE, f);
        if (renewBefore != null) {
            long effective = duration != null ? duration : DEFAULT_DURATION;
            if (renewBefore < MIN_RENEW_BEFORE) {
                f.deny(Violation.invalid(
                        Check.CM_RENEW_BEFORE,
                        field(RENEW_BEFORE),
                        "renew-before " + a.get(RENEW_BEFORE) + " is shorter than cert-manager's minimum of 5m",
                        "use 5m or more, e.g. 720h for 30 days"));
            } else if (renewBefore >= effective) {
                String durationText = duration != null ? a.get(DURATION) : "2160h (cert-manager's default)";
                f.deny(Violation.invalid(
                        Check.CM_RENEW_BEFORE,
                        field(RENEW_BEFORE),
                        "renew-before " + a.get(RENEW_BEFORE) + " is not shorter than the duration " + durationText
                                + ", so cert-manager would renew forever",
                        "make renew-before shorter than the duration, e.g. a third of it"));
            }
        }

        Integer percentage = readRenewBeforePercentage(a, duration, f);

        List<String> usages = DEFAULT_USAGES;
        if (a.containsKey(USAGES)) {
            usages = new ArrayList<>();
            for (String raw : a.get(USAGES).split(",", -1)) {
                String u = trimSpaces(raw);
                if (!KEY_USAGES.contains(u)) {
                    f.deny(Violation.notSupported(
                            Check.CM_USAGES,
                            field(USAGES),
                            "'" + u + "' is not a key usage cert-manager knows",
                            "use comma-separated values such as \"digital signature,key encipherment,server auth\""));
                } else {
                    usages.add(u);
                }
            }
        }

        PlannedCertificate.PrivateKey privateKey = readPrivateKey(a, f);
        Integer revisionHistoryLimit = readRevisionHistoryLimit(a, f);
        PlannedCertificate.Subject subject = readSubject(a, f);
        List<String> emails = readEmails(a, f);
        List<String> ips = readIps(a, f);
        List<String> uris = readUris(a, f);
        PlannedCertificate.SecretTemplate template = readSecretTemplate(a, f);
        List<String> altNames = readAltNames(a, f);

        return new Options(
                issuer,
                requested,
                issuerFromAnnotation,
                commonName,
                duration == null ? null : GoDuration.format(duration),
                renewBefore == null ? null : GoDuration.format(renewBefore),
                usages,
                privateKey,
                revisionHistoryLimit,
                subject,
                emails,
                ips,
                uris,
                template,
                altNames,
                percentage,
                under(crtTemplate.annotations(), certificateAnnotations(meta, config, f, ingress)),
                under(crtTemplate.labels(), labels(meta)));
    }

    private static Map<String, String> under(Map<String, String> defaults, Map<String, String> values) {
        Map<String, String> merged = new LinkedHashMap<>(defaults);
        merged.putAll(values);
        return merged;
    }

    /** Spaces only, as the shim's strings.Trim(s, " "): a tab or a newline stays and is refused. */
    private static String trimSpaces(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == ' ') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == ' ') {
            to--;
        }
        return s.substring(from, to);
    }

    /** The route's labels as the shim copies them: all but kubectl's applyset label. */
    private static Map<String, String> labels(ObjectMetaView meta) {
        Map<String, String> labels = new LinkedHashMap<>(meta.labels());
        labels.remove(APPLYSET_LABEL);
        return labels;
    }

    /**
     * The annotations the shim puts on the Certificate: the keys of {@code --extra-certificate-annotations}
     * the route has, then the HTTP-01 overrides (which win, as the shim sets them last).
     */
    private static Map<String, String> certificateAnnotations(
            ObjectMetaView meta, PolicyConfig config, Findings f, boolean ingress) {
        Map<String, String> a = meta.annotations();
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : config.extraCertificateAnnotations()) {
            if (a.containsKey(key)) {
                out.put(key, a.get(key));
            }
        }
        String editInPlace = a.get(HTTP01_EDIT_IN_PLACE);
        if (editInPlace != null) {
            if (!ingress) {
                f.warn(
                        Check.CM_HTTP01_EDIT_IN_PLACE,
                        field(HTTP01_EDIT_IN_PLACE),
                        "has no effect here: the HTTP-01 solver edits only an Ingress; set the solver's class with "
                                + "http01-ingress-ingressclassname");
            } else if (editInPlace.equals("true")) {
                if (meta.name() != null) {
                    out.put(OVERRIDE_INGRESS_NAME, meta.name());
                }
                out.put(ISSUE_TEMPORARY_CERTIFICATE, "true");
            } else {
                f.warn(
                        Check.CM_HTTP01_EDIT_IN_PLACE,
                        field(HTTP01_EDIT_IN_PLACE),
                        "'" + editInPlace + "' is not \"true\", the only value cert-manager treats as true; "
                                + "the HTTP-01 solver creates its own Ingress instead");
            }
        }
        String ingressClass = a.get(HTTP01_INGRESS_CLASS);
        if (ingressClass != null && !ingressClass.isEmpty()) {
            out.put(OVERRIDE_INGRESS_CLASS, ingressClass);
        }
        String ingressClassName = a.get(HTTP01_INGRESS_CLASS_NAME);
        if (ingressClassName != null && !ingressClassName.isEmpty()) {
            out.put(OVERRIDE_INGRESS_CLASS_NAME, ingressClassName);
        }
        return out;
    }

    /**
     * A key under cert-manager's prefixes that neither routecert nor the shim reads is most often a
     * typo, and a typo in cluster-issuer silently means no Certificate: warn, with the closest known key.
     */
    private static void unknownKeys(Map<String, String> a, PolicyConfig config, Findings f) {
        for (String key : a.keySet()) {
            if (!(key.startsWith(PREFIX) || key.startsWith(ACME_PREFIX))
                    || KNOWN.contains(key)
                    || config.extraCertificateAnnotations().contains(key)) {
                continue;
            }
            String closest = closestKnown(key);
            f.warn(
                    Check.CM_UNKNOWN_ANNOTATION,
                    field(key),
                    "neither routecert nor cert-manager's ingress-shim reads this annotation"
                            + (closest == null
                                    ? "; the keys they read are listed in routecert's policy page"
                                    : "; did you mean " + closest + "?"));
        }
    }

    /** The known key closest to {@code key} by edit distance, when close enough to be a typo; else null. */
    static String closestKnown(String key) {
        if (key.equals(PREFIX + "issuer-name")) {
            return ISSUER; // cert-manager's docs name it, but the shim reads only cert-manager.io/issuer
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : KNOWN) {
            int d = Check.distance(key, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        int suffix = key.length() - (key.startsWith(ACME_PREFIX) ? ACME_PREFIX.length() : PREFIX.length());
        return bestDistance <= Math.max(2, suffix / 4) ? best : null;
    }

    /**
     * {@code renew-before-percentage}: an int32, not with renew-before, and within what cert-manager's
     * webhook accepts for the duration: it takes renewBefore as duration * (100 - p) / 100 and requires
     * at least 5m and less than the duration.
     */
    private static Integer readRenewBeforePercentage(Map<String, String> a, Long duration, Findings f) {
        String v = a.get(RENEW_BEFORE_PERCENTAGE);
        if (v == null) {
            return null;
        }
        Integer p = GoStrconv.atoi(v);
        if (p == null) {
            f.deny(Violation.invalid(
                    Check.CM_RENEW_BEFORE_PERCENTAGE,
                    field(RENEW_BEFORE_PERCENTAGE),
                    "'" + v + "' is not a whole number",
                    "write a percentage such as \"33\""));
            return null;
        }
        if (a.containsKey(RENEW_BEFORE)) {
            f.deny(Violation.forbidden(
                    Check.CM_RENEW_BEFORE_PERCENTAGE,
                    field(RENEW_BEFORE_PERCENTAGE),
                    "renew-before and renew-before-percentage are set together; cert-manager refuses the "
                            + "Certificate: renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set",
                    "keep only one of " + RENEW_BEFORE + " and " + RENEW_BEFORE_PERCENTAGE));
            return null;
        }
        long d = duration != null ? duration : DEFAULT_DURATION;
        int highest = 99;
        while (highest > 0 && renewBeforeOf(d, highest) < MIN_RENEW_BEFORE) {
            highest--;
        }
        long renewBefore = renewBeforeOf(d, p);
        if (renewBefore < MIN_RENEW_BEFORE || renewBefore >= d) {
            String durationText = duration != null ? a.get(DURATION) : "2160h (cert-manager's default)";
            f.deny(Violation.invalid(
                    Check.CM_RENEW_BEFORE_PERCENTAGE,
                    field(RENEW_BEFORE_PERCENTAGE),
                    "renew-before-percentage " + p + " is outside what cert-manager's webhook accepts for the duration "
                            + durationText + ": 1 to " + highest,
                    "use a value from 1 to " + highest + ", e.g. 33"));
            return null;
        }
        return p;
    }

    /** The webhook's arithmetic, in Go's int64 nanoseconds (overflow included). */
    private static long renewBeforeOf(long duration, int percentage) {
        return duration * (100L - percentage) / 100;
    }

    /**
     * {@code alt-names}, split at commas as written: the shim appends each to dnsNames unchecked. routecert
     * is stricter and refuses what is not a DNS name, which the CA would refuse to sign.
     */
    private static List<String> readAltNames(Map<String, String> a, Findings f) {
        String v = a.get(ALT_NAMES);
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String name : v.split(",", -1)) {
            HostName.Check c = HostName.check(name);
            boolean spaced = !name.equals(name.strip());
            if (spaced || !c.ok() || c.name() == null) {
                f.deny(Violation.invalid(
                        Check.CM_ALT_NAMES,
                        field(ALT_NAMES),
                        "'" + name + "' is not a DNS name"
                                + (spaced ? " (cert-manager splits at commas and keeps the spaces)" : "")
                                + "; cert-manager would copy it into dnsNames unchecked and issuance would fail",
                        "write DNS names separated by commas without spaces, e.g. www.example.com,api.example.com"));
            } else if (c.name().isIp()) {
                f.deny(Violation.invalid(
                        Check.CM_ALT_NAMES,
                        field(ALT_NAMES),
                        "'" + name + "' is an IP address, which cert-manager would put among the DNS names",
                        "move it to " + IP_SANS));
            } else {
                out.add(name);
            }
        }
        return out;
    }

    private static boolean readTlsAcme(Map<String, String> a, Findings f) {
        String v = a.get(TLS_ACME);
        if (v == null) {
            return false;
        }
        return switch (v) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> {
                f.warn(
                        Check.CM_TLS_ACME_VALUE,
                        field(TLS_ACME),
                        "'" + v + "' is not a boolean; cert-manager treats it as false (use \"true\")");
                yield false;
            }
        };
    }

    /** cert-manager's issuerForIngressLike, with each conflict reported at the annotation that causes it. */
    private static PlannedCertificate.IssuerRef resolveIssuer(
            Map<String, String> a, PolicyConfig config, boolean tlsAcme, Findings f) {
        String name = config.defaultIssuerName();
        String kind = config.defaultIssuerKind();
        String group = config.defaultIssuerGroup();
        boolean ok = true;
        boolean hasIssuer = a.containsKey(ISSUER);
        boolean hasCluster = a.containsKey(CLUSTER_ISSUER);
        if (hasIssuer) {
            name = a.get(ISSUER);
            kind = PolicyConfig.ISSUER;
        }
        if (hasCluster) {
            name = a.get(CLUSTER_ISSUER);
            kind = PolicyConfig.CLUSTER_ISSUER;
        }
        if (a.containsKey(ISSUER_KIND)) {
            kind = a.get(ISSUER_KIND);
        }
        if (a.containsKey(ISSUER_GROUP)) {
            group = a.get(ISSUER_GROUP);
        }
        if (hasIssuer && hasCluster) {
            ok = false;
            f.deny(Violation.forbidden(
                    Check.CM_ISSUER_CONFLICT,
                    field(CLUSTER_ISSUER),
                    "both " + ISSUER + " and " + CLUSTER_ISSUER + " are set, and cert-manager refuses to choose",
                    "keep only one of the two annotations"));
        }
        if (hasCluster && a.containsKey(ISSUER_GROUP)) {
            ok = false;
            f.deny(Violation.forbidden(
                    Check.CM_ISSUER_CONFLICT,
                    field(ISSUER_GROUP),
                    ISSUER_GROUP + " cannot be combined with " + CLUSTER_ISSUER,
                    "remove " + ISSUER_GROUP + ", or name an external issuer with " + ISSUER + " and " + ISSUER_KIND));
        }
        if (hasCluster && a.containsKey(ISSUER_KIND)) {
            ok = false;
            f.deny(Violation.forbidden(
                    Check.CM_ISSUER_CONFLICT,
                    field(ISSUER_KIND),
                    ISSUER_KIND + " cannot be combined with " + CLUSTER_ISSUER,
                    "remove " + ISSUER_KIND + "; " + CLUSTER_ISSUER + " already means kind ClusterIssuer"));
        }
        if (hasIssuer && a.get(ISSUER).isEmpty() && !hasCluster) {
            ok = false;
            f.deny(Violation.required(
                    Check.CM_ISSUER_EMPTY,
                    field(ISSUER),
                    "the issuer name is empty",
                    "write the name of an Issuer in this namespace"));
        }
        if (hasCluster && a.get(CLUSTER_ISSUER).isEmpty() && !hasIssuer) {
            ok = false;
            f.deny(Violation.required(
                    Check.CM_ISSUER_EMPTY,
                    field(CLUSTER_ISSUER),
                    "the cluster issuer name is empty",
                    "write the name of a ClusterIssuer"));
        }
        boolean builtInGroup = group == null || group.isEmpty() || group.equals(PolicyConfig.CERT_MANAGER_GROUP);
        if (a.containsKey(ISSUER_KIND)
                && builtInGroup
                && !kind.isEmpty()
                && !kind.equals(PolicyConfig.ISSUER)
                && !kind.equals(PolicyConfig.CLUSTER_ISSUER)) {
            ok = false;
            f.deny(Violation.notSupported(
                    Check.CM_ISSUER_KIND,
                    field(ISSUER_KIND),
                    "kind '" + kind + "' is not Issuer or ClusterIssuer, and "
                            + "issuers of the cert-manager.io group have no other kinds",
                    a.containsKey(ISSUER_GROUP)
                            ? "use Issuer or ClusterIssuer"
                            : "did you forget " + ISSUER_GROUP + " for an external issuer?"));
        }
        if (name == null || name.isEmpty()) {
            if (tlsAcme) {
                f.deny(Violation.required(
                        Check.CM_ISSUER_MISSING,
                        field(TLS_ACME),
                        "kubernetes.io/tls-acme asks for a certificate, but no issuer is "
                                + "named and no default issuer is configured",
                        "add " + CLUSTER_ISSUER + ": <name> (or " + ISSUER
                                + "), or configure a default issuer for routecert"));
            } else if (a.containsKey(ISSUER_KIND) || a.containsKey(ISSUER_GROUP)) {
                String which = a.containsKey(ISSUER_KIND) ? ISSUER_KIND : ISSUER_GROUP;
                f.deny(Violation.required(
                        Check.CM_ISSUER_MISSING,
                        field(which),
                        which + " is set but no issuer name is given",
                        "add " + ISSUER + ": <name>"));
            }
            return null;
        }
        return ok ? new PlannedCertificate.IssuerRef(name, kind, group) : null;
    }

    private static Long readDuration(Map<String, String> a, String key, Findings f) {
        String v = a.get(key);
        if (v == null) {
            return null;
        }
        GoDuration.Parsed p = GoDuration.parse(v);
        if (!p.ok()) {
            f.deny(
                    Violation.invalid(
                            (key.equals(DURATION) ? Check.CM_DURATION : Check.CM_RENEW_BEFORE),
                            field(key),
                            "'" + v + "' is not a duration cert-manager can read: " + p.error(),
                            "write hours and minutes such as 2160h or 1h30m; the units are h, m, s, ms, us and ns, and there is none for days"));
            return null;
        }
        return p.nanos();
    }

    private static PlannedCertificate.PrivateKey readPrivateKey(Map<String, String> a, Findings f) {
        String algorithm = a.get(PRIVATE_KEY_ALGORITHM);
        boolean algorithmOk = true;
        if (algorithm != null && !Set.of("RSA", "ECDSA", "Ed25519").contains(algorithm)) {
            algorithmOk = false;
            f.deny(Violation.notSupported(
                    Check.CM_PRIVATE_KEY,
                    field(PRIVATE_KEY_ALGORITHM),
                    "'" + algorithm + "' is not a private key algorithm cert-manager supports",
                    "use RSA, ECDSA or Ed25519, spelled exactly so"));
        }
        String encoding = a.get(PRIVATE_KEY_ENCODING);
        if (encoding != null && !encoding.equals("PKCS1") && !encoding.equals("PKCS8")) {
            f.deny(Violation.notSupported(
                    Check.CM_PRIVATE_KEY,
                    field(PRIVATE_KEY_ENCODING),
                    "'" + encoding + "' is not a private key encoding",
                    "use PKCS1 or PKCS8"));
            encoding = null;
        }
        String rotation = a.get(PRIVATE_KEY_ROTATION_POLICY);
        if (rotation != null && !rotation.equals("Never") && !rotation.equals("Always")) {
            f.deny(Violation.notSupported(
                    Check.CM_PRIVATE_KEY,
                    field(PRIVATE_KEY_ROTATION_POLICY),
                    "'" + rotation + "' is not a rotation policy",
                    "use Always or Never"));
            rotation = null;
        }
        Integer size = null;
        String sizeText = a.get(PRIVATE_KEY_SIZE);
        if (sizeText != null) {
            Integer parsed = GoStrconv.atoi(sizeText);
            if (parsed == null) {
                f.deny(Violation.invalid(
                        Check.CM_PRIVATE_KEY,
                        field(PRIVATE_KEY_SIZE),
                        "'" + sizeText + "' is not a whole number",
                        "write the key size in bits, e.g. \"4096\""));
            } else if (algorithmOk) {
                String effective = algorithm == null ? "RSA" : algorithm;
                switch (effective) {
                    case "RSA" -> {
                        if (parsed < 2048 || parsed > 8192) {
                            f.deny(Violation.invalid(
                                    Check.CM_PRIVATE_KEY,
                                    field(PRIVATE_KEY_SIZE),
                                    "RSA key size " + parsed
                                            + " is outside the range cert-manager accepts (2048 to 8192)"
                                            + (algorithm == null ? "; RSA is the default algorithm" : ""),
                                    "use 2048, 3072 or 4096, or set " + PRIVATE_KEY_ALGORITHM
                                            + ": ECDSA with size 256"));
                        } else {
                            size = parsed;
                        }
                    }
                    case "ECDSA" -> {
                        if (parsed != 256 && parsed != 384 && parsed != 521) {
                            f.deny(Violation.notSupported(
                                    Check.CM_PRIVATE_KEY,
                                    field(PRIVATE_KEY_SIZE),
                                    "ECDSA key size " + parsed + " is not supported",
                                    "use 256, 384 or 521"));
                        } else {
                            size = parsed;
                        }
                    }
                    default ->
                        f.warn(
                                Check.CM_KEY_SIZE_IGNORED,
                                field(PRIVATE_KEY_SIZE),
                                "Ed25519 keys have a fixed size; cert-manager ignores " + sizeText);
                }
            }
        }
        if (!algorithmOk) {
            algorithm = null;
        }
        if (algorithm == null && size == null && encoding == null && rotation == null) {
            return null;
        }
        return new PlannedCertificate.PrivateKey(algorithm, size, encoding, rotation);
    }

    private static Integer readRevisionHistoryLimit(Map<String, String> a, Findings f) {
        String v = a.get(REVISION_HISTORY_LIMIT);
        if (v == null) {
            return null;
        }
        Integer n = GoStrconv.atoi(v);
        if (n == null) {
            f.deny(Violation.invalid(
                    Check.CM_REVISION_HISTORY_LIMIT,
                    field(REVISION_HISTORY_LIMIT),
                    "'" + v + "' is not a whole number",
                    "write a number such as \"3\""));
            return null;
        }
        if (n < 1) {
            f.deny(Violation.invalid(
                    Check.CM_REVISION_HISTORY_LIMIT,
                    field(REVISION_HISTORY_LIMIT),
                    "revision history limit " + n + " is less than 1",
                    "use 1 or more, or remove the annotation to keep every CertificateRequest"));
            return null;
        }
        return n;
    }

    private static PlannedCertificate.Subject readSubject(Map<String, String> a, Findings f) {
        List<String> orgs = csv(a, SUBJECT_ORGANIZATIONS, f);
        List<String> units = csv(a, SUBJECT_ORGANIZATIONAL_UNITS, f);
        List<String> countries = csv(a, SUBJECT_COUNTRIES, f);
        List<String> provinces = csv(a, SUBJECT_PROVINCES, f);
        List<String> localities = csv(a, SUBJECT_LOCALITIES, f);
        List<String> postal = csv(a, SUBJECT_POSTAL_CODES, f);
        List<String> streets = csv(a, SUBJECT_STREET_ADDRESSES, f);
        String serial = a.get(SUBJECT_SERIAL_NUMBER);
        PlannedCertificate.Subject s =
                new PlannedCertificate.Subject(orgs, units, countries, provinces, localities, postal, streets, serial);
        return s.isEmpty() ? null : s;
    }

    private static List<String> csv(Map<String, String> a, String key, Findings f) {
        String v = a.get(key);
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        String error = GoCsv.splitRecord(v, out);
        if (error != null) {
            f.deny(Violation.invalid(
                    Check.CM_SUBJECT,
                    field(key),
                    "cannot be read as one line of comma-separated values: " + error,
                    "separate values with commas and wrap a value that contains a comma in double quotes"));
            return List.of();
        }
        return out;
    }

    private static List<String> readEmails(Map<String, String> a, Findings f) {
        String v = a.get(EMAIL_SANS);
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String e : v.split(",", -1)) {
            if (!EmailAddresses.isAddress(e)) {
                f.deny(
                        Violation.invalid(
                                Check.CM_EMAIL_SANS,
                                field(EMAIL_SANS),
                                "'" + e + "' is not an email address cert-manager accepts",
                                "write plain addresses separated by commas, without spaces or display names: a@example.com,b@example.com"));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    private static List<String> readIps(Map<String, String> a, Findings f) {
        String v = a.get(IP_SANS);
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        // written as given: the shim splits at commas without trimming, and its webhook refuses what
        // is not an IP address, spaces included
        for (String ip : v.split(",", -1)) {
            if (IpAddresses.canonical(ip).isEmpty()) {
                f.deny(Violation.invalid(
                        Check.CM_IP_SANS,
                        field(IP_SANS),
                        "'" + ip + "' is not an IP address"
                                + (ip.equals(ip.strip())
                                        ? ""
                                        : " (cert-manager splits at commas and keeps the spaces)"),
                        "write addresses separated by commas without spaces, e.g. 10.0.0.1,2001:db8::1"));
            } else {
                out.add(ip);
            }
        }
        return out;
    }

    private static List<String> readUris(Map<String, String> a, Findings f) {
        String v = a.get(URI_SANS);
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String raw : v.split(",", -1)) {
            String u = raw.strip();
            boolean ok;
            try {
                URI uri = new URI(u);
                ok = uri.getScheme() != null && !u.isEmpty();
            } catch (URISyntaxException e) {
                ok = false;
            }
            if (!ok) {
                f.deny(Violation.invalid(
                        Check.CM_URI_SANS,
                        field(URI_SANS),
                        "'" + u + "' is not an absolute URI",
                        "write URIs with a scheme, separated by commas, e.g. spiffe://cluster.local/ns/web/sa/app"));
            } else {
                out.add(u);
            }
        }
        return out;
    }

    private static PlannedCertificate.SecretTemplate readSecretTemplate(Map<String, String> a, Findings f) {
        String v = a.get(SECRET_TEMPLATE);
        if (v == null) {
            return null;
        }
        String fld = field(SECRET_TEMPLATE);
        String hint =
                "write JSON like {\"labels\": {\"team\": \"web\"}, \"annotations\": {\"example.com/owner\": \"web\"}}";
        JsonNode root;
        try {
            root = JSON.readTree(v);
        } catch (JsonProcessingException e) {
            f.deny(Violation.invalid(
                    Check.CM_SECRET_TEMPLATE, fld, "is not valid JSON: " + e.getOriginalMessage(), hint));
            return null;
        }
        if (root == null || !root.isObject()) {
            f.deny(Violation.invalid(
                    Check.CM_SECRET_TEMPLATE, fld, "must be a JSON object with labels and/or annotations", hint));
            return null;
        }
        boolean ok = true;
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            switch (e.getKey()) {
                case "labels" -> ok &= readStringMap(e.getValue(), "labels", labels, fld, hint, f);
                case "annotations" -> ok &= readStringMap(e.getValue(), "annotations", annotations, fld, hint, f);
                default -> {
                    ok = false;
                    f.deny(Violation.invalid(
                            Check.CM_SECRET_TEMPLATE,
                            fld,
                            "unknown field '" + e.getKey() + "'; only labels and annotations are allowed",
                            hint));
                }
            }
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String err = KubeNames.qualifiedNameError(e.getKey());
            if (err == null) {
                err = KubeNames.labelValueError(e.getValue());
            }
            if (err != null) {
                ok = false;
                f.deny(Violation.invalid(
                        Check.CM_SECRET_TEMPLATE, fld, "label " + err, "use valid Kubernetes label keys and values"));
            }
        }
        for (String key : annotations.keySet()) {
            if (key.startsWith(PREFIX)) {
                ok = false;
                f.deny(Violation.forbidden(
                        Check.CM_SECRET_TEMPLATE,
                        fld,
                        "the Secret annotation '" + key + "' is reserved for cert-manager",
                        "use an annotation outside the cert-manager.io/ prefix"));
            } else {
                String err = KubeNames.qualifiedNameError(key);
                if (err != null) {
                    ok = false;
                    f.deny(Violation.invalid(
                            Check.CM_SECRET_TEMPLATE,
                            fld,
                            "annotation " + err,
                            "use valid Kubernetes annotation keys"));
                }
            }
        }
        if (!ok || (labels.isEmpty() && annotations.isEmpty())) {
            return null;
        }
        return new PlannedCertificate.SecretTemplate(labels, annotations);
    }

    private static boolean readStringMap(
            JsonNode node, String name, Map<String, String> into, String fld, String hint, Findings f) {
        if (node.isNull()) {
            return true;
        }
        if (!node.isObject()) {
            f.deny(Violation.invalid(Check.CM_SECRET_TEMPLATE, fld, name + " must be a JSON object of strings", hint));
            return false;
        }
        boolean ok = true;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                ok = false;
                f.deny(Violation.invalid(
                        Check.CM_SECRET_TEMPLATE, fld, name + "." + e.getKey() + " must be a string", hint));
            } else {
                into.put(e.getKey(), e.getValue().asText());
            }
        }
        return ok;
    }
}
