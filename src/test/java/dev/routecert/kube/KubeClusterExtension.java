package dev.routecert.kube;

import java.util.Locale;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes the {@link KubeCluster#shared() shared cluster}, started once per JVM and
 * stopped when the JUnit run ends (the root store closes it), whatever the tests' outcome.
 * A cluster that cannot start fails every test that uses it, with the reason. A
 * {@link TestNamespace} parameter gives the test class its own namespace and client, cleaned up
 * when the class is done.
 */
public final class KubeClusterExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KubeClusterExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KubeCluster.class || type == TestNamespace.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == TestNamespace.class) {
            ExtensionContext classContext = context.getTestClass().isPresent()
                            && context.getTestMethod().isEmpty()
                    ? context
                    : context.getParent().orElse(context);
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
        return cluster(context);
    }

    private static KubeCluster cluster(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .computeIfAbsent(KubeCluster.class, key -> KubeCluster.shared(), KubeCluster.class);
    }
}
