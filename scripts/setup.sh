#!/usr/bin/env bash
# Installs what Ferry needs to build and test on Debian 12, as root. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ ccache mold pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev ca-certificates libspdlog-dev libfmt-dev libcli11-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev libexpat1-dev
  clang-14 libclang-rt-14-dev llvm-14
  libtomlplusplus-dev prometheus-cpp-dev libyaml-cpp-dev
  prometheus chromium
  python3 python3-boto3 python3-boto python3-pytest
)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
command -v aws >/dev/null || packages+=(awscli)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The JavaScript SDK for the end-to-end tests, pinned by package-lock.json.
if [ -f tests/e2e/js/package-lock.json ]; then
  if [ ! -d tests/e2e/js/node_modules ] || [ tests/e2e/js/package-lock.json -nt tests/e2e/js/node_modules ]; then
    (cd tests/e2e/js && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
# playwright-core for the console's browser tests (it drives Debian's
# chromium; no browser is downloaded).
if [ -f tests/e2e/console/package-lock.json ]; then
  if [ ! -d tests/e2e/console/node_modules ] || [ tests/e2e/console/package-lock.json -nt tests/e2e/console/node_modules ]; then
    (cd tests/e2e/console && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
