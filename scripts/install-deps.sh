#!/usr/bin/env bash
# install-deps.sh: installs the Debian 12 packages Candor needs to build, run and test.
# Idempotent: installs only what is missing (apt-get update first when it must install).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl python3
  clang-14 libclang-rt-14-dev clang-format-14 clang-tidy-14 llvm-14
  libssl-dev libsodium-dev libsqlite3-dev libpq-dev postgresql
  libboost-dev libboost-system-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libolm-dev libsignal-protocol-c-dev
  golang-go golang-golang-x-mod-dev wrk valgrind tmux libqrencode-dev zbar-tools
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js and npm run ts-mls, the second MLS implementation of the interop test. A machine may
# already have a newer Node.js (with npm built in) from another source: keep it.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages and Node.js present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
