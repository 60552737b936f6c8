# shellcheck shell=bash
# A throw-away PostgreSQL server for the tests (issue 16), sourced by .ci/run.
#
#   source .ci/postgres.sh && postgres_start   # exports SMASSIST_TEST_DATABASE_URL
#   ...                                        # run pytest
#   postgres_stop                              # or let the EXIT trap do it
#
# - Installs Debian's `postgresql` package when no server binaries are found
#   (apt-get; needs root, as CI is), about 25 s on a fresh machine.
# - `initdb` into a new temporary folder, as the `postgres` user when run as
#   root (PostgreSQL refuses to run as root), trust authentication: it listens
#   on 127.0.0.1 only, on a private free port, with its socket in that folder.
# - Durability is off (fsync, full_page_writes): the data is thrown away.
# Developers use the same two functions to get a server for `pytest`.

_postgres_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 \
    && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

_postgres_as_owner() {  # run a server command as the folder's owner (postgres when we are root)
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

postgres_start() {
  local bin port
  if ! bin=$(_postgres_bin); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "postgres: installing Debian's postgresql package"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
        || { echo "postgres: apt-get install postgresql failed" >&2; return 1; }
      bin=$(_postgres_bin) || { echo "postgres: no initdb after installing" >&2; return 1; }
    else
      echo "postgres: no PostgreSQL server binaries (apt-get install postgresql)" >&2
      return 1
    fi
  fi
  SMASSIST_PG_DIR=$(mktemp -d /tmp/smassist-pg.XXXXXX) || return 1
  export SMASSIST_PG_DIR SMASSIST_PG_BIN="$bin"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$SMASSIST_PG_DIR" postgres
    chown postgres: "$SMASSIST_PG_DIR"
  fi
  chmod 700 "$SMASSIST_PG_DIR"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if ! _postgres_as_owner "$bin/initdb" -D "$SMASSIST_PG_DIR/data" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$SMASSIST_PG_DIR/initdb.log" 2>&1; then
    cat "$SMASSIST_PG_DIR/initdb.log" >&2
    return 1
  fi
  if ! _postgres_as_owner "$bin/pg_ctl" -D "$SMASSIST_PG_DIR/data" -l "$SMASSIST_PG_DIR/server.log" \
      -w -t 60 -o "-h 127.0.0.1 -p $port -k $SMASSIST_PG_DIR -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300" \
      start >/dev/null; then
    cat "$SMASSIST_PG_DIR/server.log" >&2
    return 1
  fi
  export SMASSIST_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  echo "postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (SMASSIST_TEST_DATABASE_URL=$SMASSIST_TEST_DATABASE_URL)"
}

postgres_stop() {
  [ -n "${SMASSIST_PG_DIR:-}" ] && [ -d "$SMASSIST_PG_DIR/data" ] || return 0
  _postgres_as_owner "$SMASSIST_PG_BIN/pg_ctl" -D "$SMASSIST_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$SMASSIST_PG_DIR"
  unset SMASSIST_PG_DIR
}
