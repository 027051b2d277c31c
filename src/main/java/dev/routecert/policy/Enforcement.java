package dev.routecert.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What each check does for one namespace: an action per check, and a default for the checks that
 * deny by nature. Immutable. Which Enforcement applies to a namespace is decided outside the policy
 * core ({@link EnforcementSource}); the core only applies it.
 *
 * <p>The action of a check: its natural one if it is not tunable; else its own entry; else
 * {@link Action#WARN} if it warns by nature; else the default.
 */
public final class Enforcement {

    /** Every check as it acts by nature: routecert's behaviour without a policy. */
    public static final Enforcement DEFAULT = new Enforcement(Action.DENY, Map.of());

    /** The findings of one evaluation, sorted by the action they get; OFF findings are dropped. */
    public record Enforced(List<Violation> deny, List<Violation> warn, List<Violation> audit) {
        public Enforced {
            deny = List.copyOf(deny);
            warn = List.copyOf(warn);
            audit = List.copyOf(audit);
        }
    }

    private final Action defaultAction;
    private final Map<Check, Action> checks;

    private Enforcement(Action defaultAction, Map<Check, Action> checks) {
        this.defaultAction = Objects.requireNonNull(defaultAction, "defaultAction");
        EnumMap<Check, Action> copy = new EnumMap<>(Check.class);
        copy.putAll(checks);
        this.checks = Collections.unmodifiableMap(copy);
    }

    /** @param defaultAction for the checks that deny by nature and have no entry in {@code checks} */
    public static Enforcement of(Action defaultAction, Map<Check, Action> checks) {
        return new Enforcement(defaultAction, checks.isEmpty() ? Map.of() : new EnumMap<>(checks));
    }

    /** Every check that denies by nature gets {@code action}; the ones that warn keep warning. */
    public static Enforcement all(Action action) {
        return new Enforcement(action, Map.of());
    }

    public Enforcement withDefault(Action action) {
        return new Enforcement(action, checks);
    }

    public Enforcement with(Check check, Action action) {
        EnumMap<Check, Action> copy = new EnumMap<>(Check.class);
        copy.putAll(checks);
        copy.put(check, action);
        return new Enforcement(defaultAction, copy);
    }

    public Action defaultAction() {
        return defaultAction;
    }

    /** The entries per check, as given (including ones for checks that are not tunable, which are ignored). */
    public Map<Check, Action> checks() {
        return checks;
    }

    public Action actionOf(Check check) {
        if (!check.tunable()) {
            return check.natural();
        }
        Action own = checks.get(check);
        if (own != null) {
            return own;
        }
        return check.natural() == Action.WARN ? Action.WARN : defaultAction;
    }

    /** Sorts findings by action, keeping their order within each. */
    public Enforced apply(List<Violation> findings) {
        List<Violation> deny = new ArrayList<>();
        List<Violation> warn = new ArrayList<>();
        List<Violation> audit = new ArrayList<>();
        for (Violation v : findings) {
            switch (actionOf(v.check())) {
                case DENY -> deny.add(v.hint() == null ? withFix(v) : v);
                case WARN -> warn.add(v);
                case AUDIT -> audit.add(v);
                case OFF -> {}
            }
        }
        return new Enforced(deny, warn, audit);
    }

    /** A warning a policy makes deny still carries a fix, as every denial does. */
    private static Violation withFix(Violation v) {
        return new Violation(
                v.field(),
                v.message(),
                "the policy for this namespace makes " + v.check().id() + " deny; change what the message names",
                v.offset(),
                v.reason(),
                v.check());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Enforcement e && e.defaultAction == defaultAction && e.checks.equals(checks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(defaultAction, checks);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("default ").append(defaultAction.word());
        checks.forEach((c, a) -> b.append(", ").append(c.id()).append(' ').append(a.word()));
        return b.toString();
    }
}
