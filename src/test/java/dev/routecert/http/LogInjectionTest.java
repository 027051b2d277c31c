package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routecert.admission.AdmissionPolicy;
import dev.routecert.policy.PolicyConfig;
import dev.routecert.policy.RoutePolicy;
import dev.routecert.tls.FixedCertificateSource;
import dev.routecert.tls.SelfSignedCertificates;
import dev.routecert.tls.ServingCertificate;
import dev.routecert.tls.TestPki;
import dev.routecert.webhook.RouteAdmission;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A tenant controls an object's name, generateName and namespace, and anything that reaches the port
 * controls the uid. A newline in any of them must not start a line of its own in the log: each
 * decision stays one line, with the values escaped.
 */
class LogInjectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ServingCertificate CERTIFICATE = SelfSignedCertificates.forLocalhost(Duration.ofDays(1));
    private static final String FORGED = "\n2026-01-01T00:00:00.000Z INFO admission - FORGED uid=x outcome=allowed";

    private static byte[] review(String uid, String kind, String name, String generateName, String namespace)
            throws IOException {
        ObjectNode review =
                JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", uid);
        request.putObject("kind")
                .put("group", "networking.k8s.io")
                .put("version", "v1")
                .put("kind", kind);
        request.putObject("resource")
                .put("group", "networking.k8s.io")
                .put("version", "v1")
                .put("resource", "ingresses");
        request.put("name", name).put("namespace", namespace).put("operation", "CREATE");
        ObjectNode object = request.putObject("object")
                .put("apiVersion", "networking.k8s.io/v1")
                .put("kind", "Ingress");
        object.putObject("metadata").put("generateName", generateName).put("namespace", namespace);
        object.putObject("spec").putArray("rules").addObject().put("host", "shop.example.com");
        return JSON.writeValueAsBytes(review);
    }

    @Test
    void aForgedNewlineStaysInsideItsDecisionLine() throws Exception {
        RoutePolicy policy = new RoutePolicy(PolicyConfig.defaults());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try (TestServer server = new TestServer(
                new FixedCertificateSource(CERTIFICATE),
                new RouteAdmission(policy, RouteAdmission.Mode.MUTATE),
                new RouteAdmission(policy, RouteAdmission.Mode.VALIDATE),
                TestPki.trusting(CERTIFICATE.leaf()),
                cfg -> cfg)) {
            System.setErr(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
            List<byte[]> bodies = List.of(
                    review("u-1" + FORGED, "Ingress", "", "web-" + FORGED, "ns"),
                    review("u-2", "Ingress", "shop" + FORGED, "", "ns" + FORGED + "\r\"quoted\""),
                    review("u-3" + FORGED, "Ingress\u2028\u0000", "", "", "ns"),
                    // refused before the policy: the rejection line carries the uid and the reason
                    review("u-4" + FORGED, "", "", "", "ns"));
            for (byte[] body : bodies) {
                int status = server.post("/validate", "application/json", body).statusCode();
                assertTrue(status == 200 || status == 400, "status " + status);
            }
        } finally {
            System.setErr(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> forged = lines.stream().filter(l -> l.contains("FORGED")).toList();
        assertEquals(4, forged.size(), "one line per review:\n" + String.join("\n", lines));
        for (String line : forged) {
            assertTrue(
                    line.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[.*\\] (INFO|WARN) admission - admission .*"), line);
            assertTrue(
                    line.contains("\\nFORGED") || line.contains("\\n2026-01-01T00:00:00.000Z INFO admission - FORGED"),
                    line);
        }
        assertTrue(forged.stream().anyMatch(l -> l.contains("object=\"ns\\n2026")), forged.toString());
        assertTrue(forged.stream().anyMatch(l -> l.contains("\\r\\\"quoted\\\"")), forged.toString());
        assertTrue(
                forged.stream().anyMatch(l -> l.contains("kind=\"networking.k8s.io/v1/Ingress\\u2028\\x00\"")),
                forged.toString());
        assertTrue(forged.stream().anyMatch(l -> l.contains("admission rejected")), forged.toString());
    }

    /**
     * A policy that throws on every review must not fill the log with a stack trace per review, nor
     * let the exception's message (which may quote the object) break the line: one line, with the
     * cause and where it was thrown as one escaped field.
     */
    @Test
    void aFailingPolicyLogsOneEscapedCauseLinePerReview() throws Exception {
        AdmissionPolicy throwing = request -> {
            throw new IllegalStateException("bad host" + FORGED);
        };
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try (TestServer server = new TestServer(
                new FixedCertificateSource(CERTIFICATE), throwing, TestPki.trusting(CERTIFICATE.leaf()), cfg -> cfg)) {
            System.setErr(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
            for (int i = 0; i < 2; i++) {
                int status = server.post("/validate", "application/json", review("u-" + i, "Ingress", "web", "", "ns"))
                        .statusCode();
                assertEquals(200, status);
            }
        } finally {
            System.setErr(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> failed =
                lines.stream().filter(l -> l.contains("policy failed")).toList();
        assertEquals(2, failed.size(), String.join("\n", lines));
        for (String line : failed) {
            assertTrue(
                    line.contains(" cause=\"java.lang.IllegalStateException at dev.routecert.http.LogInjectionTest"),
                    line);
            assertTrue(
                    line.endsWith(
                            ": bad host\\n2026-01-01T00:00:00.000Z INFO admission - FORGED uid=x outcome=allowed\""),
                    line);
        }
        assertEquals(
                List.of(),
                lines.stream()
                        .filter(l -> l.startsWith("\tat ") || l.contains("FORGED") && !l.contains("policy failed"))
                        .toList());
    }

    /** Writes to the real standard error and to the capture: the test's log stays visible. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
