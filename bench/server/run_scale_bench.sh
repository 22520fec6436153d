#!/usr/bin/env bash
# run_scale_bench.sh [DEVICES] [SECONDS] [RATE]: the cost of the cross-node path (issue 13 §3).
# One PostgreSQL (a throw-away cluster started here), a sequencer and two front nodes A and B,
# each its own candord (release build). DEVICES devices in one-to-one conversations and in
# groups of 10; senders post every message to node A at RATE messages/s in all (default 100,
# well under the saturation point on 2 cores), while the recipients' WebSockets are held by node
# A (the same node) in one run and by node B (each message crosses nodes through a PostgreSQL
# NOTIFY hint) in the other. Prints one JSON line per run (socket_url says which), with the
# database's write transactions (transaction ids handed out), rows written and WAL bytes per
# message while the load ran, read 11 s after the set-up and after the load so that every
# backend reported its statistics. Then the curve: 1:1 load as fast as it goes and at half
# that, spread over 1, 2 and 3 front nodes (a third, C, joins for it).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
devices=${1:-200}
seconds=${2:-10}
rate=${3:-100}
cmake --preset release >/dev/null
cmake --build build/release --target candord messaging_load >/dev/null
bin=$root/build/release
work=$(mktemp -d /tmp/candor-scalebench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash tests/store/pg-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
bash tests/store/pg-cluster.sh start "$work/pg" >/dev/null
conninfo="$(cat "$work/pg/conninfo") dbname=postgres"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$bin/src/candord" init --dir "$work/template" --listen 127.0.0.1:0 \
  --database "postgresql:$conninfo" >/dev/null
start_node() {  # start_node NAME ROLE PORT
  local name=$1 role=$2 port=$3
  cp -r "$work/template" "$work/$name"
  python3 - "$work/$name/candord.json" "$role" "$port" <<'PY'
import json, sys
p, role, port = sys.argv[1], sys.argv[2], sys.argv[3]
c = json.load(open(p))
c["listen"] = "127.0.0.1:" + port
c["directory"]["accounts_per_minute_per_address"] = 1e9
c["auth"]["challenges_per_minute_per_address"] = 1e9
c["max_connections_per_client"] = 100000
c["cluster"] = {"role": role, "advertise_url": "http://127.0.0.1:%s/" % port,
                "lease_ms": 5000, "follow_interval_ms": 100}
json.dump(c, open(p, "w"), indent=2)
PY
  "$bin/src/candord" serve --dir "$work/$name" 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 300); do
    python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" \
      2>/dev/null && return 0
    sleep 0.1
  done
  echo "node $name did not start: $(tail -3 "$work/$name.log")" >&2
  exit 1
}
seq_port=$(free_port); a_port=$(free_port); b_port=$(free_port); c_port=$(free_port)
start_node seq sequencer "$seq_port"
start_node front-a front "$a_port"
start_node front-b front "$b_port"
start_node front-c front "$c_port"

# One set of devices and conversations; one run with the sockets on A (the sending node), one
# with them on B (every message crosses nodes), for 1:1 and for groups of 10.
"$bin/bench/messaging_load" --trust "$work/front-a/client-trust.json" --work "$work/profiles" \
  --devices "$devices" --group-sizes 2 10 --seconds "$seconds" --rates "$rate" \
  --socket-urls "http://127.0.0.1:$a_port/" "http://127.0.0.1:$b_port/" \
  --stat-database "postgresql:$conninfo" | sed 's/^{/{"part":"pair",/'

# The curve: the same kind of load as fast as it goes (and paced at half that), spread over 1,
# 2 and 3 front nodes (device i's socket on node i mod K, sender thread t posting to node
# t mod K). On 2 cores the nodes share the CPU: more nodes add no capacity here, they show
# what spreading costs.
"$bin/bench/messaging_load" --trust "$work/front-a/client-trust.json" --work "$work/curve" \
  --handle-prefix c --devices "$devices" --group-sizes 2 --seconds "$seconds" --rates 0 --also-half \
  --socket-urls "http://127.0.0.1:$a_port/" "http://127.0.0.1:$b_port/" \
  "http://127.0.0.1:$c_port/" --spread-counts 1 2 3 | sed 's/^{/{"part":"curve",/'
