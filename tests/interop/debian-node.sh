#!/usr/bin/env bash
# debian-node.sh OUT_DIR: makes OUT_DIR/node run Debian 12's own Node.js (18), the one a fresh
# machine gets from `apt-get install nodejs`, so the ts-mls interop test also runs on it when
# this machine has a newer Node.js from elsewhere.
#
# If the system `node` already is Debian's 18, OUT_DIR/node simply runs it. Otherwise the Debian
# packages are downloaded (apt-get download, no installation) and unpacked into OUT_DIR/root.
# Debian's libnode loads some built-in modules from /usr/share/nodejs (acorn, cjs-module-lexer,
# undici), so the wrapper runs node in a private mount namespace where the unpacked
# /usr/share lies over the system's (a read-only overlay; the system is not changed). That
# needs root, which the test command has.
set -euo pipefail
out=${1:?usage: debian-node.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if command -v node >/dev/null && node --version | grep -q '^v18\.' &&
   dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q 'deb12'; then
  printf '#!/bin/sh\nexec node "$@"\n' >"$out/node"
  chmod +x "$out/node"
  echo "debian-node: the system node is Debian's $(node --version)"
  exit 0
fi

version=$(apt-cache policy libnode108 | awk '/Candidate:/ {print $2}')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
  echo "debian-node: apt knows no libnode108 (run apt-get update)" >&2
  exit 1
fi
if [ ! -x "$out/root/usr/bin/node" ] || [ "$(cat "$out/version" 2>/dev/null)" != "$version" ]; then
  rm -rf "$out/debs" "$out/root"
  mkdir -p "$out/debs" "$out/root"
  # The files are written as root into a folder apt's sandbox user cannot enter: say so once
  # instead of apt's warning per file.
  (cd "$out/debs" && apt-get download -qq \
    "nodejs=$version" "libnode108=$version" libuv1 libc-ares2 libicu72 libbrotli1 \
    libnghttp2-14 node-acorn node-cjs-module-lexer node-undici node-busboy node-xtend \
    2>&1 | grep -v 'unsandboxed as root' || true)
  for deb in "$out"/debs/*.deb; do dpkg-deb -x "$deb" "$out/root"; done
  echo "$version" >"$out/version"
fi
cat >"$out/node" <<EOF
#!/bin/sh
# Debian 12's Node.js $version, unpacked in $out/root (see tests/interop/debian-node.sh).
exec unshare --mount sh -c 'mount -t overlay candor-node18 -o lowerdir=$out/root/usr/share:/usr/share /usr/share && LD_LIBRARY_PATH=$out/root/usr/lib/x86_64-linux-gnu exec $out/root/usr/bin/node "\$@"' node "\$@"
EOF
chmod +x "$out/node"
echo "debian-node: $("$out/node" --version) unpacked in $out/root"
