#!/usr/bin/env bash
# pg-cluster.sh start|stop DIR: a throw-away PostgreSQL cluster for the tests (Debian's
# `postgresql` package). `start` runs initdb into DIR/data and starts the server listening only
# on a Unix socket in DIR, on a free port number, then writes the libpq connection string to
# DIR/conninfo. Tests run as root and PostgreSQL refuses to run as root, so as root the cluster
# belongs to the unprivileged `postgres` user (created by the package) or `nobody`. `stop` stops
# it at once and removes DIR.
set -euo pipefail
cmd=${1:?usage: pg-cluster.sh start|stop DIR}
dir=${2:?usage: pg-cluster.sh start|stop DIR}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "pg-cluster: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    local user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      owner=postgres; id "$owner" >/dev/null 2>&1 || owner=nobody
      chown "$owner" "$dir"
      runuser -u "$owner" -- test -w "$dir" || {
        echo "pg-cluster: $owner cannot reach $dir (choose a folder under /tmp)" >&2; exit 1; }
    fi
    as_owner "$bindir/initdb" -D "$dir/data" -U candor --auth=trust -E UTF8 --no-locale \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -p $port -c listen_addresses='' -c max_connections=300 -c fsync=on" start \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "host=$dir port=$port user=candor dbname=postgres" >"$dir/conninfo"
    echo "pg-cluster: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at $dir (port $port)"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
