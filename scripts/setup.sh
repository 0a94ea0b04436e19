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
  postgresql-15 libpq-dev
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
  # PostgreSQL's package would make and start a cluster of its own ("main",
  # port 5432); the tests start throwaway ones (tests/e2e/python/pg_server.py),
  # so it is told to make none.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/ferry.conf
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A cluster the package made and started anyway (an older install, or a
# machine set up by hand) is stopped: nothing of Ferry's uses it, and it
# would hold port 5432 and memory.
if command -v pg_lsclusters >/dev/null; then
  pg_lsclusters --no-header 2>/dev/null | while read -r version cluster _port status _rest; do
    if [ "$status" = "online" ]; then
      echo "setup: stopping PostgreSQL cluster $version/$cluster (the tests start their own)"
      pg_ctlcluster "$version" "$cluster" stop || true
    fi
  done || true
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
