import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a filter pins a field to, when an index can answer it: `field: scalar`,
 * `field: {$eq: scalar}` or `field: {$in: [scalars]}` (the field's top-level entry; the
 * entries are ANDed, so any one of them narrows the candidates). Anything else (null,
 * documents, arrays, regular expressions, other operators, `$and`/`$or`) pins nothing here,
 * and the stock matcher, which every candidate still goes through, decides.
 */
final class EqualityFilter {
  /** At most this many values of one `$in`, and key tuples of one lookup. */
  static final int MAX_LOOKUPS = 1000;

  private EqualityFilter() {}

  /** The normalised values the filter allows for `path`; null when it does not pin it. */
  static List<Object> pinnedValues(Document filter, String path) {
    if (!filter.containsKey(path)) return null;
    Object value = filter.get(path);
    if (IndexValue.isLookupScalar(value)) return List.of(IndexValue.normalize(value));
    if (!(value instanceof Document operator) || operator.size() != 1) return null;
    Object operand = operator.get("$eq");
    if (operand != null) return IndexValue.isLookupScalar(operand) ? List.of(IndexValue.normalize(operand)) : null;
    if (!(operator.get("$in") instanceof Collection<?> in) || in.size() > MAX_LOOKUPS) return null;
    Set<Object> values = new LinkedHashSet<>();
    for (Object element : in) {
      if (!IndexValue.isLookupScalar(element)) return null;
      values.add(IndexValue.normalize(element));
    }
    return new ArrayList<>(values);
  }

  /** Every tuple of one value per list, in order; null when there would be more than `limit`. */
  static List<List<Object>> product(List<? extends Collection<Object>> valuesPerKey, int limit) {
    long size = 1;
    for (Collection<Object> values : valuesPerKey) {
      size *= values.size();
      if (size > limit) return null;
    }
    List<List<Object>> tuples = new ArrayList<>();
    tuples.add(List.of());
    for (Collection<Object> values : valuesPerKey) {
      List<List<Object>> longer = new ArrayList<>();
      for (List<Object> tuple : tuples) {
        for (Object value : values) {
          List<Object> next = new ArrayList<>(tuple);
          next.add(value);
          longer.add(next);
        }
      }
      tuples = longer;
    }
    return tuples;
  }
}
