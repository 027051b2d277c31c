package dev.routecert.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Named readiness checks, reported like the API server's {@code /readyz?verbose}. The process is
 * ready when every registered check passes.
 */
public final class Readiness {

    private final Map<String, Supplier<String>> checks = new LinkedHashMap<>();

    /** Registers a check that fails, for the reason the supplier gives when asked, until it passes. */
    public synchronized void pending(String check, Supplier<String> reason) {
        checks.put(check, reason);
    }

    public synchronized void pass(String check) {
        checks.put(check, null);
    }

    public synchronized void fail(String check, String reason) {
        checks.put(check, () -> reason);
    }

    public synchronized boolean ready() {
        return checks.values().stream().allMatch(reason -> reason == null);
    }

    /** One line per check: {@code [+]name ok} or {@code [-]name failed: reason}. */
    public synchronized String report() {
        StringBuilder out = new StringBuilder();
        checks.forEach((check, reason) -> out.append(
                        reason == null ? "[+]" + check + " ok" : "[-]" + check + " failed: " + reason.get())
                .append('\n'));
        out.append(ready() ? "readyz check passed\n" : "readyz check failed\n");
        return out.toString();
    }
}
