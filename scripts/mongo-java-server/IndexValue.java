import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.LegacyUUID;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * A value as an index key, compared the way the stock query matcher compares equality
 * (its Utils.normalizeValue, which is package-private): every number becomes a Double
 * (-0.0 as 0.0), except a Long a double cannot hold, so 1, 1L and 1.0 are one key.
 */
final class IndexValue {
  private IndexValue() {}

  /** The key of a scalar; null for null/missing. Documents and arrays are not keys here. */
  static Object normalize(Object value) {
    if (Missing.isNullOrMissing(value)) return null;
    if (value instanceof Long longValue && longValue.longValue() != (long) longValue.doubleValue()) return value;
    if (value instanceof Number number) {
      double d = number.doubleValue();
      return Double.valueOf(d == -0.0 ? 0.0 : d);
    }
    return value;
  }

  /**
   * Whether a filter value is a plain scalar whose equality an index lookup can answer:
   * the types whose equals() is the matcher's equality once normalised. Not null (it also
   * matches missing fields), not documents, arrays, regular expressions or Decimal128.
   */
  static boolean isLookupScalar(Object value) {
    return value instanceof String || value instanceof Boolean || value instanceof ObjectId
        || value instanceof Integer || value instanceof Long || value instanceof Double
        || value instanceof Instant || value instanceof Date || value instanceof UUID || value instanceof LegacyUUID
        || value instanceof BinData;
  }
}
