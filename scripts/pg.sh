# shellcheck shell=bash
# pg_start: a throwaway PostgreSQL server on 127.0.0.1 (data under /tmp, fsync off), stopped
# when the calling script exits. Sets PG_URL. initdb refuses root, so it runs as `postgres`.
pg_start() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bindir" ] || { echo "pg: PostgreSQL is not installed" >&2; exit 1; }
  PG_DIR=$(mktemp -d /tmp/briefdesk-pg.XXXXXX)
  PG_PORT=${PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  local run=()
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_DIR"; run=(runuser -u postgres --); fi
  "${run[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U briefdesk --auth=trust -E UTF8 >/dev/null
  "${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w start \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" >/dev/null
  trap 'pg_stop' EXIT
  PG_URL="postgres://briefdesk@127.0.0.1:$PG_PORT/postgres"
  export PG_URL
  echo "pg: PostgreSQL running on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  local bindir run=()
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
