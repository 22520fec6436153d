#!/usr/bin/env bash
# run_append_bench.sh: durable append throughput through candord on loopback and the time from
# append to a published checkpoint cosigned by two witnesses. Builds the release binaries,
# starts two candor-witness processes and candord in a temporary directory, runs append_load in
# three modes (one entry per request from 32 and from 512 connections; 256-entry bundles) and prints one JSON line per mode.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
cmake --preset release >/dev/null
cmake --build build/release --target candord candor-witness append_load >/dev/null
bin=build/release/src
data=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
w1=$("$bin/candor-witness" init --dir "$data/w1" --name w1.bench)
w2=$("$bin/candor-witness" init --dir "$data/w2" --name w2.bench)
log_vkey=$("$bin/candord" init --dir "$data/srv" --log main | python3 -c 'import json,sys; print(json.load(sys.stdin)["vkey"])')
"$bin/candor-witness" serve --dir "$data/w1" --listen 127.0.0.1:0 --port-file "$data/w1.port" --log "$log_vkey" 2>/dev/null & pids+=($!)
"$bin/candor-witness" serve --dir "$data/w2" --listen 127.0.0.1:0 --port-file "$data/w2.port" --log "$log_vkey" 2>/dev/null & pids+=($!)
for f in w1.port w2.port; do for _ in $(seq 100); do [ -s "$data/$f" ] && break; sleep 0.1; done; done
"$bin/candord" serve --dir "$data/srv" --listen 127.0.0.1:0 --port-file "$data/srv.port" \
  --witness "http://127.0.0.1:$(cat "$data/w1.port")/=$w1" \
  --witness "http://127.0.0.1:$(cat "$data/w2.port")/=$w2" --quorum 2 2>/dev/null & pids+=($!)
for _ in $(seq 100); do [ -s "$data/srv.port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$data/srv.port")/logs/main/
common=(--url "$url" --token-file "$data/srv/logs/main/append.token" --log-key "$log_vkey"
        --witness-key "$w1" --witness-key "$w2" --quorum 2 --seconds "$seconds")
build/release/bench/append_load "${common[@]}" --connections 32 --bundle 1
build/release/bench/append_load "${common[@]}" --connections 512 --bundle 1
build/release/bench/append_load "${common[@]}" --connections 8 --bundle 256
# One entry per request from 1,024 connections with wrk (Debian package `wrk`, an epoll client
# far lighter than append_load's thread per connection).
if command -v wrk >/dev/null; then
  printf 'wrk.method = "POST"\nwrk.body = string.rep("x", 64)\nwrk.headers["Authorization"] = "Bearer %s"\n' \
    "$(cat "$data/srv/logs/main/append.token")" > "$data/post.lua"
  wrk -t1 -c1024 -d"${seconds}s" -s "$data/post.lua" "${url}append" | grep -E 'Latency|Requests/sec|Non-2xx|errors'
else
  echo "wrk not installed (apt-get install wrk): skipping the 1,024-connection run"
fi
