package dev.routecert.certificates;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WriteGuardTest {

    @Test
    void refusesWritesIntoExcludedNamespacesBeforeAnythingIsSent() {
        WriteGuard guard = new WriteGuard(
                List.of("kube-system"),
                "routecert.dev/exempt",
                namespace -> Optional.of(namespace.equals("legacy") ? Map.of("routecert.dev/exempt", "") : Map.of()));
        StoreException byName = assertThrows(
                StoreException.class, () -> guard.check("kube-system", "create Certificate kube-system/x"));
        assertEquals(StoreException.Kind.FORBIDDEN, byName.kind());
        assertTrue(byName.getMessage().contains("--excluded-namespaces"), byName.getMessage());
        StoreException byLabel = assertThrows(StoreException.class, () -> guard.check("legacy", "record event"));
        assertEquals(StoreException.Kind.FORBIDDEN, byLabel.kind());
        assertTrue(byLabel.getMessage().contains("labelled routecert.dev/exempt"), byLabel.getMessage());
        assertDoesNotThrow(() -> guard.check("shop", "create Certificate shop/x"));
    }

    @Test
    void withoutNamespaceLabelsOnlyNamesExclude() {
        WriteGuard guard =
                new WriteGuard(List.of("kube-system"), "routecert.dev/exempt", WriteGuard.NamespaceLabels.NONE);
        assertTrue(guard.isExcluded("kube-system"));
        assertEquals(Optional.empty(), guard.excluded("legacy"));
        assertEquals(Optional.empty(), WriteGuard.NONE.excluded("kube-system"));
    }
}
