#!/usr/bin/env bash
# check-layers.sh: fails on an include that points up the layer order (house style H1):
#   base < crypto < tlog < kt, mls, net, release < store < server, witness, client, auditor
# and on OpenSSL/libsodium headers outside src/crypto/.
set -euo pipefail
cd "$(dirname "$0")/.."
rank() {
  case "$1" in
    base) echo 0 ;; crypto) echo 1 ;; tlog) echo 2 ;; kt|mls|net|release) echo 3 ;;
    store) echo 4 ;; server|witness|client|auditor) echo 5 ;; *) echo 9 ;;
  esac
}
bad=0
for layer in base crypto tlog kt mls net release store server witness client auditor; do
  mine=$(rank "$layer")
  while IFS= read -r line; do
    file=${line%%:*}
    inc=$(printf '%s' "$line" | sed -E 's/.*"candor\/([a-z_]+)\/.*/\1/')
    theirs=$(rank "$inc")
    if [ "$inc" != "$layer" ] && [ "$theirs" -ge "$mine" ]; then
      echo "check-layers: $file includes candor/$inc/ (layer $layer may not depend on $inc)"
      bad=1
    fi
  done < <(grep -rnE '#include "candor/[a-z_]+/' "src/$layer" "include/candor/$layer" 2>/dev/null || true)
done
if grep -rnE '#include <(openssl/|sodium)' src include | grep -v '^src/crypto/'; then
  echo "check-layers: only src/crypto/ may include OpenSSL or libsodium headers"
  bad=1
fi
[ "$bad" -eq 0 ] && echo "check-layers: dependencies point down"
exit "$bad"
