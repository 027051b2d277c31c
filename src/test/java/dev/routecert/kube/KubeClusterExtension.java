package dev.routecert.kube;

import dev.routecert.config.CertificateOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests the {@link KubeCluster#shared() shared cluster}, started once per JVM and
 * stopped when the JUnit run ends (the root store closes it), whatever the tests' outcome. A
 * cluster that cannot start fails every test that uses it, with the reason.
 *
 * <p>Declared with {@code @ExtendWith(KubeClusterExtension.class)}, it resolves parameters of type
 * {@link KubeCluster}, {@link TestNamespace} (a namespace and admin client of the test class's own)
 * and {@link ClusterFixture} (one per test class). Registered as a static field,
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KubeClusterExtension KUBE = KubeClusterExtension.withRoutecert(fixture -> CertificateOptions.defaults())
 *         .withClusterIssuers();
 * }</pre>
 *
 * it also starts routecert in-process and registers it as {@code manifests/} does
 * ({@link WebhookUnderTest}) before the class's {@code @BeforeAll} methods, which then find it in
 * {@link #routecert()} or as a parameter. Everything made for a class goes when the class is done.
 */
public final class KubeClusterExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KubeClusterExtension.class);

    private final boolean withFixture;
    private final boolean clusterIssuers;
    private final Function<ClusterFixture, CertificateOptions> routecert;
    private final int replicas;
    private final String policy;
    private Path policyFile;
    private ClusterFixture fixture;
    private WebhookUnderTest webhook;

    /** The cluster alone, for {@code @ExtendWith}. */
    public KubeClusterExtension() {
        this(false, false, null, 1, null);
    }

    private KubeClusterExtension(
            boolean withFixture,
            boolean clusterIssuers,
            Function<ClusterFixture, CertificateOptions> routecert,
            int replicas,
            String policy) {
        this.withFixture = withFixture;
        this.clusterIssuers = clusterIssuers;
        this.routecert = routecert;
        this.replicas = replicas;
        this.policy = policy;
    }

    /**
     * routecert registered with the cluster, with the Certificate options {@code options} makes; it
     * may use the fixture first (say, for a namespace to hold the leader election Lease).
     */
    public static KubeClusterExtension withRoutecert(Function<ClusterFixture, CertificateOptions> options) {
        return new KubeClusterExtension(true, false, options, 1, null);
    }

    /** The cluster and a {@link ClusterFixture}, without routecert: for tests that start it their own way. */
    public static KubeClusterExtension withFixture() {
        return new KubeClusterExtension(true, false, null, 1, null);
    }

    /** Also the ClusterIssuers every Certificate test may name ({@link ClusterFixture#clusterIssuers()}). */
    public KubeClusterExtension withClusterIssuers() {
        return new KubeClusterExtension(true, true, routecert, replicas, policy);
    }

    /**
     * {@code replicas} routecerts with the same options behind the one registration
     * ({@link ClusterFixture#routecert(CertificateOptions, int)}); give them leader election.
     */
    public KubeClusterExtension withReplicas(int replicas) {
        return new KubeClusterExtension(withFixture, clusterIssuers, routecert, replicas, policy);
    }

    /** routecert started with {@code --policy-file} holding {@code yaml}; {@link #policyFile()} changes it. */
    public KubeClusterExtension withPolicyFile(String yaml) {
        return new KubeClusterExtension(true, clusterIssuers, routecert, replicas, yaml);
    }

    /** The policy file of {@link #withPolicyFile}. */
    public Path policyFile() {
        return policyFile;
    }

    /** This class's fixture; set once the class has started. */
    public ClusterFixture fixture() {
        if (fixture == null) {
            throw new IllegalStateException("the test class has not started: no cluster fixture yet");
        }
        return fixture;
    }

    /** routecert as registered for this class. */
    public WebhookUnderTest routecert() {
        if (webhook == null) {
            throw new IllegalStateException("no routecert: register the extension withRoutecert(...)");
        }
        return webhook;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
        if (withFixture) {
            fixture = fixture(context);
            if (routecert != null) {
                if (policy == null) {
                    webhook = fixture.routecert(routecert.apply(fixture), replicas); // the fixture closes it
                } else {
                    policyFile = writePolicy(fixture, policy);
                    webhook = fixture.routecert(routecert.apply(fixture), policyFile);
                }
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KubeCluster.class
                || type == TestNamespace.class
                || type == ClusterFixture.class
                || type == WebhookUnderTest.class && routecert != null;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == TestNamespace.class) {
            ExtensionContext classContext = classContext(context);
            return classContext
                    .getStore(NAMESPACE)
                    .computeIfAbsent(
                            TestNamespace.class,
                            key -> {
                                KubeCluster cluster = cluster(context);
                                String prefix = classContext
                                        .getRequiredTestClass()
                                        .getSimpleName()
                                        .toLowerCase(Locale.ROOT)
                                        .replaceAll("[^a-z0-9]", "");
                                return new TestNamespace(
                                        cluster,
                                        cluster.newClient(),
                                        cluster.createNamespace(prefix.substring(0, Math.min(prefix.length(), 30))));
                            },
                            TestNamespace.class);
        }
        if (type == ClusterFixture.class) {
            return fixture(context);
        }
        if (type == WebhookUnderTest.class) {
            return routecert();
        }
        return cluster(context);
    }

    /**
     * The test class's fixture, closed with the class's store (JUnit closes what it holds that is
     * AutoCloseable), and with it routecert, its registration and everything else it made.
     */
    private ClusterFixture fixture(ExtensionContext context) {
        return classContext(context)
                .getStore(NAMESPACE)
                .computeIfAbsent(
                        ClusterFixture.class,
                        key -> {
                            ClusterFixture made = new ClusterFixture(cluster(context));
                            if (clusterIssuers) {
                                made.clusterIssuers();
                            }
                            return made;
                        },
                        ClusterFixture.class);
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        return context.getTestClass().isPresent() && context.getTestMethod().isEmpty()
                ? context
                : context.getParent().orElse(context);
    }

    private static KubeCluster cluster(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .computeIfAbsent(KubeCluster.class, key -> KubeCluster.shared(), KubeCluster.class);
    }

    private static Path writePolicy(ClusterFixture fixture, String yaml) {
        try {
            Path dir = Files.createTempDirectory("routecert-policy-");
            fixture.onClose(() -> {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    System.err.println("cannot delete " + dir + ": " + e);
                }
            });
            return Files.writeString(dir.resolve("policy.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
