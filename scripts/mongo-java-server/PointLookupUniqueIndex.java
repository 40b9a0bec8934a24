import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The memory backend's unique index (`_id` included), also serving a filter that pins every
 * key of the index among other fields, as MongoDB's planner does with `{_id: X, state: 'asked'}`:
 * the stock index serves only a filter whose fields are exactly its keys. It gives the
 * position(s) of the pinned key(s); the stock matcher then applies the whole filter.
 *
 * The stock key of a document with an array on an indexed path misses some matches (an
 * array inside an array of documents, say); such documents are candidates of every lookup
 * here, so the candidates are always a superset of the matches.
 */
final class PointLookupUniqueIndex extends MemoryUniqueIndex {
  private final boolean lookupPaths;
  private final TreeSet<Integer> crossingArrays = new TreeSet<>();

  PointLookupUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.lookupPaths = keys().stream().allMatch(PathValues::isLookupPath);
  }

  @Override
  public synchronized boolean canHandle(Document query) {
    return pinnedTuples(query) != null || super.canHandle(query);
  }

  @Override
  public synchronized Iterable<Integer> getPositions(Document query) {
    List<List<Object>> tuples = pinnedTuples(query);
    if (tuples == null) return super.getPositions(query);
    TreeSet<Integer> positions = new TreeSet<>(crossingArrays); // position order: the order of a scan
    for (List<Object> tuple : tuples) {
      Integer position = getPosition(new KeyValue(tuple));
      if (position != null) positions.add(position);
    }
    return new ArrayList<>(positions);
  }

  /**
   * The key tuples the filter allows, when it pins every key; null otherwise, and when the
   * filter is exactly the keys with an operator (`{_id: {$in: [...]}}`), which the stock
   * index answers in key order as before.
   */
  private List<List<Object>> pinnedTuples(Document query) {
    if (!lookupPaths) return null;
    List<List<Object>> valuesPerKey = new ArrayList<>();
    boolean allScalars = true;
    for (String key : keys()) {
      List<Object> values = EqualityFilter.pinnedValues(query, key);
      if (values == null) return null;
      allScalars &= IndexValue.isLookupScalar(query.get(key));
      valuesPerKey.add(values);
    }
    if (!allScalars && query.keySet().equals(keySet()) && super.canHandle(query)) return null;
    return EqualityFilter.product(valuesPerKey, EqualityFilter.MAX_LOOKUPS);
  }

  @Override
  public synchronized void add(Document document, Integer position, MongoCollection<Integer> collection) {
    super.add(document, position, collection);
    if (crossesArray(document)) crossingArrays.add(position);
  }

  @Override
  public synchronized Integer remove(Document document) {
    Integer position = super.remove(document);
    if (position != null) crossingArrays.remove(position);
    return position;
  }

  @Override
  public synchronized void updateInPlace(Document oldDocument, Document newDocument, Integer position,
                                         MongoCollection<Integer> collection) throws KeyConstraintError {
    super.updateInPlace(oldDocument, newDocument, position, collection);
    // The stock update keeps the entry when the keys are equal ([5] and 5 are): refresh the array mark.
    if (crossesArray(newDocument)) crossingArrays.add(position);
    else crossingArrays.remove(position);
  }

  private boolean crossesArray(Document document) {
    for (String key : keys()) {
      if (PathValues.crossesArray(document, key)) return true;
    }
    return false;
  }
}
