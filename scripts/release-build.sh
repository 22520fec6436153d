#!/usr/bin/env bash
# release-build.sh OUT: the release recipe (the manifest's `recipe release-build.sh/v1`). Builds
# the committed tree of this checkout with the release preset in OUT/build and puts the
# artifacts in OUT/dist: the binaries candor, candord, candor-witness, candor-auditor (as
# installed: stripped) and the Debian package candor_<version>_<arch>.deb.
#
# The result depends only on the commit and the toolchain (Debian 12's GCC, CMake, binutils):
# source paths are mapped away (-ffile-prefix-map in the preset), file times are the commit's
# (SOURCE_DATE_EPOCH), inputs are listed in a fixed order by CMake. Building the same commit
# twice, in other folders at other times, gives the same bytes (ctest -L repro checks it).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
cd "$(dirname "$0")/.."
out=$(mkdir -p "$1" && cd "$1" && pwd)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "release-build: the checkout has uncommitted changes; a release is built from a commit" >&2
  exit 1
fi
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH
umask 022
cmake --preset release -B "$out/build" -DCANDOR_BUILD_BENCH=OFF >/dev/null
cmake --build "$out/build" --target candor candord candor-witness candor-auditor
rm -rf "$out/stage" "$out/dist"
cmake --install "$out/build" --prefix "$out/stage/usr" --strip >/dev/null
(cd "$out/build" && cpack -G DEB -B "$out/package" >/dev/null)
mkdir -p "$out/dist"
cp "$out/stage/usr/bin/"* "$out/dist/"
cp "$out/package/"*.deb "$out/dist/"
touch -d "@$SOURCE_DATE_EPOCH" "$out/dist/"*
(cd "$out/dist" && sha256sum -- *)
