#!/usr/bin/env bash
# demo.sh: the main job. Installs what is missing, builds the release binaries, then runs the
# whole system on loopback with the embedded defaults (SQLite): candord (key directory,
# KeyPackages, delivery, the tree-head log), two independent witnesses and an independent
# Third-Party Auditor of the key directory; alice on two devices,
# bob and carol chat, alone and in a group; then the operator is compelled to add a device to
# bob's account, and the clients refuse it. Last, the vendor publishes the build this script
# made (its Debian package) in candord's witnessed release log, and a user's machine verifies
# it, installs it from a mirror with `candor update` and refuses a tampered mirror's copy.
# Everything lives in $CANDOR_DEMO_DIR (./demo-data).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build/release --target candord candor-witness candor-auditor candor \
  candor-compelled-operator
# The Debian package of the binaries (file times: the commit's, as the release recipe does).
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 0) \
  bash -c 'cd build/release && cpack -G DEB -B package >/dev/null'
deb=$(ls "$root"/build/release/package/candor_*.deb)
bin=$root/build/release/src
operator=$root/build/release/tools/candor-compelled-operator

data=${CANDOR_DEMO_DIR:-$root/demo-data}
rm -rf "$data"
mkdir -p "$data"
pids=()
server_pid=
cleanup() {
  for p in "${pids[@]}" $server_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

exec 3>&2  # commands are shown on fd 3, so that capturing a command's output leaves them out
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
# as WHO ARGS...: runs the candor client with WHO's device profile and shows the command.
as() {
  local who=$1
  shift
  printf '\033[2m%s$ candor %s\033[0m\n' "$who" "$*" >&3
  "$bin/candor" --profile "$data/profiles/$who" "$@"
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
wait_file() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
# wait_audited: until candord holds a head signed by the auditor (before, it answers no
# directory query: clients accept nothing the auditor has not vouched for).
wait_audited() {
  python3 - "$(cat "$data/server.port")" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/metrics"
for _ in range(400):
    try:
        for line in urllib.request.urlopen(url, timeout=2).read().decode().splitlines():
            if line.startswith("candor_kt_auditor_tree_size ") and float(line.split()[1]) > 0:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit("the auditor signed no head (see auditor.log)")
PY
}

start_server() {
  rm -f "$data/server.port"
  "$bin/candord" serve --dir "$data/server" --port-file "$data/server.port" \
    2>>"$data/server.log" &
  server_pid=$!
  wait_file "$data/server.port"
}

step "the operator sets up candord; two witnesses and an auditor will check its directory"
auditor_key=$("$bin/candor-auditor" init --dir "$data/auditor")
init=$("$bin/candord" init --dir "$data/server" --listen 127.0.0.1:0 --auditor-key "$auditor_key")
heads_key=$(printf '%s' "$init" | json '["kt_heads_log"]')
releases_key=$("$bin/candord" init --dir "$data/server" --log releases \
  --origin candor.local/logs/releases | json '["vkey"]')
say "candord made the key directory's signing and VRF keys and the key of its tree-head log."
say "The keys that decrypt messages are made on the devices and never reach it."
say "The directory runs in Third-Party Auditing mode: an auditor (another organisation) made"
say "its own key, and every client requires the auditor's signature on the directory's log."
for w in 1 2; do
  key=$("$bin/candor-witness" init --dir "$data/witness$w" --name "witness$w.candor.local")
  "$bin/candor-witness" serve --dir "$data/witness$w" --listen 127.0.0.1:0 \
    --port-file "$data/witness$w.port" --log "$heads_key" --log "$releases_key" \
    2>"$data/witness$w.log" &
  pids+=($!)
  wait_file "$data/witness$w.port"
  echo "http://127.0.0.1:$(cat "$data/witness$w.port")/=$key" >>"$data/witnesses"
done
python3 - "$data" <<'PY'
import json, sys
d = sys.argv[1]
c = json.load(open(f"{d}/server/candord.json"))
c["witnesses"] = [l.strip() for l in open(f"{d}/witnesses") if l.strip()]
c["quorum"] = 2
json.dump(c, open(f"{d}/server/candord.json", "w"), indent=2)
PY
start_server
port=$(cat "$data/server.port")
# From now on candord keeps this port across restarts (clients pin the address).
python3 - "$data" "$port" <<'PY'
import json, sys
p = f"{sys.argv[1]}/server/candord.json"
c = json.load(open(p)); c["listen"] = f"127.0.0.1:{sys.argv[2]}"
json.dump(c, open(p, "w"), indent=2)
PY
trust=$data/server/client-trust.json
"$bin/candor-auditor" run --dir "$data/auditor" --server "http://127.0.0.1:$port/" \
  --kt-config "$data/server/kt-config.bin" --token-file "$data/server/keys/auditor.token" \
  2>"$data/auditor.log" &
pids+=($!)
wait_audited
say "candord serves on 127.0.0.1:$port. What a client pins is in $trust:"
say "the server address, the directory's public keys, the tree-head log key, the two"
say "witness keys and the quorum (2). A real deployment ships this file with the app."
say "candor-auditor checks every directory entry as it is published (no label rewritten, no"
say "entry dropped) and hands candord the head it signed; clients refuse answers once that"
say "signature trails the directory by more than 70 s."

step "alice, bob and carol create their accounts"
say "Each device makes its own keys; the account's device list, signed by its account key,"
say "is published in the key directory, and the client checks the proof and that the tree"
say "head is in a checkpoint both witnesses cosigned."
as alice account create alice --device phone --trust "$trust" --unsealed
as bob account create bob --device laptop --trust "$trust" --unsealed
as carol account create carol --device phone --trust "$trust" --unsealed
say "(--unsealed keeps these demo profiles without a passphrase; a real profile seals its"
say " secrets under one: Argon2id, XChaCha20-Poly1305.)"

step "alice links a second device (her tablet) with a one-time code"
as alice --json device link --wait 60 >"$data/link.out" &
link_pid=$!
wait_file "$data/link.out"
code=$(head -1 "$data/link.out" | json '["code"]')
say "alice's phone shows the code $code; she types it on the tablet:"
as alice-tablet device join --code "$code" --device tablet --trust "$trust" --unsealed
wait "$link_pid"
say "The phone checked the tablet's keys (sealed under the code), signed the new device list"
say "with the account key and published it; the tablet verified it against the directory."
as alice-tablet device list

step "alice and bob add each other and compare safety numbers"
as alice contact add bob
as bob contact add alice
a_num=$(as alice --json verify bob 2>/dev/null | json '["safety_number"]')
b_num=$(as bob --json verify alice 2>/dev/null | json '["safety_number"]')
say "alice sees: $a_num"
say "bob sees:   $b_num"
[ "$a_num" = "$b_num" ] || { echo "safety numbers differ" >&2; exit 1; }
say "They match: both come from the account keys the directory proved. Compared in person,"
say "they rule out a directory that shows each of them a different key."
as alice verify bob --confirm >/dev/null

step "a one-to-one conversation reaches both of alice's devices"
as bob send alice "Hi alice, lunch at noon?"
as alice recv
as alice-tablet recv
as alice-tablet send bob "Yes! (from my tablet)"
as bob recv
as alice recv

step "a group of three"
as carol contact add alice >/dev/null
as alice group create trio bob carol
as alice send trio "Welcome to the trio."
as bob recv
as carol recv
as carol send trio "Glad to be here."
as bob recv

step "carol is removed, and cannot read what follows"
as alice group remove trio carol
as alice send trio "Now just the two of us (and my tablet)."
as bob recv
as carol recv
if as carol send trio "Can I still post?" 2>"$data/carol.err"; then
  echo "unexpected: carol could still post" >&2
  exit 1
fi
say "carol's client: $(cat "$data/carol.err")"

step "bob's laptop is offline while alice writes; the messages wait for it"
as alice send bob "Are you there?"
as alice send bob "Call me when you are back."
say "(bob's laptop is closed; the Delivery Service keeps its queue durably)"
sleep 1
as bob recv

step "bob links a new phone; his laptop hands it the history, sealed under the code"
as bob --json device link --wait 60 >"$data/link-bob.out" &
link_pid=$!
wait_file "$data/link-bob.out"
code=$(head -1 "$data/link-bob.out" | json '["code"]')
as bob-phone device join --code "$code" --device phone --trust "$trust" --unsealed
wait "$link_pid"
say "The server relayed sealed boxes only; the phone keeps the messages under its own keys:"
as bob-phone recv >/dev/null
as bob-phone history alice

step "the witnesses cosigned every directory head the clients used"
"$bin/candor" log checkpoint --url "http://127.0.0.1:$port/logs/kt-heads/" \
  --log-key "$heads_key" $(cut -d= -f2- "$data/witnesses" | sed 's/^/--witness-key /') --quorum 2

step "the operator is compelled to wiretap bob: it adds a device of its own to bob's account"
say "It stops candord and uses everything the server holds: its database, the directory's"
say "signing and VRF keys, the tree-head log's key. It has no key of bob's."
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
"$operator" --dir "$data/server" --handle bob --device ghost
start_server
wait_audited
say "candord serves bob's new entry with valid proofs; the witnesses cosign its head, since"
say "the log stays consistent. The entry itself is the operator's signature, not bob's."

say "The auditor signs that entry too: it is a well-formed step of one consistent log. What"
say "no operator can forge is bob's account-key signature, and that is the clients' check."

step "alice's client refuses to send to bob"
set +e
as alice send bob "The launch code is 0000."
status=$?
set -e
[ "$status" -eq 3 ] || { echo "unexpected: alice's client exit status $status" >&2; exit 1; }
say "exit status 3: not verified. Nothing was encrypted for the ghost device."

step "bob's own client raises the alarm"
set +e
as bob monitor
status=$?
set -e
[ "$status" -eq 3 ] || { echo "unexpected: bob's monitor exit status $status" >&2; exit 1; }
as bob alarms
say "The forged entry stays in the append-only, witnessed log for anyone to see."

step "the vendor publishes the build this script made in the witnessed release log"
"$bin/candor" release keygen --name release.candor.local --key-file "$data/release.key" \
  >"$data/release.vkey"
python3 - "$data" "$port" "$releases_key" <<'PY'
import json, sys
d, port, log_key = sys.argv[1:]
witnesses = [l.strip().split("=", 1)[1] for l in open(f"{d}/witnesses") if l.strip()]
json.dump({"release_key": open(f"{d}/release.vkey").read().strip(),
           "log_url": f"http://127.0.0.1:{port}/logs/releases/", "log_key": log_key,
           "witnesses": witnesses, "quorum": 2, "max_checkpoint_age_seconds": 3600},
          open(f"{d}/release-policy.json", "w"), indent=2)
PY
version=$(dpkg-deb -f "$deb" Version)
"$bin/candor" release publish --policy "$data/release-policy.json" --key-file "$data/release.key" \
  --token-file "$data/server/logs/releases/append.token" --product candor --version "$version" \
  --platform debian12-amd64 --commit "$(git rev-parse HEAD 2>/dev/null || printf '0%.0s' {1..40})" \
  --recipe cmake-preset-release --proof-out "$data/candor.tlog-proof" --mirror-out "$data/mirror" \
  "$deb" "$bin/candor" "$bin/candord" "$bin/candor-witness" "$bin/candor-auditor"
say "The manifest (the SHA-256 of the .deb and of each binary, the commit, the recipe) is signed"
say "by the release key, appended to candord's release log and cosigned by both witnesses."

step "a user checks the package they downloaded, offline and against the log"
"$bin/candor" release verify "$deb" --proof "$data/candor.tlog-proof" \
  --policy "$data/release-policy.json" --platform debian12-amd64 --state "$data/release-seen"

step "the user's updater installs the newest logged build from a mirror, and refuses a forged one"
# Two static mirrors: one with the published files, one whose copy of the package was replaced.
mkdir -p "$data/evil-mirror/candor/$version/debian12-amd64"
printf 'a package built for one user\n' \
  >"$data/evil-mirror/candor/$version/debian12-amd64/$(basename "$deb")"
for m in mirror evil-mirror; do
  python3 - "$data/$m" "$data/$m.port" 2>>"$data/$m.log" <<'PY' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
  pids+=($!)
  wait_file "$data/$m.port"
done
update() {
  "$bin/candor" update --policy "$data/release-policy.json" --state "$data/updater.json" \
    --platform debian12-amd64 --artifact "$(basename "$deb")" \
    --install "$data/downloads/$(basename "$deb")" "$@"
}
set +e
update --mirror "http://127.0.0.1:$(cat "$data/evil-mirror.port")/"
status=$?
set -e
[ "$status" -eq 3 ] || { echo "unexpected: update from the forged mirror: status $status" >&2; exit 1; }
update --mirror "http://127.0.0.1:$(cat "$data/evil-mirror.port")/" \
  --mirror "http://127.0.0.1:$(cat "$data/mirror.port")/"
cmp "$deb" "$data/downloads/$(basename "$deb")"
update --mirror "http://127.0.0.1:$(cat "$data/mirror.port")/"
say "A build the release log does not hold never installs, whoever serves it; a mirror serves"
say "bytes only. How to check your own copy: README, \"Binary transparency\"."

printf '\nDone. Profiles, keys and logs are in %s\n' "$data"
