package dev.routecert.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which changes to an object being deleted make routecert judge it again. */
class TerminatingUpdateTest {

    private static final String OLD = """
            metadata:
              name: shop
              deletionTimestamp: "2026-11-22T09:00:00Z"
              finalizers: [example.com/hold]
              labels: {team: web}
              annotations:
                cert-manager.io/cluster-issuer: letsencrypt-prod
                example.com/owner: web
            spec:
              rules: [{host: shop.example.com}]
            """;

    @ParameterizedTest(name = "{0} = {1}: {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                "/metadata/finalizers                                 | []         | false",
                "/metadata/labels                                     | {}         | false",
                "/metadata/annotations/example.com~1owner             | '\"ops\"'  | false",
                "/metadata/annotations/kubernetes.io~1ingress.class   | '\"x\"'    | false",
                "/metadata/resourceVersion                            | '\"2\"'    | false",
                "/spec/rules                                          | []         | true",
                "/spec/tls                                            | []         | true",
                "/spec                                                | -          | true",
                "/metadata/annotations/cert-manager.io~1cluster-issuer | '\"other\"' | true",
                "/metadata/annotations/cert-manager.io~1cluster-issuer | -          | true",
                "/metadata/annotations/cert-manager.io~1duration      | '\"1h\"'   | true",
                "/metadata/annotations/acme.cert-manager.io~1http01-edit-in-place | '\"true\"' | true",
                "/metadata/annotations/kubernetes.io~1tls-acme        | '\"true\"' | true",
                "/metadata/annotations/routecert.dev~1anything        | '\"x\"'    | true",
                "/metadata/annotations                                | -          | true",
            })
    void onlyTheSpecAndCertificateAnnotationsCount(String pointer, String json, boolean checked) throws Exception {
        JsonNode old = Fixtures.YAML.readTree(OLD);
        JsonNode updated = old.deepCopy();
        int slash = pointer.lastIndexOf('/');
        ObjectNode parent = (ObjectNode) updated.at(pointer.substring(0, slash));
        String field = pointer.substring(slash + 1).replace("~1", "/");
        if (json == null) {
            parent.remove(field);
        } else {
            parent.set(field, Fixtures.YAML.readTree(json));
        }
        assertEquals(checked, RoutePolicy.changesWhatIsChecked(old, updated));
        assertEquals(checked, RoutePolicy.changesWhatIsChecked(updated, old), "either way round");
    }
}
