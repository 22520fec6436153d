#!/usr/bin/env bash
# run_hint_bench.sh [COUNT] [BUSY]: the cross-node wake-up hint alone (hint_latency), over a
# throw-away PostgreSQL cluster started here (release build): once on the idle machine, once
# with BUSY processes spinning at normal priority (default 2, one per core here), which is what
# a hop sees when the nodes, the database and the load share the cores. One JSON line each.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-2000}
busy=${2:-2}
cmake --preset release >/dev/null
cmake --build build/release --target hint_latency >/dev/null
work=$(mktemp -d /tmp/candor-hintbench.XXXXXX)
chmod 755 "$work"
spinners=()
cleanup() {
  for p in "${spinners[@]}"; do kill "$p" 2>/dev/null || true; done
  bash tests/store/pg-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
bash tests/store/pg-cluster.sh start "$work/pg" >/dev/null
conninfo="$(cat "$work/pg/conninfo") dbname=postgres"
run() { build/release/bench/hint_latency --conninfo "$conninfo" --count "$count"; }
echo "{\"busy\":0,\"result\":$(run)}"
for _ in $(seq "$busy"); do
  sh -c 'while :; do :; done' &
  spinners+=($!)
done
echo "{\"busy\":$busy,\"result\":$(run)}"
