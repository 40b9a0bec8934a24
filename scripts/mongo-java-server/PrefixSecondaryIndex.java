import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A non-unique index of the memory backend, which the stock backend does not keep (it
 * declares it and scans). Documents are kept by every prefix of the index's keys, so
 * `{channel, 'customer.id', state: {$in: [...]}}` and `{channel, 'customer.id'}` both find
 * their candidates on `{channel: 1, 'customer.id': 1, state: 1}`: a filter that pins the
 * first key at least (see EqualityFilter) looks up the longest prefix it pins.
 *
 * Candidates are a superset of the matches, in position order (a scan's order), and the
 * stock matcher applies the whole filter to them: a document is kept under every scalar at
 * its paths, through arrays (PathValues); one with too many key tuples (arrays on several
 * keys) is a candidate of every lookup; a missing or null field is never looked up (such a
 * filter pins nothing). Sparse and partial options change nothing here: every document is
 * kept (the declared options are listed by listIndexes as given, as before).
 */
final class PrefixSecondaryIndex extends Index<Integer> {
  /** More key tuples than this for one document (arrays on several keys): a candidate of every lookup. */
  private static final int MAX_TUPLES_PER_DOCUMENT = 256;

  private final List<String> paths;
  private final boolean lookupPaths;
  /** [n - 1]: the positions under each tuple of the first n keys' values. */
  private final List<Map<List<Object>, Positions>> positionsByPrefix = new ArrayList<>();
  private final TreeSet<Integer> alwaysCandidates = new TreeSet<>();
  /** Index.remove(document) gets no position: the document's `_id` gives it. */
  private final Map<Object, Integer> positionsById = new HashMap<>();
  /** A document without `_id` (system collections) or with a null one cannot be found again: lookups stop. */
  private boolean withoutIds;

  PrefixSecondaryIndex(String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.paths = keys();
    this.lookupPaths = paths.stream().allMatch(PathValues::isLookupPath);
    for (int i = 0; i < paths.size(); i++) positionsByPrefix.add(new HashMap<>());
  }

  /** How many leading keys the filter pins (0: this index cannot serve it). */
  synchronized int pinnedPrefix(Document query) {
    if (!lookupPaths || withoutIds) return 0;
    int pinned = 0;
    while (pinned < paths.size() && EqualityFilter.pinnedValues(query, paths.get(pinned)) != null) pinned++;
    return pinned;
  }

  @Override
  public synchronized boolean canHandle(Document query) {
    return pinnedPrefix(query) > 0;
  }

  @Override
  public synchronized Iterable<Integer> getPositions(Document query) {
    int pinned = pinnedPrefix(query);
    if (pinned == 0) throw new UnsupportedOperationException("the filter pins no key of " + getName());
    List<List<Object>> valuesPerKey = new ArrayList<>();
    for (int i = 0; i < pinned; i++) valuesPerKey.add(EqualityFilter.pinnedValues(query, paths.get(i)));
    // The longest prefix whose tuples stay few ($in on several keys multiplies them; one $in is bounded).
    int length = pinned;
    List<List<Object>> tuples = EqualityFilter.product(valuesPerKey.subList(0, length), EqualityFilter.MAX_LOOKUPS);
    while (tuples == null) {
      length--;
      tuples = EqualityFilter.product(valuesPerKey.subList(0, length), EqualityFilter.MAX_LOOKUPS);
    }
    TreeSet<Integer> positions = new TreeSet<>(alwaysCandidates); // position order: the order of a scan
    Map<List<Object>, Positions> byTuple = positionsByPrefix.get(length - 1);
    for (List<Object> tuple : tuples) {
      Positions found = byTuple.get(tuple);
      if (found != null) found.addTo(positions);
    }
    return new ArrayList<>(positions);
  }

  @Override
  public synchronized void add(Document document, Integer position, MongoCollection<Integer> collection) {
    Object id = idOf(document);
    if (id == null) {
      withoutIds = true;
      return;
    }
    positionsById.put(id, position);
    List<List<List<Object>>> tuplesPerPrefix = tuplesPerPrefix(document);
    if (tuplesPerPrefix == null) {
      alwaysCandidates.add(position);
      return;
    }
    for (int n = 0; n < tuplesPerPrefix.size(); n++) {
      Map<List<Object>, Positions> byTuple = positionsByPrefix.get(n);
      for (List<Object> tuple : tuplesPerPrefix.get(n)) byTuple.put(tuple, Positions.with(byTuple.get(tuple), position));
    }
  }

  @Override
  public synchronized Integer remove(Document document) {
    Object id = idOf(document);
    Integer position = id == null ? null : positionsById.remove(id);
    if (position != null) forget(document, position);
    return position;
  }

  @Override
  public synchronized void updateInPlace(Document oldDocument, Document newDocument, Integer position,
                                         MongoCollection<Integer> collection) {
    Object oldId = idOf(oldDocument);
    if (oldId != null) positionsById.remove(oldId);
    forget(oldDocument, position);
    add(newDocument, position, collection);
  }

  /**
   * Takes the position out of the tuples of `document` as it was indexed: the collection
   * hands over the stored document to remove and a copy of it before an update, as it does
   * to the stock unique index, which recomputes its keys the same way.
   */
  private void forget(Document document, Integer position) {
    if (alwaysCandidates.remove(position)) return;
    List<List<List<Object>>> tuplesPerPrefix = tuplesPerPrefix(document);
    if (tuplesPerPrefix == null) return;
    for (int n = 0; n < tuplesPerPrefix.size(); n++) {
      Map<List<Object>, Positions> byTuple = positionsByPrefix.get(n);
      for (List<Object> tuple : tuplesPerPrefix.get(n)) {
        Positions left = Positions.without(byTuple.get(tuple), position);
        if (left == null) byTuple.remove(tuple);
        else byTuple.put(tuple, left);
      }
    }
  }

  /** The tuples of each prefix that has any (a missing key ends them); null when there are too many. */
  private List<List<List<Object>>> tuplesPerPrefix(Document document) {
    List<Set<Object>> values = new ArrayList<>();
    for (String path : paths) values.add(PathValues.of(document, path));
    List<List<List<Object>>> perPrefix = new ArrayList<>();
    for (int n = 1; n <= values.size(); n++) {
      List<List<Object>> tuples = EqualityFilter.product(values.subList(0, n), MAX_TUPLES_PER_DOCUMENT);
      if (tuples == null) return null;
      if (tuples.isEmpty()) break;
      perPrefix.add(tuples);
    }
    return perPrefix;
  }

  private static Object idOf(Document document) {
    return document.containsKey("_id") ? IndexValue.normalize(document.get("_id")) : null;
  }

  @Override
  public synchronized Integer getPosition(Document document) {
    Object id = idOf(document);
    return id == null ? null : positionsById.get(id);
  }

  @Override
  protected boolean isSparse() {
    // The collection then accepts that remove() finds no position for a document without `_id`.
    return super.isSparse() || withoutIds;
  }

  @Override
  public void checkAdd(Document document, MongoCollection<Integer> collection) {}

  @Override
  public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Integer> collection) {}

  @Override
  public synchronized long getCount() {
    return positionsById.size();
  }

  @Override
  public synchronized long getDataSize() {
    return positionsById.size();
  }

  @Override
  public synchronized void drop() {
    positionsByPrefix.forEach(Map::clear);
    alwaysCandidates.clear();
    positionsById.clear();
  }
}
