#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite's PostgreSQL mode.
#   source .ci/pg.sh && pg_start   → exports CHUDING_TEST_DB_URL, stops the cluster on pg_stop
# initdb runs in a temp dir as the `postgres` system user (CI runs as root, which initdb refuses),
# listening only on 127.0.0.1 at a free port; trust authentication for that local user only.

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -n "$d" ]] || return 1
  echo "$d"
}

pg_install() {
  if ! pg_bindir >/dev/null; then
    echo "installing Debian package: postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql
  fi
}

_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  pg_install
  local bin; bin=$(pg_bindir)
  PG_TMP=$(mktemp -d /tmp/chuding-pg.XXXXXX)
  chmod 755 "$PG_TMP"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$PG_TMP"
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  _as_pg "$bin/initdb" -D "$PG_TMP/data" -U chuding -A trust -E UTF8 --locale=C.UTF-8 >"$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log"; return 1; }
  _as_pg "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_TMP -c fsync=off -c full_page_writes=off -c max_connections=200" start \
    >/dev/null || { cat "$PG_TMP/server.log"; return 1; }
  _as_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U chuding chuding_test
  export PG_TMP PG_PORT
  export CHUDING_TEST_DB_URL="postgresql://chuding@127.0.0.1:$PG_PORT/chuding_test"
  echo "PostgreSQL test cluster on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  if [[ -n "${PG_TMP:-}" && -d "$PG_TMP/data" ]]; then
    _as_pg "$(pg_bindir)/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
  fi
}
