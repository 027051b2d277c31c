package dev.routecert.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.config.CertificateOptions;
import dev.routecert.kube.Commands.CommandResult;
import dev.routecert.kube.KubeClusterExtension;
import dev.routecert.kube.WebhookUnderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** failurePolicy: Fail with routecert gone: routes are refused with a clear error, nothing else is affected. */
class WebhookDownIT {

    @RegisterExtension
    static final KubeClusterExtension KUBE =
            KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults());

    @Test
    void routesAreRefusedClearlyAndOtherKindsAreUnaffected() throws Exception {
        WebhookUnderTest webhook = KUBE.routecert();
        String namespace = webhook.namespace("down");
        webhook.stopServer();

        CommandResult route = webhook.kubectl("""
                    apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata: {name: while-down}
                    spec:
                      rules:
                        - host: down.example.com
                          http:
                            paths:
                              - {path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}
                    """, "apply", "-n", namespace, "-f", "-");
        assertEquals(1, route.exitCode(), route.output());
        assertTrue(
                route.stderr().contains("Internal error occurred: failed calling webhook \"mutate.routecert.dev\""),
                route.stderr());
        assertTrue(route.stderr().contains("connection refused"), route.stderr());
        CommandResult absent = webhook.kubectl(null, "get", "ingress", "while-down", "-n", namespace);
        assertTrue(absent.stderr().contains("NotFound"), absent.output());

        CommandResult configMap = webhook.kubectl("""
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: unaffected}
                    data: {k: v}
                    """, "apply", "-n", namespace, "-f", "-");
        assertEquals(0, configMap.exitCode(), configMap.output());
        assertEquals("configmap/unaffected created", configMap.stdout().trim());
    }
}
