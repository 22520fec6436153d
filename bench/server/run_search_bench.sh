#!/usr/bin/env bash
# run_search_bench.sh [LABELS] [SEARCHABLE] [CONNECTIONS] [SECONDS]: KEYTRANS searches through
# candord's HTTP API at LABELS labels (default 1,000,000; issue 11 §8: >= 5,000 searches/s with
# p99 <= 20 ms at 1M labels). One candord with its embedded defaults (SQLite, fsync on, release
# build); its directory filled by directory_fill with LABELS stand-in labels, the first
# SEARCHABLE (default all) with real VRF outputs, which search_load then searches at random as
# fresh clients: as fast as CONNECTIONS (default 16) keep-alive connections go, then paced at
# 5,000/s and at half the peak. One JSON line each; every 100th answer is verified like a client
# would. The searchable labels carry the VRF proofs candord makes at publish; with PROOFS=0 in
# the environment they do not, and candord proves on demand (the baseline: with SEARCHABLE above
# its proof cache, 65,536 labels, most searches then pay for two VRF proofs).
set -euo pipefail
cd "$(dirname "$0")/../.."
labels=${1:-1000000}
searchable=${2:-$labels}
connections=${3:-16}
seconds=${4:-10}
cmake --preset release >/dev/null
cmake --build build/release --target candord directory_fill search_load >/dev/null
bin=build/release
work=$(mktemp -d /tmp/candor-searchbench.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin/src/candord" init --dir "$work/server" --listen "127.0.0.1:$port" >/dev/null
fill_flags=()
if [ "${PROOFS:-1}" = 0 ]; then fill_flags=(--without-proofs); fi
"$bin/bench/directory_fill" --dir "$work/server" --labels "$labels" --searchable "$searchable" \
  "${fill_flags[@]}" \
  2>/dev/null | sed 's/^/{"part":"fill","result":/; s/$/}/'
"$bin/src/candord" serve --dir "$work/server" 2>"$work/server.log" &
pid=$!
for _ in $(seq 1200); do
  python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" \
    2>/dev/null && break
  sleep 0.1
done
load() {  # load RATE
  "$bin/bench/search_load" --url "http://127.0.0.1:$port/" --trust "$work/server/client-trust.json" \
    --labels "$searchable" --connections "$connections" --seconds "$seconds" --rate "$1"
}
peak_line=$(load 0)
echo "$peak_line"
load 5000
half=$(python3 -c "import json,sys; print(int(json.loads(sys.argv[1])['searches_per_s'] / 2))" "$peak_line")
load "$half"
echo "{\"part\":\"server\",\"rss_mib\":$(( $(ps -o rss= -p "$pid") / 1024 ))}"
