#!/usr/bin/env bash
# A throw-away PostgreSQL server on loopback for the catalog and worker tests (Debian's postgresql
# package: initdb + pg_ctl; nothing downloaded).
#   tests/peers/postgres.sh start DIR   -> initdb + start on a free 127.0.0.1 port, prints the URL
#                                          (postgresql://vidseg@127.0.0.1:PORT/vidseg, trust auth)
#   tests/peers/postgres.sh stop DIR    -> stops it and removes its files
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user (made by the
# package), else `nobody`, and lives in a folder of its own under ${TMPDIR:-/tmp} (DIR/postgres.dir
# names it), so DIR's permissions do not matter. The socket is in that folder too.
set -euo pipefail

action=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}

bindir=""
for candidate in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -n $candidate && -x $candidate/initdb && -x $candidate/pg_ctl ]]; then bindir=$candidate; break; fi
done
if [[ -z $bindir ]] && command -v initdb >/dev/null 2>&1; then bindir=$(dirname "$(command -v initdb)"); fi
[[ -n $bindir ]] || { echo "postgres.sh: initdb not found (install the Debian package postgresql)" >&2; exit 1; }

as_owner() {  # runs a PostgreSQL program as the cluster's owner
    if [[ $(id -u) -eq 0 ]]; then runuser -u "$owner" -- "$@"; else "$@"; fi
}
owner=$(id -un)
if [[ $(id -u) -eq 0 ]]; then owner=postgres; id postgres >/dev/null 2>&1 || owner=nobody; fi

case $action in
start)
    mkdir -p "$dir"
    root=$(mktemp -d "${TMPDIR:-/tmp}/vidseg-pg.XXXXXX")
    echo "$root" > "$dir/postgres.dir"
    chmod 755 "$root"
    [[ $(id -u) -eq 0 ]] && chown "$owner" "$root"
    as_owner "$bindir/initdb" -D "$root/data" -U vidseg --auth=trust -E UTF8 --no-locale >"$root/initdb.log" 2>&1 ||
        { cat "$root/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3; do
        port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        if as_owner "$bindir/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
            -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" start >/dev/null; then
            echo "$port" > "$root/port"
            "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U vidseg -d postgres -c 'CREATE DATABASE vidseg' >/dev/null
            echo "postgresql://vidseg@127.0.0.1:$port/vidseg"
            exit 0
        fi
    done
    cat "$root/server.log" >&2
    exit 1
    ;;
stop)
    [[ -f $dir/postgres.dir ]] || exit 0
    root=$(cat "$dir/postgres.dir")
    as_owner "$bindir/pg_ctl" -D "$root/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$root" "$dir/postgres.dir"
    ;;
*)
    echo "postgres.sh: unknown action $action (start or stop)" >&2
    exit 2
    ;;
esac
