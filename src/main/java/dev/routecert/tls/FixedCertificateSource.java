package dev.routecert.tls;

import java.util.Optional;
import java.util.function.Consumer;

/** A certificate that never changes: the self-signed default. */
public final class FixedCertificateSource implements CertificateSource {

    private final ServingCertificate certificate;

    public FixedCertificateSource(ServingCertificate certificate) {
        this.certificate = certificate;
    }

    @Override
    public Optional<ServingCertificate> current() {
        return Optional.of(certificate);
    }

    @Override
    public void onChange(Consumer<ServingCertificate> listener) {
        listener.accept(certificate);
    }

    @Override
    public String waitingFor() {
        return "nothing";
    }

    @Override
    public void close() {}
}
