#!/usr/bin/env bash
# demo.sh: the main job. Installs what is missing, builds the release binaries, then runs a log
# server and two independent witnesses on loopback with the embedded defaults, appends entries,
# and shows a checkpoint cosigned by both witnesses and a verified inclusion proof.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build/release --target candord candor-witness candor
bin=$root/build/release/src

data=${CANDOR_DEMO_DIR:-$root/demo-data}
rm -rf "$data"
mkdir -p "$data"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "create two witnesses and a log (keys are made here and never leave $data)"
w1=$("$bin/candor-witness" init --dir "$data/witness1" --name witness1.candor.local)
w2=$("$bin/candor-witness" init --dir "$data/witness2" --name witness2.candor.local)
log=$("$bin/candord" init --dir "$data/server" --log main --origin candor.local/logs/main)
log_vkey=$(printf '%s' "$log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vkey"])')
echo "log key:      $log_vkey"
echo "witness keys: $w1"
echo "              $w2"

step "start the witnesses and candord on loopback"
"$bin/candor-witness" serve --dir "$data/witness1" --listen 127.0.0.1:0 \
  --port-file "$data/witness1.port" --log "$log_vkey" 2>"$data/witness1.log" & pids+=($!)
"$bin/candor-witness" serve --dir "$data/witness2" --listen 127.0.0.1:0 \
  --port-file "$data/witness2.port" --log "$log_vkey" 2>"$data/witness2.log" & pids+=($!)
for f in witness1.port witness2.port; do
  for _ in $(seq 100); do [ -s "$data/$f" ] && break; sleep 0.1; done
done
p1=$(cat "$data/witness1.port"); p2=$(cat "$data/witness2.port")
"$bin/candord" serve --dir "$data/server" --listen 127.0.0.1:0 --port-file "$data/server.port" \
  --witness "http://127.0.0.1:$p1/=$w1" --witness "http://127.0.0.1:$p2/=$w2" --quorum 2 \
  2>"$data/server.log" & pids+=($!)
for _ in $(seq 100); do [ -s "$data/server.port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$data/server.port")/logs/main/
echo "log at $url (witnesses on ports $p1 and $p2)"

step "append entries (acknowledged only once durable)"
"$bin/candor" log append --url "$url" --token-file "$data/server/logs/main/append.token" \
  --data "release candor-0.1.0 sha256=9f2c..." --data "device key alice/phone" \
  --data "device key bob/laptop"

trust=(--log-key "$log_vkey" --witness-key "$w1" --witness-key "$w2" --quorum 2)
step "fetch the checkpoint and verify the log signature and both cosignatures"
for _ in $(seq 50); do
  if "$bin/candor" log checkpoint --url "$url" "${trust[@]}" --json 2>/dev/null |
     python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["size"] >= 3 else 1)' 2>/dev/null; then
    break
  fi
  sleep 0.1
done
"$bin/candor" log checkpoint --url "$url" "${trust[@]}" --state "$data/client-state"
echo "--- the checkpoint as served:"
python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('${url}checkpoint').read().decode())"

step "prove that entry 1 is in the log, from tiles, against the cosigned root"
"$bin/candor" log inclusion --url "$url" "${trust[@]}" --state "$data/client-state" \
  --index 1 --expect "device key alice/phone"

step "a client that trusts a different witness refuses the checkpoint"
other=$("$bin/candor-witness" init --dir "$data/stranger" --name stranger.example)
echo "(expected: $other never cosigned this log, so the quorum of 1 is not met)"
if "$bin/candor" log checkpoint --url "$url" --log-key "$log_vkey" --witness-key "$other" --quorum 1; then
  echo "unexpected: accepted" >&2; exit 1
fi
printf '\nDone. Data, keys and logs are in %s\n' "$data"
