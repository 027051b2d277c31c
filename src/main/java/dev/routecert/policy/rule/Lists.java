package dev.routecert.policy.rule;

import java.util.ArrayList;
import java.util.List;

/** Building the short lists of a rule's tree and analysis. */
final class Lists {

    private Lists() {}

    /**
     * {@code list} with {@code item} added, starting from {@code List.of()}. Nearly every list in a
     * rule has one or two elements, so those stay immutable {@code List.of} lists, which
     * {@link List#copyOf} returns as they are; longer ones grow in an {@link ArrayList}, copied once
     * by whoever keeps them.
     */
    static <T> List<T> append(List<T> list, T item) {
        switch (list.size()) {
            case 0 -> {
                return List.of(item);
            }
            case 1 -> {
                return List.of(list.getFirst(), item);
            }
            default -> {
                List<T> grown = list instanceof ArrayList<T> a ? a : new ArrayList<>(list);
                grown.add(item);
                return grown;
            }
        }
    }
}
