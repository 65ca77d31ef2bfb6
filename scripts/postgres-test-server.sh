#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests, on loopback.
#
#   eval "$(scripts/postgres-test-server.sh start)"   # prints `export ORCHARD_TEST_POSTGRES_URL=postgres://…`
#   scripts/postgres-test-server.sh stop
#
# The cluster lives in $ORCHARD_PG_DIR (default: a folder under /tmp named after this checkout, reachable by the
# `postgres` user even when the checkout is under root's home), is created with initdb on first
# start (trust authentication for the `orchard` role, C locale, UTF-8) and listens on 127.0.0.1 only, on a free port
# (or $ORCHARD_PG_PORT). `start` reuses a cluster that is already running. initdb refuses to run as root: as root the
# server runs as the `postgres` system user (created by Debian's postgresql package). Durability is off (fsync,
# synchronous_commit, full_page_writes): the data is thrown away, and the tests measure behaviour, not the disk.
# ORCHARD_PG_DURABLE=1 keeps PostgreSQL's defaults (for benchmarks: docs/performance.md).
# Each test makes its own schema or database in this one cluster.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${ORCHARD_PG_DIR:-/tmp/orchard-postgres-$(printf %s "$repo" | md5sum | cut -c1-10)}
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres-test-server: no PostgreSQL server binaries (install postgresql-15: make deps)" >&2
    exit 1
fi

as_server_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url() { echo "postgres://orchard@127.0.0.1:$(cat "$dir/port")/postgres"; }

running() { [ -f "$dir/data/postmaster.pid" ] && as_server_user "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

case "${1:-start}" in
start)
    if running; then echo "export ORCHARD_TEST_POSTGRES_URL=$(url)"; exit 0; fi
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_server_user "$bin/initdb" -D "$dir/data" -U orchard --auth=trust --locale=C -E UTF8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    port=${ORCHARD_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    echo "$port" >"$dir/port"
    durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if [ "${ORCHARD_PG_DURABLE:-0}" = 1 ]; then durability=""; fi
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 $durability" \
        start >/dev/null || { tail -20 "$dir/server.log" >&2; exit 1; }
    echo "export ORCHARD_TEST_POSTGRES_URL=$(url)"
    ;;
stop)
    if running; then as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; fi
    ;;
url)
    running && url
    ;;
*)
    echo "usage: $0 start|stop|url" >&2; exit 2
    ;;
esac
