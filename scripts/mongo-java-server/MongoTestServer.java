import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * mongo-java-server on loopback, made acceptable to the MongoDB 7.x Node driver.
 *
 * Usage: java MongoTestServer <port> [h2-file]
 * Without a file: memory backend (tests), with indexes that serve equality look-ups
 * (IndexedMemoryBackend). With one: the stock H2 backend persisted to that file (development).
 *
 * Why a launcher: the server answers `isMaster` with maxWireVersion 8 and has no `hello`;
 * the driver inside mongoose 9 needs wire version >= 9 and prefers `hello`. We report
 * MongoDB 5.0 (wire 13) and answer `hello` from `isMaster`.
 *
 * Why indexed look-ups: the stock memory backend uses an index only when a filter's fields are
 * exactly a unique index's keys, and keeps no non-unique index at all, so `{_id: X, state: 'asked'}`
 * or `{channel, 'customer.id', state: {$in: [...]}}` (one index seek on MongoDB) scan the whole
 * collection, and a benchmark measures those scans rather than the bot. IndexedMemoryBackend
 * lets a unique index serve any filter that pins all its keys (PointLookupUniqueIndex) and keeps
 * non-unique indexes by key prefix (PrefixSecondaryIndex); IndexedMemoryCollection picks one as
 * MongoDB's planner would for equality. Candidates are a superset of the matches, in the order
 * of a scan, and the stock matcher applies the whole filter to them, so results are the stock
 * server's (test/storage/test-server-indexes.test.ts compares them with scans). Ranges, `$or`,
 * null and missing fields still scan. Everything else is the stock server.
 *
 * Why one lock: the memory backend keeps a collection's documents in a plain list that a scan
 * reads without holding the collection's monitor, so a find racing an insert from another
 * connection can fail with a ConcurrentModificationException ("Unknown error: null" at the
 * client). Running one command at a time makes every command atomic, as a real server's
 * single-document operations are; no command of this backend blocks, so nothing waits long.
 */
public final class MongoTestServer {
  private static final int WIRE_VERSION_5_0 = 13;
  private static final ReentrantLock ONE_COMMAND_AT_A_TIME = new ReentrantLock();

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: MongoTestServer <port> [h2-file]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    MongoBackend backend = args.length > 1 ? new H2Backend(args[1]) : new IndexedMemoryBackend();
    backend.version(ServerVersion.MONGO_5_0);
    MongoServer server = new MongoServer(withHello(backend));
    server.bind("127.0.0.1", port);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow(); // closes the backend too (H2 commits its file)
    }));
    System.out.println("mongo-test-server listening on 127.0.0.1:" + port);
    System.out.flush();
    Thread.currentThread().join();
  }

  /** The backend, except that `hello` and `isMaster` describe a writable MongoDB 5.0 primary. */
  private static MongoBackend withHello(MongoBackend backend) {
    InvocationHandler handler = (proxy, method, args) -> {
      ONE_COMMAND_AT_A_TIME.lock();
      try {
        switch (method.getName()) {
          case "handleCommand": // (channel, database, command, query)
            if (isHello((String) args[2])) return helloReply(backend, (Channel) args[0], (String) args[1], (Document) args[3]);
            break;
          case "handleMessage": { // OP_MSG: the command is the body's first key
            MongoMessage message = (MongoMessage) args[0];
            if (isHello(firstKey(message.getDocument()))) {
              return helloReply(backend, message.getChannel(), message.getDatabaseName(), message.getDocument());
            }
            break;
          }
          case "handleQuery": { // legacy OP_QUERY on $cmd, used by the driver's first handshake
            MongoQuery query = (MongoQuery) args[0];
            if ("$cmd".equals(query.getCollectionName()) && isHello(firstKey(query.getQuery()))) {
              return new QueryResult(List.of(helloReply(backend, query.getChannel(), query.getDatabaseName(), query.getQuery())));
            }
            break;
          }
          default:
            break;
        }
        return method.invoke(backend, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      } finally {
        ONE_COMMAND_AT_A_TIME.unlock();
      }
    };
    return (MongoBackend) Proxy.newProxyInstance(
        MongoBackend.class.getClassLoader(), new Class<?>[] {MongoBackend.class}, handler);
  }

  private static boolean isHello(String command) {
    return command != null && (command.equalsIgnoreCase("hello") || command.equalsIgnoreCase("isMaster"));
  }

  private static String firstKey(Document document) {
    Iterator<String> keys = document.keySet().iterator();
    return keys.hasNext() ? keys.next() : null;
  }

  private static Document helloReply(MongoBackend backend, Channel channel, String database, Document query) {
    Document reply = backend.handleCommand(channel, database, "isMaster", query);
    reply.put("maxWireVersion", WIRE_VERSION_5_0);
    reply.put("isWritablePrimary", Boolean.TRUE);
    reply.put("ismaster", Boolean.TRUE);
    reply.put("helloOk", Boolean.TRUE);
    return reply;
  }
}
