# PostgreSQL for the store suite (internal/postgres), meant to be sourced:
#
#   source .ci/postgres.sh
#   start_postgres          # exports KURULTAI_TEST_POSTGRES
#   trap stop_postgres EXIT
#
# start_postgres installs PostgreSQL with apt if no server binaries are
# found, initialises a throwaway cluster in a new temporary directory, runs
# it as an unprivileged user (the postgres system user, or one it creates)
# listening only on a Unix socket in that directory (so no port can clash
# with anything on the machine), and creates the role kurultai and its
# database kurultai_test. stop_postgres stops the server and removes the
# directory. Nothing else on the machine is touched: a system cluster, if
# any, keeps running or stays stopped.

# pg_bindir prints the bin directory of the newest installed PostgreSQL.
pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
		echo "$d"
	fi
}

# pg_as runs a command as the cluster's owner.
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$PG_CI_USER" -- "$@"
	else
		"$@"
	fi
}

start_postgres() {
	local bindir
	bindir=$(pg_bindir)
	if [ -z "$bindir" ]; then
		echo "postgres: installing PostgreSQL with apt"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
		bindir=$(pg_bindir)
		if [ -z "$bindir" ]; then
			echo "postgres: no server binaries under /usr/lib/postgresql after installing" >&2
			return 1
		fi
	fi
	PG_CI_USER=$(id -un)
	if [ "$(id -u)" = 0 ]; then
		PG_CI_USER=postgres
		if ! id -u "$PG_CI_USER" >/dev/null 2>&1; then
			PG_CI_USER=kurultai-pg
			id -u "$PG_CI_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_CI_USER"
		fi
	fi
	PG_CI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kurultai-pg.XXXXXX")
	chown "$PG_CI_USER" "$PG_CI_DIR"
	chmod 755 "$PG_CI_DIR"
	pg_as "$bindir/initdb" -D "$PG_CI_DIR/data" -A trust -U postgres -E UTF8 --no-locale >"$PG_CI_DIR/initdb.log" 2>&1 || {
		cat "$PG_CI_DIR/initdb.log" >&2
		return 1
	}
	# Durability as in production (fsync on); the store sets
	# synchronous_commit=on on every connection itself.
	pg_as "$bindir/pg_ctl" -D "$PG_CI_DIR/data" -l "$PG_CI_DIR/server.log" -w -t 120 \
		-o "-c listen_addresses='' -k $PG_CI_DIR -p 5432 -c max_connections=300 -c shared_buffers=128MB" start >/dev/null || {
		cat "$PG_CI_DIR/server.log" >&2
		return 1
	}
	PG_CI_BINDIR=$bindir
	"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_CI_DIR" -p 5432 -U postgres -d postgres \
		-c "CREATE ROLE kurultai LOGIN CREATEDB" \
		-c "CREATE DATABASE kurultai_test OWNER kurultai"
	export KURULTAI_TEST_POSTGRES="postgres://kurultai@/kurultai_test?host=$PG_CI_DIR&port=5432"
	echo "postgres: $("$bindir/postgres" --version) running in $PG_CI_DIR"
}

stop_postgres() {
	if [ -n "${PG_CI_DIR:-}" ] && [ -d "$PG_CI_DIR/data" ]; then
		pg_as "$PG_CI_BINDIR/pg_ctl" -D "$PG_CI_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
		rm -rf "$PG_CI_DIR"
	fi
	PG_CI_DIR=
}
