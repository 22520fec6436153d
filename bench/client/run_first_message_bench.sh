#!/usr/bin/env bash
# run_first_message_bench.sh [PAIRS [DEVICES [SUSTAINED]]]: time to the first message to a new
# contact
# (bench/client/first_message.cc) through candord on loopback with its embedded defaults
# (SQLite, fsync on; only the per-address limits on new accounts and sign-ins raised), no
# witnesses. DEVICES (1 or 2) devices per account; SUSTAINED messages sent back to back after
# the first (0: none). Release build. Prints one JSON line.
set -euo pipefail
cd "$(dirname "$0")/../.."
pairs=${1:-50}
devices=${2:-1}
sustained=${3:-0}
cmake --preset release >/dev/null
cmake --build build/release --target candord first_message >/dev/null
bin=build/release
work=$(mktemp -d /tmp/candor-firstmsg.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
"$bin/src/candord" init --dir "$work/srv" --listen 127.0.0.1:0 >/dev/null
# The bench makes 2 x PAIRS accounts (and links their second devices) from one address:
# raise those per-address limits only.
python3 - "$work/srv/candord.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["directory"]["accounts_per_minute_per_address"] = 1e9
c["auth"]["challenges_per_minute_per_address"] = 1e9
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
"$bin/src/candord" serve --dir "$work/srv" --port-file "$work/port" 2>"$work/srv.log" & pid=$!
for _ in $(seq 200); do [ -s "$work/srv/client-trust.json" ] && [ -s "$work/port" ] && break; sleep 0.05; done
"$bin/bench/first_message" --trust "$work/srv/client-trust.json" --work "$work/profiles" --pairs "$pairs" --devices "$devices" \
  --sustained "$sustained"
