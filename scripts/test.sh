#!/usr/bin/env bash
# `npm test`: typecheck, then the whole suite with Node's test runner against a real
# MongoDB-protocol server. MONGODB_URI set: that server. Unset: FerretDB on loopback,
# installed and started by scripts/ferretdb.sh (needs Go), and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

npx tsc --noEmit

if [ -z "${MONGODB_URI:-}" ]; then
  MONGODB_URI="$(scripts/ferretdb.sh start)"
  export MONGODB_URI
  trap 'scripts/ferretdb.sh stop' EXIT
fi

mkdir -p test-output
# One file at a time: the files share one database server on a 2-core machine.
node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout test/*.test.ts
