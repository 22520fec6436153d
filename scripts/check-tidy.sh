#!/usr/bin/env bash
# check-tidy.sh: clang-tidy-14 (checks in .clang-tidy, warnings are errors) over every source
# under src/, two at a time, using the dev build's compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/dev/compile_commands.json ] || { echo "check-tidy: configure the dev preset first" >&2; exit 1; }
mapfile -t files < <(git ls-files 'src/*.cc')
printf '%s\n' "${files[@]}" | xargs -P2 -n4 clang-tidy-14 -p build/dev --quiet 2>/dev/null
echo "check-tidy: ${#files[@]} files clean"
