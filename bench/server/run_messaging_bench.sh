#!/usr/bin/env bash
# run_messaging_bench.sh [DEVICES] [SECONDS]: delivered messages/s and end-to-end latency with
# DEVICES connected devices (default 1000), 1 KiB messages, in one-to-one conversations and in
# groups of 100 — through candord on SQLite, through candord on PostgreSQL (a throw-away cluster
# started here) and through bare_relay (the bound: no storage), in one run. Each runs as fast as
# it goes, then paced at half of that rate (the latency at half load). Release build; set-up (the
# accounts and groups, made by the real client engine) is not measured. Prints JSON lines.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
devices=${1:-1000}
seconds=${2:-10}
cmake --preset release >/dev/null
cmake --build build/release --target candord messaging_load bare_relay >/dev/null
bin=$root/build/release
work=$(mktemp -d /tmp/candor-msgbench.XXXXXX)
chmod 755 "$work"
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null || true
  bash tests/store/pg-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# Bench limits: the defaults refuse this many accounts and sign-ins from one address.
# All devices connect from 127.0.0.1, so the per-client connection cap is raised as well.
patch='{"directory":{"accounts_per_minute_per_address":1e9},"auth":{"challenges_per_minute_per_address":1e9},"http_threads":2,"blocking_threads":8,"max_connections_per_client":100000}'

run_candord() {  # run_candord NAME DATABASE
  local name=$1 database=$2
  "$bin/src/candord" init --dir "$work/$name" --listen 127.0.0.1:0 --database "$database" >/dev/null
  python3 - "$work/$name/candord.json" "$patch" <<'PY'
import json, sys
p, patch = sys.argv[1], json.loads(sys.argv[2])
c = json.load(open(p))
for k, v in patch.items():
    if isinstance(v, dict): c[k].update(v)
    else: c[k] = v
json.dump(c, open(p, "w"), indent=2)
PY
  "$bin/src/candord" serve --dir "$work/$name" --port-file "$work/$name.port" 2>"$work/$name.log" &
  pid=$!
  for _ in $(seq 200); do [ -s "$work/$name/client-trust.json" ] && [ -s "$work/$name.port" ] && break; sleep 0.05; done
  "$bin/bench/messaging_load" --trust "$work/$name/client-trust.json" --work "$work/$name-profiles" \
    --devices "$devices" --group-sizes 2 100 --seconds "$seconds" --also-half --server-pid "$pid" |
    sed "s/^{/{\"backend\":\"$name\",/"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

echo "== bare_relay (the bound)" >&2
"$bin/src/candord" init --dir "$work/trust-only" --listen 127.0.0.1:0 >/dev/null
"$bin/src/candord" serve --dir "$work/trust-only" --port-file "$work/t.port" 2>/dev/null & pid=$!
for _ in $(seq 200); do [ -s "$work/trust-only/client-trust.json" ] && break; sleep 0.05; done
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
"$bin/bench/messaging_load" --trust "$work/trust-only/client-trust.json" --work "$work/relay" \
  --devices "$devices" --group-sizes 2 100 --seconds "$seconds" --also-half \
  --relay-bin "$bin/bench/bare_relay"
echo "== candord, SQLite" >&2
run_candord sqlite "sqlite:$work/sqlite.db"
echo "== candord, PostgreSQL" >&2
bash tests/store/pg-cluster.sh start "$work/pg" >/dev/null
run_candord postgres "postgresql:$(cat "$work/pg/conninfo") dbname=postgres"
