#!/usr/bin/env bash
# run_fuzzers.sh [seconds]: fuzzes every libFuzzer target already built in build/dev/fuzz for
# `seconds` each (default 20), one after the other. Builds nothing.
#
# Each target works on a temporary copy of fuzz/corpus/<target>/, so the source tree only
# changes when a target fails: then its crash/leak/timeout/oom inputs are copied into
# fuzz/corpus/<target>/ (so ctest replays them from then on) and the script exits 1.
# Set CANDOR_FUZZ_BIN_DIR to use binaries from another build directory.
set -euo pipefail

seconds="${1:-20}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -eq 0 ]]; then
  echo "usage: $0 [seconds]" >&2
  exit 2
fi

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin_dir="${CANDOR_FUZZ_BIN_DIR:-$fuzz_dir/../build/dev/fuzz}"
cache="$bin_dir/../CMakeCache.txt"
if [[ -f "$cache" ]] && grep -q '^CANDOR_FUZZ_COVERAGE:BOOL=OFF$' "$cache"; then
  echo "run_fuzzers: $bin_dir was built without coverage copies of the libraries" >&2
  echo "  (scripts/test.sh builds them for replay only); first run:" >&2
  echo "  cmake --preset dev -DCANDOR_FUZZ_COVERAGE=ON && cmake --build build/dev --target fuzz_all" >&2
  exit 2
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/candor-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

failed=()
ran=0
for src in "$fuzz_dir"/*/*_fuzz.cc; do
  target="$(basename "$src" .cc)"
  bin="$bin_dir/$target"
  if [[ ! -x "$bin" ]]; then
    echo "== $target: not built ($bin), skipped"
    continue
  fi
  # A GCC build links the corpus-replay main instead of libFuzzer; it cannot fuzz.
  if ! grep -aq 'libFuzzer' "$bin"; then
    echo "== $target: not a libFuzzer binary, skipped"
    continue
  fi

  corpus="$work/$target/corpus"
  artifacts="$work/$target/artifacts"
  mkdir -p "$corpus" "$artifacts"
  if [[ -d "$fuzz_dir/corpus/$target" ]]; then
    cp -R "$fuzz_dir/corpus/$target/." "$corpus/"
  fi

  echo "== $target: fuzzing for ${seconds}s"
  ran=$((ran + 1))
  log="$work/$target/log"
  # libFuzzer writes new inputs into the first corpus directory: the temporary copy.
  if (cd "$work/$target" && "$bin" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1); then
    grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' "$log" || true
    continue
  fi

  tail -n 40 "$log" >&2
  failed+=("$target")
  shopt -s nullglob
  saved=0
  for f in "$artifacts"/*; do
    dest="$fuzz_dir/corpus/$target/$(basename "$f")"
    cp "$f" "$dest"
    echo "!! $target: new failing input saved as fuzz/corpus/$target/$(basename "$f")" >&2
    saved=$((saved + 1))
  done
  shopt -u nullglob
  if [[ $saved -eq 0 ]]; then
    echo "!! $target: failed without leaving an input; log above" >&2
  fi
done

if [[ $ran -eq 0 ]]; then
  echo "no libFuzzer targets found in $bin_dir (build them with the dev preset)" >&2
  exit 1
fi
if [[ ${#failed[@]} -ne 0 ]]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all $ran fuzz targets ran ${seconds}s without a failure"
