import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.Document;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The values a document holds at a dotted path, as index keys. The stock matcher, for
 * `{'a.b': v}`, looks into every element of an array it meets on the way and at the end;
 * so do we, at every depth (a superset of what it can match: an index must never miss a
 * document the matcher would return). Only scalars are kept: an equality on a scalar
 * never matches a document or an array as a whole.
 */
final class PathValues {
  private PathValues() {}

  /** Whether an index on `path` can be looked up: no empty, numeric (array position) or `$` segments. */
  static boolean isLookupPath(String path) {
    for (String segment : path.split("\\.", -1)) {
      if (segment.isEmpty() || segment.startsWith("$") || segment.chars().allMatch(Character::isDigit)) return false;
    }
    return true;
  }

  /** The normalised scalars at `path` in `document` (empty when it is missing or null). */
  static Set<Object> of(Document document, String path) {
    Set<Object> values = new LinkedHashSet<>();
    collect(document, path.split("\\."), 0, values);
    return values;
  }

  /** Whether `path` in `document` goes through or ends at an array. */
  static boolean crossesArray(Document document, String path) {
    return crossesArray(document, path.split("\\."), 0);
  }

  private static void collect(Object value, String[] segments, int depth, Set<Object> values) {
    if (value instanceof Collection<?> elements) {
      for (Object element : elements) collect(element, segments, depth, values);
    } else if (depth == segments.length) {
      if (!Missing.isNullOrMissing(value) && !(value instanceof Document)) values.add(IndexValue.normalize(value));
    } else if (value instanceof Document document && document.containsKey(segments[depth])) {
      collect(document.get(segments[depth]), segments, depth + 1, values);
    }
  }

  private static boolean crossesArray(Object value, String[] segments, int depth) {
    if (value instanceof Collection<?>) return true;
    if (depth == segments.length || !(value instanceof Document document)) return false;
    return crossesArray(document.get(segments[depth]), segments, depth + 1);
  }
}
