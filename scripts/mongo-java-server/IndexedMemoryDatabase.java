import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import java.util.List;

/**
 * A memory-backend database whose indexes serve equality look-ups (PointLookupUniqueIndex,
 * PrefixSecondaryIndex) and whose collections choose among them (IndexedMemoryCollection).
 * The stock database keeps no non-unique index at all.
 */
final class IndexedMemoryDatabase extends MemoryDatabase {
  IndexedMemoryDatabase(String databaseName, CursorRegistry cursorRegistry) {
    super(databaseName, cursorRegistry);
  }

  @Override
  protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
    return new IndexedMemoryCollection(this, collectionName, options, cursorRegistry);
  }

  @Override
  protected Index<Integer> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
    return new PointLookupUniqueIndex(indexName, keys, sparse);
  }

  @Override
  protected Index<Integer> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
    return new PrefixSecondaryIndex(indexName, keys, sparse);
  }
}
