package dev.routecert;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The layering, read from the compiled classes: dependencies point inward, to the pure policy core.
 * A dependency through a fully qualified name, a static call or a lambda counts as much as an import.
 */
class LayeringTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.routecert");

    /** java.io's files, readers and streams; an in-memory byte buffer is no I/O. */
    private static final DescribedPredicate<JavaClass> FILES_AND_STREAMS =
            new DescribedPredicate<>("are java.io classes other than in-memory byte arrays") {
                @Override
                public boolean test(JavaClass c) {
                    return c.getPackageName().equals("java.io")
                            && !c.getSimpleName().startsWith("ByteArray");
                }
            };

    /** The core takes records and returns records: no plumbing, no I/O, no threads, no clock. */
    @Test
    void policyDependsOnNoOuterLayerAndNoIo() {
        ArchRule rule = noClasses()
                .that()
                .resideInAnyPackage("dev.routecert.policy..", "dev.routecert.routes..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.routecert.admission..",
                        "dev.routecert.http..",
                        "dev.routecert.webhook..",
                        "dev.routecert.certificates..",
                        "dev.routecert.cluster..",
                        "dev.routecert.tls..",
                        "dev.routecert.cli..",
                        "dev.routecert.config..",
                        "io.javalin..",
                        "jakarta.servlet..",
                        "org.eclipse.jetty..",
                        "io.fabric8.kubernetes..",
                        "picocli..",
                        "org.slf4j..",
                        "java.nio.file..",
                        "java.net.http..",
                        "java.util.concurrent..")
                .orShould()
                .dependOnClassesThat(FILES_AND_STREAMS)
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(Thread.class.getName())
                .orShould()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(System.class, "nanoTime")
                .orShould()
                .callMethod(System.class, "getenv", String.class)
                .orShould()
                .callMethod(java.time.Instant.class, "now")
                .because("the policy is a pure function of the object and the configuration");
        rule.check(MAIN);
    }

    /** The admission plumbing knows AdmissionReviews, not Traefik, Ingresses or Certificates. */
    @Test
    void admissionKnowsNothingOfRoutesOrCertificates() {
        noClasses()
                .that()
                .resideInAPackage("dev.routecert.admission..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.routecert.policy..",
                        "dev.routecert.routes..",
                        "dev.routecert.webhook..",
                        "dev.routecert.certificates..",
                        "dev.routecert.http..",
                        "dev.routecert.cluster..",
                        "dev.routecert.cli..")
                .check(MAIN);
    }

    /** The HTTP boundary serves any admission policy: it never reaches the route policy or the cluster. */
    @Test
    void httpServesAdmissionPoliciesWithoutKnowingThem() {
        noClasses()
                .that()
                .resideInAPackage("dev.routecert.http..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.routecert.policy..",
                        "dev.routecert.routes..",
                        "dev.routecert.webhook..",
                        "dev.routecert.certificates..",
                        "dev.routecert.cluster..",
                        "dev.routecert.cli..")
                .check(MAIN);
    }

    /** The cluster side effects work the same under any front end. */
    @Test
    void certificatesAndClusterDoNotDependOnHttpOrTheCli() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.routecert.certificates..", "dev.routecert.cluster..", "dev.routecert.tenancy..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.routecert.http..", "dev.routecert.cli..", "io.javalin..", "jakarta.servlet..")
                .check(MAIN);
    }

    /** Only the composition root and the CLI put the pieces together. */
    @Test
    void onlyTheCompositionRootAndTheCliDependOnTheCli() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.routecert.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.routecert.cli..")
                .check(MAIN);
    }

    /** Polled files serve any content: the serving certificate and the policy file alike. */
    @Test
    void polledFilesKnowNothingOfWhatTheyHold() {
        noClasses()
                .that()
                .resideInAPackage("dev.routecert.files..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.routecert.policy..",
                        "dev.routecert.routes..",
                        "dev.routecert.tls..",
                        "dev.routecert.config..",
                        "dev.routecert.webhook..",
                        "dev.routecert.certificates..",
                        "dev.routecert.http..",
                        "dev.routecert.cli..")
                .check(MAIN);
    }
}
