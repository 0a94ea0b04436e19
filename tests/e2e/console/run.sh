#!/bin/sh
# ctest entry for the console's browser tests: node's test runner over
# test/console.test.mjs (test/sigv4.test.mjs is ctest's console_sigv4_js),
# with Debian's chromium driven by playwright-core. Exit 77 (skipped) when
# chromium or node is missing; dependencies come from `npm ci` here and in
# ../js (the setup script's job).
# usage: run.sh [NODE]
cd "$(dirname "$0")" || exit 1
node="${1:-node}"
chromium="${FERRY_CHROMIUM:-/usr/bin/chromium}"
if ! command -v "$node" >/dev/null 2>&1; then
  echo "tests/e2e/console: node not found: skipped" >&2
  exit 77
fi
if [ ! -x "$chromium" ]; then
  echo "tests/e2e/console: no chromium at $chromium (apt-get install chromium): skipped" >&2
  exit 77
fi
for dir in node_modules/playwright-core ../js/node_modules/@aws-sdk/client-sqs; do
  if [ ! -d "$dir" ]; then
    echo "tests/e2e/console: $dir missing: run 'npm ci' in tests/e2e/console and tests/e2e/js first" >&2
    exit 1
  fi
done
exec "$node" --test --test-reporter=spec test/console.test.mjs
