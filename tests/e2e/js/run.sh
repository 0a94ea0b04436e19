#!/bin/sh
# ctest entry for the JavaScript suite: node's built-in test runner over test/.
# Dependencies are installed beforehand with `npm ci` (the setup script's job).
# usage: run.sh [NODE]
cd "$(dirname "$0")" || exit 1
node="${1:-node}"
if [ ! -d node_modules/@aws-sdk/client-sqs ]; then
  echo "tests/e2e/js: node_modules missing: run 'npm ci' in tests/e2e/js first" >&2
  exit 1
fi
exec "$node" --test --test-reporter=spec
