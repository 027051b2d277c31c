package dev.routecert.admission;

import java.util.List;

/**
 * What a policy reads of a review's objects, where it reads less than all of them. Whatever it does
 * not read is skipped while the review is parsed ({@link ReviewTreeReader}), so that a large object
 * costs only the tree the policy judges. The answer must not change: a policy that reads a field
 * must not leave it out here.
 *
 * @param oldObject whether the policy reads {@code request.oldObject}; when not, an UPDATE's request
 *                  carries none, and its previous copy of the object is only tokenized
 * @param lists     the lists in {@code spec} whose items it reads only in part
 */
public record ObjectReads(boolean oldObject, List<ListProjection> lists) {

    /** Everything: what a policy that declares nothing reads. */
    public static final ObjectReads ALL = new ObjectReads(true, List.of());

    public ObjectReads {
        lists = List.copyOf(lists);
    }
}
