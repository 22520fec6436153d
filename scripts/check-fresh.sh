#!/usr/bin/env bash
# check-fresh.sh [ROOT_DIR]: checks the README's promise that its two Quick start commands work
# as root on a fresh Debian 12 machine. It builds a minimal Debian 12 root with debootstrap, from
# the mirror apt on this machine uses, clones this repository's main branch into it, and runs
# `bash scripts/demo.sh` and then `bash scripts/test.sh` there, timing each step.
#
# The root gets this machine's own trust set-up and nothing else: the extra CA certificates in
# /usr/local/share/ca-certificates, apt's configuration snippets and the npm configuration
# (needed to reach the mirror and the npm registry through this machine's network), with
# NODE_EXTRA_CA_CERTS pointing at the system bundle. That belongs to the machine, not to the
# project, so the project's scripts never depend on it.
#
# Needs root (debootstrap, chroot, mounts). The root is kept for inspection (ROOT_DIR, default
# /var/tmp/candor-fresh); it is rebuilt from scratch on every run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/tmp/candor-fresh}
[ "$(id -u)" -eq 0 ] || { echo "check-fresh: run as root" >&2; exit 1; }

log() { printf '\n[check-fresh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

umount_all() {
  for m in dev/pts dev proc sys tmp; do
    mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m" || true
  done
}
trap umount_all EXIT

command -v debootstrap >/dev/null || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
}
# The mirror apt uses (deb822 sources or the classic list).
mirror=$(grep -h -m1 -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

umount_all
rm -rf "$root"
mkdir -p "$root"
t0=$(date +%s)
log "debootstrap bookworm (minbase) from $mirror into $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
  tail -20 "$root.debootstrap.log" >&2; exit 1; }
t_boot=$(elapsed "$t0")

log "copy this machine's trust set-up (CA certificates, apt and npm configuration)"
mkdir -p "$root/usr/local/share/ca-certificates" "$root/etc/apt/apt.conf.d" "$root/usr/etc"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
for f in /etc/apt/apt.conf.d/99*; do [ -f "$f" ] && cp "$f" "$root/etc/apt/apt.conf.d/"; done
cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/" 2>/dev/null || true
rm -f "$root"/etc/apt/sources.list.d/*disabled*
if ls "$root"/etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
  rm -f "$root/etc/apt/sources.list"
fi
[ -f /root/.npmrc ] && cp /root/.npmrc "$root/root/.npmrc"
for f in /usr/etc/npmrc /etc/npmrc; do [ -f "$f" ] && cp "$f" "$root/etc/npmrc"; done
cp /etc/resolv.conf "$root/etc/resolv.conf"

log "clone main into the root"
git clone -q --branch main "$repo" "$root/root/candor"

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs tmpfs "$root/tmp"

run_in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    /bin/bash -c "cd /root/candor && $1"
}

t1=$(date +%s)
log "README command 1: bash scripts/demo.sh"
run_in_root "bash scripts/demo.sh" 2>&1 | tee "$root.demo.log" | tail -25
t_demo=$(elapsed "$t1")

t2=$(date +%s)
log "README command 2: bash scripts/test.sh"
run_in_root "bash scripts/test.sh" 2>&1 | tee "$root.test.log" | tail -40
t_test=$(elapsed "$t2")

log "fresh Debian 12 root: debootstrap $t_boot, demo.sh $t_demo, test.sh $t_test (total $(elapsed "$t0"))"
echo "logs: $root.debootstrap.log $root.demo.log $root.test.log"
