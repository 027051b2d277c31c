package dev.routecert.tls;

import java.util.Optional;
import java.util.function.Consumer;

/** Where the serving certificate comes from; tells listeners whenever a new one is in force. */
public interface CertificateSource extends AutoCloseable {

    /** The certificate in force, empty until the first one is loaded. */
    Optional<ServingCertificate> current();

    /** Called with every certificate that becomes current, including one already current. */
    void onChange(Consumer<ServingCertificate> listener);

    /** What readiness reports while no certificate is loaded yet. */
    String waitingFor();

    @Override
    void close();
}
