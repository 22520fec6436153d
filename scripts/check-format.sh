#!/usr/bin/env bash
# check-format.sh: fails if any C++ source differs from .clang-format (clang-format-14).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.h' '*.cc')
clang-format-14 --dry-run -Werror "${files[@]}"
echo "check-format: ${#files[@]} files formatted"
