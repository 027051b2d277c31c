package dev.routecert.admission;

import java.util.Objects;
import java.util.Set;

/**
 * The fields a policy reads of each item of one list in an object's {@code spec}, for one kind.
 * While a review of that kind is parsed, the items' other fields are skipped, so a large object's
 * tree holds only what is judged: an IngressRoute with thousands of routes keeps each route's rule,
 * not its services and middlewares. The answer must not change: a policy names every field it reads.
 *
 * @param group      the API group of {@code request.kind}, empty for the core group
 * @param version    its version
 * @param kind       its kind
 * @param specList   the list's field in {@code spec}, such as {@code routes}
 * @param itemFields the fields kept in each item that is an object; items of another shape are kept whole
 */
public record ListProjection(String group, String version, String kind, String specList, Set<String> itemFields) {

    public ListProjection {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(specList, "specList");
        itemFields = Set.copyOf(itemFields);
    }

    boolean appliesTo(String group, String version, String kind) {
        return this.group.equals(group) && this.version.equals(version) && this.kind.equals(kind);
    }
}
