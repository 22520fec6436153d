#!/usr/bin/env bash
# run_keypackage_bench.sh [ACCOUNTS] [STOCK] [CONNECTIONS] [SECONDS]: KeyPackage claims per
# second through candord's HTTP API (issue 11 §8: >= 10,000/s), on the embedded defaults
# (SQLite, fsync on, release build). keypackage_load makes ACCOUNTS accounts (default 200) with
# the real client engine and stocks each device with STOCK KeyPackages (default 1,000, the
# server's limit per device), then measures, over CONNECTIONS keep-alive connections (default
# 16) for SECONDS each (default 10): the bound (an authenticated read of one's own empty queue),
# an authenticated read of one's own KeyPackage count, the claims as fast as they go, and the claims paced at half of that. Prints JSON lines, then
# candord's RSS and its KeyPackage counters.
set -euo pipefail
cd "$(dirname "$0")/../.."
accounts=${1:-200}
stock=${2:-1000}
connections=${3:-16}
seconds=${4:-10}
cmake --preset release >/dev/null
cmake --build build/release --target candord keypackage_load >/dev/null
bin=build/release
work=$(mktemp -d /tmp/candor-kpbench.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
"$bin/src/candord" init --dir "$work/server" --listen 127.0.0.1:0 >/dev/null
# Bench limits: the defaults refuse this many accounts and sign-ins from one address.
python3 - "$work/server/candord.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["directory"]["accounts_per_minute_per_address"] = 1e9
c["auth"]["challenges_per_minute_per_address"] = 1e9
c["max_connections_per_client"] = 100000
json.dump(c, open(p, "w"), indent=2)
PY
"$bin/src/candord" serve --dir "$work/server" --port-file "$work/port" 2>"$work/server.log" &
pid=$!
for _ in $(seq 200); do [ -s "$work/server/client-trust.json" ] && [ -s "$work/port" ] && break; sleep 0.05; done
"$bin/bench/keypackage_load" --trust "$work/server/client-trust.json" --work "$work/profiles" \
  --accounts "$accounts" --stock "$stock" --connections "$connections" --seconds "$seconds"
port=$(cat "$work/port")
echo "{\"part\":\"server\",\"rss_mib\":$(( $(ps -o rss= -p "$pid") / 1024 )),\"counters\":\"$(
  python3 -c "import urllib.request as u; print(' '.join(l for l in u.urlopen('http://127.0.0.1:$port/metrics').read().decode().splitlines() if l.startswith('candor_keypackages')))")\"}"
