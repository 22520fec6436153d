#!/usr/bin/env bash
# test.sh: installs what is missing, checks format and layering, builds the dev configuration
# (clang-14, ASan + UBSan, warnings as errors), runs every test with ctest, then clang-tidy.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-format.sh
bash scripts/check-layers.sh
# The fuzz targets replay their corpora here; the coverage copies of the libraries that fuzzing
# needs are left out (fuzz/run_fuzzers.sh says how to add them).
cmake --preset dev -DCANDOR_WERROR=ON -DCANDOR_FUZZ_COVERAGE=OFF >/dev/null
cmake --build build/dev
cd build/dev
# Every test but the reproducible-build check (two full release builds: `ctest -L repro`).
ctest -j2 --output-on-failure --timeout 900 -LE repro
cd ../..
bash scripts/check-tidy.sh
