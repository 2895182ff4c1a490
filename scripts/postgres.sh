#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster:
#
#   scripts/postgres.sh go test ./dagqriver/...
#
# It initialises a cluster in a temporary directory (fsync off: test data
# only), starts it on a free localhost port, creates a database, exports
# its URL as DAGQ_TEST_DATABASE_URL, runs the command and removes the
# cluster whatever happens. PostgreSQL refuses to run as root, so as root
# the server runs as the "postgres" user. Without PostgreSQL binaries it
# installs them from Debian packages when root, else it runs the command
# without a database (the tests that need one then skip, loudly).
set -euo pipefail

find_bin() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ]; then echo "$d"; return; fi
	done
	if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; fi
}

bin=$(find_bin)
if [ -z "$bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "== postgres: installing PostgreSQL from Debian packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
	bin=$(find_bin)
fi
if [ -z "$bin" ]; then
	echo "!! postgres: no PostgreSQL binaries (initdb) found and cannot install them:" >&2
	echo "!! the tests that need PostgreSQL will be SKIPPED" >&2
	exec "$@"
fi

# as runs a PostgreSQL binary as the user that owns the cluster.
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
	as() { runuser -u postgres -- "$@"; }
else
	as() { "$@"; }
fi

dir=$(mktemp -d /tmp/dagq-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo $((20000 + RANDOM % 20000)))

stop() {
	as "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT

as "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 1; }
as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
	start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
as "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres dagq_test

export DAGQ_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/dagq_test?sslmode=disable"
# A command that restarts the server, for the tests of a database restart.
restart="'$bin/pg_ctl' -D '$dir/data' -m fast -w -t 60 restart >/dev/null"
if [ "$(id -u)" = 0 ]; then restart="runuser -u postgres -- sh -c \"$restart\""; fi
export DAGQ_TEST_PG_RESTART="$restart"
echo "== postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $DAGQ_TEST_DATABASE_URL"
"$@"
