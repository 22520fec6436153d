#!/usr/bin/env bash
# run_takeover_bench.sh [LABELS] [LEASE_MS]: how long the directory is without a sequencer when
# the active one dies, for a directory of LABELS labels (default 1,000,000; issue 13 §2). One
# PostgreSQL (a throw-away cluster started here), the directory filled with stand-in labels by
# directory_fill, then two sequencer candidates (release build). Measures:
#   cold_start_s  the first candidate, from its start to serving: it reads the whole directory;
#   takeover_s    kill -9 of the active one to the standby serving (the lease must expire
#                 first, so at least LEASE_MS), the standby having followed the directory;
#   promote_ms    the standby's own figure for reading what it lacked when it took the lease;
#   standby_rss_mib  the standby's resident memory while it waits.
# Prints one JSON line. CANDORD=<path> runs the nodes with another candord build (a baseline).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
labels=${1:-1000000}
lease_ms=${2:-3000}
cmake --preset release >/dev/null
cmake --build build/release --target candord directory_fill >/dev/null
bin=$root/build/release
candord=${CANDORD:-$bin/src/candord}  # CANDORD=<another build> compares with it
work=$(mktemp -d /tmp/candor-takeover.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash tests/store/pg-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
bash tests/store/pg-cluster.sh start "$work/pg" >/dev/null
conninfo="$(cat "$work/pg/conninfo") dbname=postgres"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
healthy() { python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$1/healthz', timeout=1)" 2>/dev/null; }

"$bin/src/candord" init --dir "$work/template" --listen 127.0.0.1:0 \
  --database "postgresql:$conninfo" >/dev/null
fill=$("$bin/bench/directory_fill" --dir "$work/template" --labels "$labels" 2>/dev/null)

make_node() {  # make_node NAME PORT
  cp -r "$work/template" "$work/$1"
  python3 - "$work/$1/candord.json" "$2" "$lease_ms" <<'PY'
import json, sys
p, port, lease = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = json.load(open(p))
c["listen"] = "127.0.0.1:" + port
c["cluster"] = {"role": "sequencer", "advertise_url": "http://127.0.0.1:%s/" % port,
                "lease_ms": lease, "follow_interval_ms": 200}
json.dump(c, open(p, "w"), indent=2)
PY
}
wait_healthy() {  # wait_healthy PORT: seconds from now until it serves (at most 10 minutes)
  for _ in $(seq 12000); do
    healthy "$1" && return 0
    sleep 0.05
  done
  echo "no node serves on port $1" >&2
  exit 1
}
a_port=$(free_port); b_port=$(free_port)
make_node seq-a "$a_port"
make_node seq-b "$b_port"

t0=$(now)
"$candord" serve --dir "$work/seq-a" 2>"$work/seq-a.log" &
a_pid=$!; pids+=("$a_pid")
wait_healthy "$a_port"
cold=$(python3 -c "print(round($(now) - $t0, 3))")

"$candord" serve --dir "$work/seq-b" 2>"$work/seq-b.log" &
b_pid=$!; pids+=("$b_pid")
# Until the standby is ready: it has read the directory and follows it (a candord built before
# standbys kept the directory warm only says that it waits for the lease).
ready="following it on standby"
grep -q "$ready" "$candord" || ready="waiting for the sequencer lease"
for _ in $(seq 6000); do
  grep -q "$ready" "$work/seq-b.log" && break
  sleep 0.1
done
grep -q "$ready" "$work/seq-b.log" || { echo "the standby did not start" >&2; exit 1; }
sleep 2
standby_rss_mib=$(( $(ps -o rss= -p "$b_pid") / 1024 ))  # what keeping the directory warm costs

kill -9 "$a_pid"
t1=$(now)
wait "$a_pid" 2>/dev/null || true
wait_healthy "$b_port"
takeover=$(python3 -c "print(round($(now) - $t1, 3))")
promote=$({ grep -o "the warm directory went from size [0-9]* to [0-9]* in [0-9]* ms" \
  "$work/seq-b.log" || true; } | tail -1 | awk '{print $11}')
echo "{\"labels\":$labels,\"lease_ms\":$lease_ms,\"fill\":$fill,\"cold_start_s\":$cold,\"takeover_s\":$takeover,\"promote_ms\":${promote:-null},\"standby_rss_mib\":$standby_rss_mib}"
