import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.Document;

/**
 * A memory-backend collection that picks the index of a query as MongoDB's planner would for
 * equality look-ups: a unique index the filter pins (a point look-up, `_id` first) before a
 * non-unique one, and among those the one whose pinned key prefix is longest (the first in
 * declaration order on a tie); else a scan. The stock collection takes the first index whose
 * canHandle says yes, in declaration order. Every candidate still goes through the stock matcher.
 */
final class IndexedMemoryCollection extends MemoryCollection {
  /** -Dmongo.test.logScans=true (MONGO_TEST_LOG_SCANS=1): name on stderr the fields of each filter that scans. */
  private static final boolean LOG_SCANS = Boolean.getBoolean("mongo.test.logScans");

  IndexedMemoryCollection(MongoDatabase database, String collectionName, CollectionOptions options, CursorRegistry cursorRegistry) {
    super(database, collectionName, options, cursorRegistry);
  }

  @Override
  protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize,
                                       Document fieldSelector) {
    Index<Integer> chosen = isNaturalDescending(orderBy) ? null : indexFor(query); // index order is ascending positions
    if (chosen == null) {
      if (LOG_SCANS && !query.isEmpty()) System.err.println("scan " + getFullName() + " " + query.keySet() + " of " + count());
      return matchDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }
    return matchDocuments(query, chosen.getPositions(query), orderBy, numberToSkip, limit, batchSize, fieldSelector);
  }

  private Index<Integer> indexFor(Document query) {
    for (Index<Integer> index : getIndexes()) {
      if (index.isUnique() && index.canHandle(query)) return index;
    }
    PrefixSecondaryIndex best = null;
    int bestPrefix = 0;
    for (Index<Integer> index : getIndexes()) {
      if (index instanceof PrefixSecondaryIndex secondary) {
        int prefix = secondary.pinnedPrefix(query);
        if (prefix > bestPrefix) {
          best = secondary;
          bestPrefix = prefix;
        }
      }
    }
    return best;
  }
}
