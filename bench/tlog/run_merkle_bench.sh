#!/usr/bin/env bash
# run_merkle_bench.sh: Candor's Merkle tree benchmarks (tlog_bench, crypto_bench) and Go's
# golang.org/x/mod/sumdb/tlog (bench/tlog/go/main.go, the Debian package) in one invocation, on the
# same entries and queries; prints the Markdown table recorded in docs/benchmarks.md.
# Needs no network: Go builds in GOPATH mode against /usr/share/gocode.
#
# Usage: bench/tlog/run_merkle_bench.sh [OUT_DIR]   (default build/release/bench/merkle)
# Env:   MIN_TIME (seconds per proof/verify measurement, default 1), SKIP_BUILD=1.
# Run it with both cores otherwise idle: every number is single-threaded wall-clock time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/build/release/bench/merkle}"
MIN_TIME="${MIN_TIME:-1}"
GO_BIN="$ROOT/build/release/bench/tlog_go_bench"
mkdir -p "$OUT"
cd "$ROOT"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ ! -f build/release/build.ninja ]]; then
    cmake --preset release >/dev/null
  fi
  nice cmake --build build/release --target tlog_bench crypto_bench -j2 >&2
  GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS='' \
    GOCACHE="${GOCACHE:-/tmp/gocache}" \
    go build -o "$GO_BIN" bench/tlog/go/main.go
fi

echo "load before run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# C++ first, then Go; never concurrently.
build/release/bench/crypto_bench --benchmark_format=json --benchmark_min_time="$MIN_TIME" \
  >"$OUT/crypto_bench.json"
build/release/bench/tlog_bench --benchmark_format=json --benchmark_min_time="$MIN_TIME" \
  >"$OUT/tlog_bench.json"
"$GO_BIN" -min_time "${MIN_TIME}s" >"$OUT/go_tlog.jsonl"

python3 - "$OUT" <<'EOF'
import json, sys

out = sys.argv[1]
cpp = {}
for f in ("crypto_bench.json", "tlog_bench.json"):
    with open(f"{out}/{f}") as fh:
        for b in json.load(fh)["benchmarks"]:
            # Only rows that count items (hashing) are compared; others (HPKE) are timings.
            if "items_per_second" not in b:
                continue
            # items_per_second is per CPU second; convert to wall-clock like the Go side.
            b["wall_rate"] = b["items_per_second"] * b["cpu_time"] / b["real_time"]
            cpp[b["name"]] = b
go = {}
go_version = "?"
with open(f"{out}/go_tlog.jsonl") as fh:
    for line in fh:
        r = json.loads(line)
        if "bench" in r:
            go[r["bench"]] = r
        else:
            go_version = r.get("go_version", go_version)


def fmt(x):
    if x is None:
        return "n/a"
    for unit, div in (("M", 1e6), ("k", 1e3)):
        if x >= div:
            return f"{x / div:.2f} {unit}/s"
    return f"{x:.0f} /s"


def rate(d, name):
    r = d.get(name)
    if r is None:
        return None
    return r["wall_rate"] if d is cpp else r["items_per_second"]


def check_roots():
    """Fails unless every Candor tree benchmark's root equals Go's for the same N."""
    num = 0
    for n in (1 << 20, 1 << 24):
        want = go[f"BM_TreeHash/{n}"]["root"]
        for name in (f"BM_TreeHash/{n}", f"BM_TileBuild/{n}"):
            if name not in cpp:
                continue
            if cpp[name].get("label") != "root=" + want:
                sys.exit(f"root mismatch for {name}: {cpp[name].get('label')} vs go {want}")
            num += 1
    return num


num_roots = check_roots()
stream = cpp["BM_Sha256Stream/1048576"]
blocks_per_s = stream["bytes_per_second"] * stream["cpu_time"] / stream["real_time"] / 64
print("| operation | N | Candor | Go sumdb/tlog | Candor / Go | Candor / SHA-256 bound |")
print("|---|---|---|---|---|---|")
rows = [
    ("tree hashing: MemoryTree vs StoredHashes (leaves/s)", "BM_TreeHash", True),
    ("tree hashing: TileBuilder::Append, tiles + bundles (leaves/s)", "BM_TileBuild", True),
    ("SHA-256 bound: the tree's hash calls only (leaves/s)", "BM_SequentialHashBound", False),
    ("inclusion proof: ProveInclusion vs ProveRecord (proofs/s)", "BM_ProveInclusion", False),
    ("consistency proof: ProveConsistency vs ProveTree (proofs/s)", "BM_ProveConsistency", False),
    ("verify inclusion: VerifyInclusion vs CheckRecord (/s)", "BM_VerifyInclusion", False),
    ("verify consistency: VerifyConsistency vs CheckTree (/s)", "BM_VerifyConsistency", False),
]
for label, bench, vs_bound in rows:
    for n in (1 << 20, 1 << 24):
        name = f"{bench}/{n}"
        c, g = rate(cpp, name), rate(go, name)
        if c is None and g is None:
            continue
        ratio = f"{c / g:.2f}x" if c and g else "n/a"
        bound = rate(cpp, f"BM_SequentialHashBound/{n}")
        frac = f"{c / bound:.2f}" if vs_bound and c and bound else ""
        print(f"| {label} | {n} | {fmt(c)} | {fmt(g)} | {ratio} | {frac} |")
print()
print(f"SHA-256 one-shot: 33 B {fmt(rate(cpp, 'BM_Sha256/33'))}, "
      f"65 B {fmt(rate(cpp, 'BM_Sha256/65'))}; stream "
      f"{stream['bytes_per_second'] * stream['cpu_time'] / stream['real_time'] / 1e9:.2f} GB/s = "
      f"{blocks_per_s / 1e6:.1f} M blocks/s, so a tree (3 blocks per leaf) is bounded by "
      f"{fmt(blocks_per_s / 3)} leaves at the compression function.")
for n in (1 << 20, 1 << 24):
    g = go.get(f"BM_TreeHash/{n}")
    gb = go.get(f"BM_SequentialHashBound/{n}")
    if g and gb:
        print(f"Go tree hashing at N={n}: {g['items_per_second'] / gb['items_per_second']:.2f} of "
              f"Go's own SHA-256 bound, using {g['cpu_seconds'] / g['seconds']:.2f} CPU s per "
              f"wall s (above 1: the GC ran on the second core).")
print(f"Go: {go_version}, default GOMAXPROCS. Rates are wall-clock. {num_roots} Candor tree roots "
      f"checked equal to Go's.")
EOF
