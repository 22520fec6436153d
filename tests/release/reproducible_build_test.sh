#!/usr/bin/env bash
# reproducible_build_test.sh SOURCE CANDOR: issue 14 §3. Builds the commit at SOURCE's HEAD with
# the release recipe (scripts/release-build.sh) in one folder, signs a manifest of what it made,
# then has `candor release rebuild-check` build the same commit again in a folder of another
# name, later, and compare every artifact (the four binaries and the Debian package) byte for
# byte. Exit 0 only if all are identical.
#
# Two release builds take about 9 minutes on 2 cores, so this runs under its own ctest label
# (`ctest -L repro`), outside the default run that CI makes (scripts/test.sh leaves it out).
# It builds what is committed: uncommitted changes are not part of a release.
set -euo pipefail
src=$1
candor=$2
work=$(mktemp -d "${TMPDIR:-/var/tmp}/candor-repro.XXXXXX")
trap 'rm -rf "$work"' EXIT
commit=$(git -C "$src" rev-parse HEAD)
echo "== first build of $commit in $work/first"
git clone --quiet "$src" "$work/first/candor"
git -C "$work/first/candor" checkout --quiet --detach "$commit"
(cd "$work/first/candor" && bash scripts/release-build.sh "$work/first/out") >"$work/first.log" 2>&1 ||
  { tail -30 "$work/first.log"; exit 1; }
"$candor" release keygen --name release.repro.test --key-file "$work/release.key" >"$work/vkey"
"$candor" release manifest --key-file "$work/release.key" --product candor --version 0.20.0 \
  --platform debian12-amd64 --commit "$commit" --recipe release-build.sh/v1 \
  --out "$work/manifest.note" "$work/first/out/dist/"*
cat "$work/manifest.note"
sleep 2  # another time: nothing may depend on it
echo "== second build, by candor release rebuild-check, in $work/elsewhere/second"
"$candor" release rebuild-check "$work/manifest.note" --release-key "$(cat "$work/vkey")" \
  --source "$src" --work-dir "$work/elsewhere/second"
