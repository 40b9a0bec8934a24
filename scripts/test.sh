#!/usr/bin/env bash
# `npm test`: typecheck, then the whole suite with vitest against a real MongoDB-protocol
# server. MONGODB_URI set: that server. Unset: mongo-java-server on loopback, installed and
# started by scripts/mongo-test-server.sh (needs Java 17 + Maven), and stopped afterwards.
# Arguments go to vitest (e.g. `npm test -- test/engine.test.ts`).
set -euo pipefail
cd "$(dirname "$0")/.."

npx tsc --noEmit

if [ -z "${MONGODB_URI:-}" ]; then
  # Stop the server afterwards only if this run started it (another run may be using it).
  started_here=1
  scripts/mongo-test-server.sh running && started_here=0
  MONGODB_URI="$(scripts/mongo-test-server.sh start)"
  export MONGODB_URI
  if [ "$started_here" = 1 ]; then trap 'scripts/mongo-test-server.sh stop' EXIT; fi
fi

mkdir -p test-output
# The JSON report is what .ci/run counts from; the default reporter is for people.
npx vitest run --reporter=default --reporter=json --outputFile.json=test-output/vitest.json "$@"
