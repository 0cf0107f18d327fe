#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on loopback for the provincial server's tests.
#
#   scripts/start-postgres.sh start DIR   # prints the DSN (one line, the last on stdout)
#   scripts/start-postgres.sh stop DIR
#
# start: installs Debian's postgresql when initdb is missing; creates a cluster in DIR/pgdata
# owned by the unprivileged `postgres` account (PostgreSQL refuses to run as root) unless DIR
# already holds one; starts it with pg_ctl listening on 127.0.0.1 only, on a free port, with its
# socket in DIR; creates the database `gdd`; prints
#   postgres://gdd:gdd@127.0.0.1:PORT/gdd?sslmode=disable
# Run as root it works through `runuser -u postgres`; run as any other user it runs the
# cluster as that user. fsync is off: the cluster is for tests and is thrown away.
# stop: pg_ctl stop -m fast, then removes DIR.
set -euo pipefail
export LANG=C LC_ALL=C

log() { echo "start-postgres: $*" >&2; }
die() { log "error: $*"; exit 1; }

cmd=${1:-}
DIR=${2:-}
[ -n "$cmd" ] && [ -n "$DIR" ] || die "usage: $0 start|stop DIR"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
PGDATA=$DIR/pgdata

find_bin() {
	for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	return 1
}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

if [ "$cmd" = stop ]; then
	if BIN=$(find_bin) && [ -f "$PGDATA/postmaster.pid" ]; then
		as_owner "$BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >&2 || true
	fi
	rm -rf "$DIR"
	exit 0
fi
[ "$cmd" = start ] || die "unknown command $cmd (start or stop)"

if ! BIN=$(find_bin); then
	[ "$(id -u)" -eq 0 ] || die "postgresql is not installed and installing it needs root"
	log "installing postgresql"
	(
		flock -w 600 9
		export DEBIAN_FRONTEND=noninteractive
		if ! apt-get install -y -qq -o DPkg::Lock::Timeout=300 postgresql >&2; then
			apt-get update -qq >&2
			apt-get install -y -qq -o DPkg::Lock::Timeout=300 postgresql >&2
		fi
	) 9>/tmp/gdd-apt.lock
	BIN=$(find_bin) || die "postgresql installed but initdb not found"
fi

if [ "$(id -u)" -eq 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
	chown postgres "$DIR"
	chmod 0700 "$DIR"
fi

if [ ! -f "$PGDATA/PG_VERSION" ]; then
	pwfile=$DIR/.pw
	echo gdd >"$pwfile"
	[ "$(id -u)" -eq 0 ] && chown postgres "$pwfile"
	as_owner "$BIN/initdb" -D "$PGDATA" -U gdd --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
	rm -f "$pwfile"
fi

# A free port: ask the kernel for one on loopback, then give it to PostgreSQL. Another process
# could take it in between; pg_ctl then fails and the next run picks another.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
	shuf -i 20000-60000 -n 1)

if ! as_owner "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
	as_owner "$BIN/pg_ctl" -D "$PGDATA" -w -t 60 -l "$DIR/postgres.log" \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >&2 || { tail -20 "$DIR/postgres.log" >&2; die "pg_ctl start failed"; }
else
	port=$(sed -n 4p "$PGDATA/postmaster.pid")
fi

export PGPASSWORD=gdd
if ! as_owner env PGPASSWORD=gdd "$BIN/psql" -h 127.0.0.1 -p "$port" -U gdd -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname='gdd'" | grep -q 1; then
	as_owner env PGPASSWORD=gdd "$BIN/createdb" -h 127.0.0.1 -p "$port" -U gdd gdd >&2
fi
log "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $PGDATA"
echo "postgres://gdd:gdd@127.0.0.1:$port/gdd?sslmode=disable"
