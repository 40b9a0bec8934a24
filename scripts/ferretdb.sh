#!/usr/bin/env bash
# The MongoDB-compatible server for tests and development on machines without mongod:
# FerretDB 1.24.2 on the SQLite backend, on loopback, telemetry off.
#
#   scripts/ferretdb.sh install   build it once into $(go env GOPATH)/bin (no-op when present)
#   scripts/ferretdb.sh start     install if needed, start, wait until it answers, print the URI
#   scripts/ferretdb.sh stop      stop the server started by `start`
#   scripts/ferretdb.sh uri       print the URI
#
# Settings: FERRETDB_PORT (default 27117), FERRETDB_DIR (default ./.ferretdb).
#
# Why not plain `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: we try it,
# but on this workplace's module proxy the version list is refused (403), and even where
# it works the binary panics at start because the module zip lacks the generated
# build/version/version.txt. So we fetch the exact v1.24.2 module (go mod download),
# add version.txt to a copy, and build that copy: same source, same version.
set -euo pipefail

VERSION=v1.24.2
PORT="${FERRETDB_PORT:-27117}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${FERRETDB_DIR:-$ROOT/.ferretdb}"
GOBIN_DIR="$(go env GOPATH)/bin"
BIN="$GOBIN_DIR/ferretdb"

log() { echo "ferretdb.sh: $*" >&2; }

installed() {
  [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "version: $VERSION"
}

install() {
  if installed; then return 0; fi
  mkdir -p "$GOBIN_DIR"
  log "installing FerretDB $VERSION (go install)"
  if go install "github.com/FerretDB/FerretDB/cmd/ferretdb@$VERSION" >/dev/null 2>&1 && installed; then
    return 0
  fi
  log "go install did not give a working binary; building the $VERSION module source instead"
  local work src
  work="$(mktemp -d)"
  (cd "$work" && go mod init ferretdb-build >/dev/null 2>&1 && go mod download -json "github.com/FerretDB/FerretDB@$VERSION" > mod.json)
  src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$work/mod.json")"
  [ -d "$src" ] || { log "could not download github.com/FerretDB/FerretDB@$VERSION from the Go module proxy"; exit 1; }
  cp -r "$src" "$work/src"
  chmod -R u+w "$work/src"
  echo "$VERSION" > "$work/src/build/version/version.txt"
  (cd "$work/src" && go build -o "$BIN" ./cmd/ferretdb)
  rm -rf "$work"
  installed || { log "built binary does not report $VERSION"; exit 1; }
}

uri() { echo "mongodb://127.0.0.1:$PORT/"; }

answers() {
  # A real round trip (isMaster over the wire) when the driver is installed; else the port.
  if [ -d "$ROOT/node_modules/mongodb" ]; then
    (cd "$ROOT" && node -e "
      const { MongoClient } = require('mongodb');
      const c = new MongoClient('$(uri)', { serverSelectionTimeoutMS: 1000 });
      c.connect().then(() => c.db('admin').command({ ping: 1 })).then(() => c.close()).then(() => process.exit(0), () => process.exit(1));
    ") >/dev/null 2>&1
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
  fi
}

start() {
  install
  mkdir -p "$DIR/data"
  if [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null && answers; then
    uri; return 0
  fi
  FERRETDB_TELEMETRY=disable nohup "$BIN" \
    --handler=sqlite --sqlite-url="file:$DIR/data/" \
    --listen-addr="127.0.0.1:$PORT" --debug-addr=- \
    --state-dir="$DIR" --telemetry=disable --log-level=warn \
    > "$DIR/ferretdb.log" 2>&1 &
  echo $! > "$DIR/pid"
  for _ in $(seq 1 100); do
    if answers; then uri; return 0; fi
    if ! kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then break; fi
    sleep 0.2
  done
  log "FerretDB did not answer on 127.0.0.1:$PORT; its log:"
  tail -20 "$DIR/ferretdb.log" >&2 || true
  exit 1
}

stop() {
  if [ -f "$DIR/pid" ]; then
    kill "$(cat "$DIR/pid")" 2>/dev/null || true
    rm -f "$DIR/pid"
  fi
}

case "${1:-start}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  uri) uri ;;
  *) echo "usage: $0 install|start|stop|uri" >&2; exit 2 ;;
esac
