#!/usr/bin/env bash
# run_large_response_bench.sh [SECONDS]: /healthz latency on candord while 0 (the baseline, same
# run), 16 and 64 clients download a 16 MiB entry bundle in a loop (bench/server/
# large_response_load.cc). Builds the release binaries, starts candord without witnesses
# (quorum 0) in a temporary directory and fills one entry bundle with 256 entries of 65,535 bytes.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
cmake --preset release >/dev/null
cmake --build build/release --target candord candor large_response_load >/dev/null
bin=build/release/src
data=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
"$bin/candord" init --dir "$data/srv" --log main >/dev/null
"$bin/candord" serve --dir "$data/srv" --listen 127.0.0.1:0 --port-file "$data/srv.port" \
  2>"$data/srv.log" & pid=$!
for _ in $(seq 100); do [ -s "$data/srv.port" ] && break; sleep 0.1; done
base=http://127.0.0.1:$(cat "$data/srv.port")/
python3 - "$base" "$data/srv/logs/main/append.token" <<'PY'
import sys, urllib.request, time
base, token = sys.argv[1], open(sys.argv[2]).read().strip()
entry = b"x" * 65535
for part in range(4):
    body = b"".join(len(entry).to_bytes(2, "big") + entry for _ in range(64))
    req = urllib.request.Request(base + "logs/main/append-bundle", data=body, method="POST",
                                 headers={"Authorization": "Bearer " + token})
    urllib.request.urlopen(req).read()
for _ in range(200):
    if b"\n256\n" in urllib.request.urlopen(base + "logs/main/checkpoint").read():
        break
    time.sleep(0.05)
PY
for n in 0 16 64; do
  build/release/bench/large_response_load --url "$base" --downloaders "$n" --seconds "$seconds"
done
