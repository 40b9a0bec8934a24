#!/usr/bin/env bash
# The MongoDB-protocol server for tests and development on machines without mongod:
# mongo-java-server 1.47.0 (Maven Central, Apache-2.0) behind our launcher
# (scripts/mongo-java-server/MongoTestServer.java), on 127.0.0.1, reporting MongoDB 5.0.
# In memory (tests) the launcher also serves equality look-ups from indexes, as MongoDB's
# planner does: a unique index (`_id` too) for any filter that pins all its keys, a non-unique
# index (which the stock memory backend does not keep) for a filter that pins its first key(s);
# the stock backend scans both. Ranges, `$or`, null and missing fields still scan. The files
# beside the launcher (IndexedMemoryBackend.java and the classes it names) say how and why.
#
#   scripts/mongo-test-server.sh install   fetch the jars with Maven and compile the launcher (once)
#   scripts/mongo-test-server.sh start     install if needed, start, wait for a real `hello`, print the URI
#   scripts/mongo-test-server.sh stop      stop the server started by `start`
#   scripts/mongo-test-server.sh uri       print the URI
#   scripts/mongo-test-server.sh running   exit 0 when a server started by `start` answers
#
# Settings: MONGO_TEST_PORT (default 27117); MONGO_TEST_DIR (default ./.mongo-test-server,
# where jars, pid and log live); MONGO_TEST_DATA_FILE: an H2 file to keep the data in
# (development); unset, the data lives in memory and is gone at stop (tests). MONGO_TEST_LOG_SCANS=1:
# the server log names the fields of every filter that scans a collection (in memory only).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/scripts/mongo-java-server"
PORT="${MONGO_TEST_PORT:-27117}"
DIR="${MONGO_TEST_DIR:-$ROOT/.mongo-test-server}"
DATA_FILE="${MONGO_TEST_DATA_FILE:-}"

log() { echo "mongo-test-server.sh: $*" >&2; }

jars_installed() {
  [ -f "$DIR/lib/mongo-java-server-1.47.0.jar" ] && [ -f "$DIR/lib/slf4j-simple-2.0.17.jar" ] \
    && [ "$DIR/lib/mongo-java-server-1.47.0.jar" -nt "$SRC/pom.xml" ]
}

# The sources' digest, kept beside the classes compiled from them: a changed, added or removed
# source recompiles, whatever the files' dates (a copied classes directory is newer than all).
sources_digest() { cat "$SRC"/*.java | sha1sum | cut -d' ' -f1; }

compiled() {
  [ -f "$DIR/classes/MongoTestServer.class" ] && [ -f "$DIR/classes/sources.sha1" ] \
    && [ "$(cat "$DIR/classes/sources.sha1")" = "$(sources_digest)" ]
}

installed() { jars_installed && compiled; }

classpath() { echo "$DIR/classes:$DIR/lib/*"; }

install() {
  if installed; then return 0; fi
  command -v java >/dev/null && command -v javac >/dev/null || { log "needs Java 17+ (java and javac)"; exit 1; }
  if ! jars_installed; then
    command -v mvn >/dev/null || { log "needs Maven (mvn) to fetch mongo-java-server from Maven Central"; exit 1; }
    rm -rf "$DIR/lib" # a jar left from an older pom would stay on the classpath
    mkdir -p "$DIR/lib"
    log "fetching mongo-java-server 1.47.0 from Maven Central"
    mvn -q -B -f "$SRC/pom.xml" dependency:copy-dependencies -DoutputDirectory="$DIR/lib" >&2 \
      || { log "Maven could not fetch the jars"; exit 1; }
    touch "$DIR/lib"/*.jar # newer than the pom, whatever dates Maven kept
  fi
  # Into a fresh directory, swapped in whole: no class of a deleted source stays behind, and a
  # server still running from the old one (restart it to get the new) never sees a half-written one.
  rm -rf "$DIR/classes.new"
  mkdir -p "$DIR/classes.new"
  javac -nowarn -d "$DIR/classes.new" -cp "$DIR/lib/*" "$SRC"/*.java >&2
  sources_digest > "$DIR/classes.new/sources.sha1"
  rm -rf "$DIR/classes"
  mv "$DIR/classes.new" "$DIR/classes"
}

uri() { echo "mongodb://127.0.0.1:$PORT/"; }

answers() {
  # A real `hello` round trip through the Node driver when it is installed; else the port.
  if [ -d "$ROOT/node_modules/mongodb" ]; then
    (cd "$ROOT" && node -e "
      const { MongoClient } = require('mongodb');
      const c = new MongoClient('$(uri)', { serverSelectionTimeoutMS: 1000 });
      c.connect().then(() => c.db('admin').command({ hello: 1 })).then(() => c.close()).then(() => process.exit(0), () => process.exit(1));
    ") >/dev/null 2>&1
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
  fi
}

running() { [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; }

start() {
  install
  if running && answers; then uri; return 0; fi
  local args=("$PORT")
  if [ -n "$DATA_FILE" ]; then mkdir -p "$(dirname "$DATA_FILE")"; args+=("$DATA_FILE"); fi
  nohup java -Xss4m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dmongo.test.logScans="${MONGO_TEST_LOG_SCANS:+true}" \
    -cp "$(classpath)" MongoTestServer "${args[@]}" > "$DIR/server.log" 2>&1 &
  echo $! > "$DIR/pid"
  # A JVM starts in seconds on an idle machine and in a minute or more on a loaded one: a bound in time, not in tries.
  local deadline=$((SECONDS + ${MONGO_TEST_START_SECONDS:-180}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if answers; then uri; return 0; fi
    running || break
    sleep 0.2
  done
  log "the server did not answer on 127.0.0.1:$PORT; its log:"
  tail -20 "$DIR/server.log" >&2 || true
  exit 1
}

stop() {
  if [ -f "$DIR/pid" ]; then
    local pid; pid="$(cat "$DIR/pid")"
    kill "$pid" 2>/dev/null || true
    # Let the shutdown hook close the backend (H2 writes its file) before we return.
    # (5 s can be too short on a loaded machine; a start right after would find the old server still going.)
    local deadline=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$DIR/pid"
  fi
}

case "${1:-start}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  uri) uri ;;
  running) running && answers ;;
  *) echo "usage: $0 install|start|stop|uri|running" >&2; exit 2 ;;
esac
