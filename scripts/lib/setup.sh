# Shared set-up for scripts/start and scripts/test: Node dependencies, Redis and PostgreSQL on loopback.
# Sourced, not run. Installs what is missing from Debian's packages when run as root with apt-get;
# otherwise says what it needs. Services are left running (daemonized) and reused by the next run.

OTKLIK_SERVICES_DIR="${OTKLIK_SERVICES_DIR:-${TMPDIR:-/tmp}/otklik-services}"

say() { printf 'otklik: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    die "need the Debian package(s) $* — install them (apt-get install $*) or set the URL variable to a running server"
  fi
  if [ -z "${OTKLIK_APT_UPDATED:-}" ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
    OTKLIK_APT_UPDATED=1
  fi
  say "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
}

ensure_node_deps() {
  command -v node >/dev/null || die "Node.js 20+ is required (https://nodejs.org or apt-get install nodejs)"
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js 20+ is required, found $(node -v)"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci"
    # A registry mirror that serves only this platform's optional binaries (@swc/core-*, unrs-resolver
    # bindings) leaves them out of the lock file, and npm ci's sync check then refuses it: fall back to
    # npm install, which installs the locked versions of everything that is locked.
    local log="${TMPDIR:-/tmp}/otklik-npm-ci.log"
    npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1 \
      || { say "npm ci refused the lock file (see $log); npm install instead"; npm install --no-audit --no-fund --loglevel=error >&2; } \
      || die "npm install failed"
  fi
}

# ensure_redis PORT: a Redis on 127.0.0.1:PORT (AOF on, noeviction), started if none answers.
ensure_redis() {
  local port=$1 dir="$OTKLIK_SERVICES_DIR/redis-$1"
  if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
  if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then return 0; fi
  mkdir -p "$dir"
  say "starting redis on 127.0.0.1:$port ($dir)"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes --appendonly yes \
    --maxmemory-policy noeviction --save '' --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null \
    || die "redis-server did not start (see $dir/redis.log)"
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  die "redis on port $port did not answer (see $dir/redis.log)"
}

# ensure_chromium: Debian's Chromium at /usr/bin/chromium, for the dashboard's browser tests (playwright-core drives it).
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  apt_install chromium
}

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# ensure_postgres PORT: a PostgreSQL server on 127.0.0.1:PORT, user postgres, trust auth (tests only).
ensure_postgres() {
  local port=$1 dir="$OTKLIK_SERVICES_DIR/pg-$1" bin run=()
  bin=$(pg_bindir)
  if [ -z "$bin" ]; then apt_install postgresql; bin=$(pg_bindir); fi
  [ -n "$bin" ] || die "PostgreSQL binaries not found after install"
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then return 0; fi
  # initdb and the server refuse to run as root: run them as the postgres user.
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    run=(runuser -u postgres --)
  fi
  mkdir -p "$OTKLIK_SERVICES_DIR"; chmod 755 "$OTKLIK_SERVICES_DIR"
  if [ ! -f "$dir/PG_VERSION" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    say "initdb $dir"
    "${run[@]}" "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null || die "initdb failed"
  fi
  say "starting postgresql on 127.0.0.1:$port"
  "${run[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || die "postgresql did not start (see $dir/server.log)"
}
