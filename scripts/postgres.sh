#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL 15 (Debian's server binaries) for the store tests.
#
#   bash scripts/postgres.sh start DIR   # initdb into DIR/data if needed, start on 127.0.0.1, write DIR/env
#   bash scripts/postgres.sh stop DIR    # stop the server that owns DIR/data
#
# DIR/env exports the connection string that @backstage/backend-test-utils' TestDatabases reads for
# POSTGRES_15, so `source DIR/env` before Jest runs the PostgreSQL cases. Both commands are idempotent;
# progress goes to stderr and the last stdout line is DIR.
set -euo pipefail

PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
ENV_NAME=BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
READY_TIMEOUT=60

log() { echo "postgres: $*" >&2; }
die() { log "$*"; exit 1; }

usage() { die "usage: $0 start|stop DIR"; }

command=${1:-}
[ $# -eq 2 ] || usage
case "$command" in start | stop) ;; *) usage ;; esac
if [ "$command" = stop ] && [ ! -d "$2" ]; then
  log "nothing to stop in $2"
  echo "$2"
  exit 0
fi
mkdir -p "$2"
dir="$(cd "$2" && pwd)"
data="$dir/data"

ensure_binaries() {
  [ -x "$PG_BIN/pg_ctl" ] && return 0
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL $PG_MAJOR server binaries not found in $PG_BIN; install the Debian package (apt-get install postgresql) or run as root"
  log "installing the Debian package postgresql"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  [ -x "$PG_BIN/pg_ctl" ] || die "the postgresql package did not bring PostgreSQL $PG_MAJOR (no $PG_BIN/pg_ctl)"
}

# postgres refuses to run as root, so root runs it as the `postgres` user that the Debian package creates.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$dir" && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

prepare_owner() {
  [ "$(id -u)" -eq 0 ] || return 0
  id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  chown postgres: "$dir"
  [ ! -d "$data" ] || chown -R postgres: "$data"
  as_owner test -w "$dir" || die "user postgres cannot write to $dir (a parent directory is not traversable); pick a DIR under /tmp"
}

# Prints the port of the running server, or nothing when none runs from $data.
running_port() {
  [ -f "$data/postmaster.pid" ] || return 0
  as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1 || return 0
  sed -n 4p "$data/postmaster.pid"
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port attempt
  for attempt in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if port_is_free "$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found on 127.0.0.1"
}

init_cluster() {
  [ -f "$data/PG_VERSION" ] && return 0
  log "initdb into $data"
  # A natural-language collation like production servers have, so tests catch ordering that differs from SQLite.
  as_owner "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --locale-provider=icu --icu-locale=en-US --no-sync >/dev/null
  # Loopback only, trust auth and no fsync: a disposable database for tests, never for data that matters.
  cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
EOF
}

write_env() {
  echo "export $ENV_NAME=postgresql://postgres@127.0.0.1:$1" >"$dir/env"
  echo "$1" >"$dir/port"
}

start() {
  ensure_binaries
  prepare_owner
  local port
  port="$(running_port)"
  if [ -n "$port" ]; then
    log "already running on 127.0.0.1:$port"
    write_env "$port"
    echo "$dir"
    return 0
  fi
  init_cluster
  local attempt
  # Another process may take the probed port before postgres binds it, so a failed start retries on a new one.
  for attempt in 1 2 3; do
    # A restarted server keeps its address when it can, so its clients reconnect to it.
    port="$(cat "$dir/port" 2>/dev/null || true)"
    if [ "$attempt" -gt 1 ] || [ -z "$port" ] || ! port_is_free "$port"; then port="$(free_port)"; fi
    log "starting on 127.0.0.1:$port"
    if as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/postgres.log" -o "-p $port" -w -t "$READY_TIMEOUT" start >/dev/null; then
      write_env "$port"
      log "ready; source $dir/env"
      echo "$dir"
      return 0
    fi
    as_owner "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  done
  tail -n 20 "$dir/postgres.log" >&2 || true
  die "PostgreSQL did not become ready (log: $dir/postgres.log)"
}

stop() {
  if [ -z "$(running_port 2>/dev/null || true)" ]; then
    log "not running from $data"
    rm -f "$dir/env"
    echo "$dir"
    return 0
  fi
  local pid
  pid="$(head -n 1 "$data/postmaster.pid")"
  if ! as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null; then
    log "pg_ctl stop failed; terminating postmaster $pid"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/env"
  log "stopped"
  echo "$dir"
}

"$command"
