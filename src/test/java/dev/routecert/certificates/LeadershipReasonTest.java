package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class LeadershipReasonTest {

    private static KubernetesClientException answered(int code, String detailsKind) {
        Status status = new StatusBuilder()
                .withCode(code)
                .withMessage("namespaces \"ops\" not found")
                .withNewDetails()
                .withKind(detailsKind)
                .withName("ops")
                .endDetails()
                .build();
        return new KubernetesClientException(status);
    }

    @Test
    void theReasonIsBoundedAndSaysWhatIsWrong() {
        assertEquals(Leadership.Blocked.NAMESPACE_NOT_FOUND, Leadership.reason(answered(404, "namespaces")));
        assertEquals(
                Leadership.Blocked.ERROR, Leadership.reason(answered(404, "leases")), "a Lease gone is no namespace");
        assertEquals(Leadership.Blocked.FORBIDDEN, Leadership.reason(answered(403, "leases")));
        assertEquals(
                Leadership.Blocked.API_SERVER_UNREACHABLE,
                Leadership.reason(
                        new KubernetesClientException("An error has occurred.", new ConnectException("refused"))));
        assertEquals(Leadership.Blocked.ERROR, Leadership.reason(answered(500, null)));
    }
}
