#!/usr/bin/env bash
# Local infrastructure for khiw on a machine without Docker (DESIGN.md section 5):
# PostgreSQL and Redis (system services), a single-node Kafka broker in KRaft mode and
# Kannel (bearerbox + fakesmsc + smsbox). All state lives in <repo>/.local/.
#
#   infra.sh up                  start whatever is not running, wait until healthy (idempotent)
#   infra.sh down                stop what `up` started (Kafka data persists)
#   infra.sh status              one line per component; exit 1 if one is unhealthy
#   infra.sh logs [name] [-f]    log locations and their last lines (or follow one)
#   infra.sh start kafka|kannel  start one part (fault tests stop and start them)
#   infra.sh stop kafka|kannel   stop one part
#   infra.sh restart kafka|kannel
#   infra.sh prometheus-up       Prometheus (Debian's) scraping the four services on
#                                KHIW_BASE_PORT..+3 with infra/prometheus/rules; optional, not
#                                part of `up`; idempotent (reloads the rules when running)
#   infra.sh prometheus-down     stop it (`down` stops it too)
#
# Environment (defaults in brackets): PG_PORT [5432] (checked only; the cluster keeps its
# own port), REDIS_PORT [6379], KAFKA_PORT [9092], KAFKA_CONTROLLER_PORT [9093],
# KANNEL_ADMIN_PORT [13000], KANNEL_SMSBOX_PORT [13001], KANNEL_SMSC_PORT [13010],
# KANNEL_SENDSMS_PORT [13013], KANNEL_THROUGHPUT [100 SMS/s; a change restarts Kannel],
# KANNEL_USERNAME/KANNEL_PASSWORD [khiw/khiw], KANNEL_STATUS_PASSWORD, KANNEL_ADMIN_PASSWORD,
# PROMETHEUS_PORT [9090], KHIW_BASE_PORT [8080] (the gateway's port; the others follow it),
# KHIW_REDIS_AOF [on; keep: leave AOF off in a Redis that already runs, see ensure_redis_aof].
set -Eeuo pipefail
# `&` in ${var//pattern/replacement} must stay literal (bash 5.2 default would expand it).
shopt -u patsub_replacement 2>/dev/null || true

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
LOCAL="$REPO/.local"
RUN_DIR="$LOCAL/run"
LOG_DIR="$LOCAL/log"
KAFKA_DIR="$LOCAL/kafka"
KANNEL_DIR="$LOCAL/kannel"
PROMETHEUS_DIR="$LOCAL/prometheus"
# shellcheck disable=SC2034 # read by render() through ${!name}
KAFKA_DATA_DIR="$KAFKA_DIR/data"

PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KANNEL_ADMIN_PORT=${KANNEL_ADMIN_PORT:-13000}
KANNEL_SMSBOX_PORT=${KANNEL_SMSBOX_PORT:-13001}
KANNEL_SMSC_PORT=${KANNEL_SMSC_PORT:-13010}
KANNEL_SENDSMS_PORT=${KANNEL_SENDSMS_PORT:-13013}
KANNEL_THROUGHPUT=${KANNEL_THROUGHPUT:-100}
KANNEL_ADMIN_PASSWORD=${KANNEL_ADMIN_PASSWORD:-khiw-admin}
KANNEL_STATUS_PASSWORD=${KANNEL_STATUS_PASSWORD:-khiw-status}
KANNEL_USERNAME=${KANNEL_USERNAME:-khiw}
KANNEL_PASSWORD=${KANNEL_PASSWORD:-khiw}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
KHIW_BASE_PORT=${KHIW_BASE_PORT:-8080}

BEARERBOX=/usr/sbin/bearerbox
SMSBOX=/usr/sbin/smsbox
FAKESMSC=/usr/lib/kannel/test/fakesmsc
PROMETHEUS=/usr/bin/prometheus
PROMETHEUS_CONF="$PROMETHEUS_DIR/prometheus.yml"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KANNEL_CONF="$KANNEL_DIR/kannel.conf"
STOP_TIMEOUT=20

# ---------------------------------------------------------------------------- helpers

say() { printf '[infra] %s\n' "$*"; }
warn() { printf '[infra] %s\n' "$*" >&2; }

# fail <message> [log file...]: print the message and the tail of each log, exit 1.
fail() {
  warn "ERROR: $1"
  shift
  local log
  for log in "$@"; do
    [[ -f "$log" ]] || continue
    warn "---- last 30 lines of $log ----"
    tail -n 30 "$log" >&2 || true
    warn "---- end of $log ----"
  done
  exit 1
}

port_open() { timeout 2 bash -c ": >/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

http_get() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 3 "$1" 2>/dev/null
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((t) => process.stdout.write(t), () => process.exit(1))' "$1"
  fi
}

# The command line a component runs with (sets WANT); a pid only counts as ours when its
# command line contains it, so a recycled pid or somebody else's process is never signalled.
expected_cmdline() {
  case "$1" in
    kafka) WANT="kafka.Kafka $KAFKA_PROPS" ;;
    bearerbox) WANT="$BEARERBOX -v 4 $KANNEL_CONF" ;;
    fakesmsc) WANT="$FAKESMSC -H 127.0.0.1 -r $KANNEL_SMSC_PORT -i 1 -m 0 100 200 text x" ;;
    smsbox) WANT="$SMSBOX -v 4 $KANNEL_CONF" ;;
    prometheus) WANT="$PROMETHEUS --config.file=$PROMETHEUS_CONF" ;;
  esac
}

# pid_matches <pid> <name>. Builtins only (no subshell): it runs for every process in /proc
# when a pid file is missing. A zombie has an empty command line and does not match.
pid_matches() {
  local -a args=()
  local WANT
  expected_cmdline "$2"
  mapfile -d '' args 2>/dev/null <"/proc/$1/cmdline" || return 1
  [[ ${#args[@]} -gt 0 && "${args[*]}" == *"$WANT"* ]] || return 1
  # Every checkout's fakesmsc has the same command line: ours is the one started in our RUN_DIR
  # (another clone's `down` once stopped this one's).
  [[ "$2" != fakesmsc || "/proc/$1/cwd" -ef "$RUN_DIR" ]]
}

# Prints the pid of a running component, or nothing. Adopts a matching process whose pid
# file was lost (e.g. .local/run removed, or smsbox restarting itself under a new pid after
# losing bearerbox) so that `down` can still stop it.
component_pid() {
  local name=$1 file="$RUN_DIR/$1.pid" pid dir
  if [[ -f "$file" ]]; then
    pid=$(<"$file")
    if [[ "$pid" =~ ^[0-9]+$ ]] && pid_matches "$pid" "$name"; then
      printf '%s' "$pid"
      return 0
    fi
    rm -f "$file"
  fi
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    if pid_matches "$pid" "$name"; then
      printf '%s\n' "$pid" >"$file"
      printf '%s' "$pid"
      return 0
    fi
  done
  return 0
}

# start_detached <name> <log file> <command...>: runs the command in its own session,
# immune to the caller's terminal and exit, and records its pid.
start_detached() {
  local name=$1 log=$2 file="$RUN_DIR/$1.pid"
  shift 2
  rm -f "$file"
  printf '\n==== %s starting %s at %s ====\n' "$name" "$*" "$(date '+%F %T')" >>"$log"
  # fd 9 is the lock of this script: the daemon must not inherit it.
  # In RUN_DIR: fakesmsc's command line names nothing of this checkout, its working directory does.
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  setsid nohup bash -c 'echo $$ >"$0"; cd "$1" || exit 1; shift; exec "$@"' "$file" "$RUN_DIR" "$@" \
    >>"$log" 2>&1 </dev/null 9>&- &
  for _ in $(seq 1 50); do
    [[ -s "$file" ]] && return 0
    sleep 0.1
  done
  fail "$name did not start" "$log"
}

# stop_component <name>: SIGTERM, up to STOP_TIMEOUT s, then SIGKILL.
stop_component() {
  local name=$1 pid
  pid=$(component_pid "$name")
  if [[ -z "$pid" ]]; then
    rm -f "$RUN_DIR/$name.pid"
    return 0
  fi
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((STOP_TIMEOUT * 10))); do
    pid_matches "$pid" "$name" || break
    sleep 0.1
  done
  if pid_matches "$pid" "$name"; then
    warn "$name (pid $pid) still running after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      pid_matches "$pid" "$name" || break
      sleep 0.1
    done
  fi
  rm -f "$RUN_DIR/$name.pid"
}

# wait_until <seconds> <description> <log files, separated by |> <command...>
wait_until() {
  local seconds=$1 what=$2 logs deadline
  IFS='|' read -r -a logs <<<"$3"
  shift 3
  deadline=$((SECONDS + seconds))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      fail "$what: not ready after ${seconds}s" "${logs[@]}"
    fi
    sleep 0.2
  done
}

ensure_port_free() {
  local port=$1 name=$2
  if port_open "$port"; then
    fail "port $port needed by $name is already in use by another process (not started by infra.sh). Stop it or set the port variable (see infra/local/infra.sh)."
  fi
}

# render <template> <output>: replace @NAME@ with the value of the shell variable NAME.
render() {
  local template=$1 out=$2 text name
  text=$(<"$template")
  for name in LOG_DIR KAFKA_DATA_DIR KAFKA_PORT KAFKA_CONTROLLER_PORT KANNEL_ADMIN_PORT \
    KANNEL_SMSBOX_PORT KANNEL_SMSC_PORT KANNEL_SENDSMS_PORT KANNEL_THROUGHPUT \
    KANNEL_ADMIN_PASSWORD KANNEL_STATUS_PASSWORD KANNEL_USERNAME KANNEL_PASSWORD; do
    text=${text//@$name@/${!name}}
  done
  if [[ "$text" =~ @[A-Z_]+@ ]]; then
    fail "unknown placeholder ${BASH_REMATCH[0]} in $template"
  fi
  printf '%s\n' "$text" >"$out"
}

# ------------------------------------------------------------------ postgres and redis

# shellcheck disable=SC2012 # cluster versions are plain numbers
pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }
pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; }
redis_ready() { command -v redis-cli >/dev/null 2>&1 && [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

ensure_postgres() {
  if pg_ready; then
    say "postgres: answering on 127.0.0.1:$PG_PORT"
    return 0
  fi
  if [[ -z "$(pg_version)" ]]; then
    say "postgres: not installed, installing from apt"
    bash "$HERE/bootstrap.sh" apt postgresql
    # Match the machines the project targets: trust auth on the loopback interface.
    local hba
    hba="/etc/postgresql/$(pg_version)/main/pg_hba.conf"
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  say "postgres: starting cluster $(pg_version)/main"
  pg_ctlcluster --skip-systemctl-redirect "$(pg_version)" main start 9>&- ||
    fail "postgres did not start" "/var/log/postgresql/postgresql-$(pg_version)-main.log"
  printf '%s\n' "$(pg_version)" >"$RUN_DIR/started-postgres"
  wait_until 30 "postgres" "/var/log/postgresql/postgresql-$(pg_version)-main.log" pg_ready
  say "postgres: started, answering on 127.0.0.1:$PG_PORT"
}

redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@" 2>/dev/null; }
redis_config() { { redis_cli config get "$1" || true; } | sed -n 2p; }

# An accepted booking request (202) is a BullMQ job that lives only in Redis: Redis keeps an
# append-only file fsynced every second (docs/reliability.md, "Redis crash"). A Redis that
# already runs is not ours to restart: AOF is turned on in it with CONFIG SET (not written to
# its redis.conf, so make it permanent there), unless KHIW_REDIS_AOF=keep leaves it as it is.
ensure_redis_aof() {
  local aof fsync
  aof=$(redis_config appendonly)
  fsync=$(redis_config appendfsync)
  if [[ "$aof" == yes ]]; then
    say "redis: AOF on (appendfsync $fsync)"
    [[ "$fsync" == no ]] && warn "redis: appendfsync no: the OS decides when accepted requests reach the disk (everysec is what khiw expects)"
    return 0
  fi
  if [[ "${KHIW_REDIS_AOF:-on}" == keep ]]; then
    warn "redis: AOF is off in the running Redis (KHIW_REDIS_AOF=keep): accepted booking requests do not survive a Redis crash"
    return 0
  fi
  if [[ "$(redis_cli config set appendfsync everysec)" == OK && "$(redis_cli config set appendonly yes)" == OK ]]; then
    say "redis: AOF was off in the running Redis, turned on with CONFIG SET (appendonly yes, appendfsync everysec, dir $(redis_config dir));" \
      "not written to its config file: set both in its redis.conf to keep them after a restart (KHIW_REDIS_AOF=keep: leave it alone)"
  else
    warn "redis: AOF is off and CONFIG SET was refused (renamed command or ACL): accepted booking requests do not survive a Redis crash;" \
      "set appendonly yes and appendfsync everysec in its redis.conf"
  fi
}

ensure_redis() {
  if redis_ready; then
    say "redis: answering on 127.0.0.1:$REDIS_PORT"
    ensure_redis_aof
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    say "redis: not installed, installing from apt"
    bash "$HERE/bootstrap.sh" apt redis-server
  fi
  # Its own directory per port: the system's Redis may keep an append-only file in /var/lib/redis.
  local dir="/var/lib/redis/khiw-$REDIS_PORT"
  mkdir -p "$dir" /var/log/redis
  say "redis: starting (AOF, appendfsync everysec, in $dir)"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
    --appendonly yes --appendfsync everysec --dir "$dir" --logfile /var/log/redis/ci.log \
    --pidfile "/var/run/redis_$REDIS_PORT.pid" 9>&- || fail "redis did not start" /var/log/redis/ci.log
  printf '%s\n' "$REDIS_PORT" >"$RUN_DIR/started-redis"
  # Loading a large append-only file takes a while; PING answers LOADING meanwhile.
  wait_until 120 "redis" /var/log/redis/ci.log redis_ready
  say "redis: started, answering on 127.0.0.1:$REDIS_PORT"
}

stop_postgres() {
  [[ -f "$RUN_DIR/started-postgres" ]] || return 0
  local version
  version=$(<"$RUN_DIR/started-postgres")
  say "stopping postgres ${version:-$(pg_version)}/main (started by infra.sh)"
  pg_ctlcluster --skip-systemctl-redirect "${version:-$(pg_version)}" main stop || warn "postgres did not stop cleanly"
  rm -f "$RUN_DIR/started-postgres"
}

stop_redis() {
  [[ -f "$RUN_DIR/started-redis" ]] || return 0
  # The port it was started on, whatever REDIS_PORT says now.
  local REDIS_PORT
  REDIS_PORT=$(<"$RUN_DIR/started-redis")
  REDIS_PORT=${REDIS_PORT:-6379}
  say "stopping redis on port $REDIS_PORT (started by infra.sh)"
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do
    redis_ready || break
    sleep 0.1
  done
  rm -f "$RUN_DIR/started-redis"
}

# ----------------------------------------------------------------------------- kafka

kafka_admin() {
  (cd "$REPO" && KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" node --import tsx infra/local/kafka-admin.ts "$@")
}

kafka_healthy() { [[ -n "$(component_pid kafka)" ]] && port_open "$KAFKA_PORT"; }

start_kafka() {
  bash "$HERE/bootstrap.sh" kafka-jars
  command -v java >/dev/null 2>&1 || fail "java not found: install a JDK 17 (apt-get install openjdk-17-jre-headless)"
  mkdir -p "$KAFKA_DIR/data"
  local cp="$KAFKA_DIR/lib/*" log="$LOG_DIR/kafka.log" pid
  render "$HERE/kafka/server.properties.template" "$KAFKA_PROPS.new"
  pid=$(component_pid kafka)
  if [[ -n "$pid" ]] && ! cmp -s "$KAFKA_PROPS.new" "$KAFKA_PROPS"; then
    say "kafka: configuration changed, restarting"
    stop_component kafka
    pid=
  fi
  mv "$KAFKA_PROPS.new" "$KAFKA_PROPS"

  if [[ -z "$pid" ]]; then
    if [[ ! -f "$KAFKA_DIR/data/meta.properties" ]]; then
      local cluster_id
      cluster_id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>>"$log") ||
        fail "kafka: could not generate a cluster id" "$log"
      say "kafka: formatting $KAFKA_DIR/data (cluster id $cluster_id)"
      java -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_PROPS" >>"$log" 2>&1 ||
        fail "kafka: storage format failed" "$log"
    fi
    ensure_port_free "$KAFKA_PORT" kafka
    ensure_port_free "$KAFKA_CONTROLLER_PORT" kafka
    say "kafka: starting broker on 127.0.0.1:$KAFKA_PORT"
    start_detached kafka "$log" java -Xms256m -Xmx768m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
      -Djava.awt.headless=true -Dlog4j.configuration="file:$HERE/kafka/log4j.properties" \
      -cp "$cp" kafka.Kafka "$KAFKA_PROPS"
    local deadline=$((SECONDS + 60))
    until port_open "$KAFKA_PORT"; do
      [[ -n "$(component_pid kafka)" ]] || fail "kafka exited during start-up" "$log"
      ((SECONDS < deadline)) || fail "kafka: port $KAFKA_PORT not open after 60s" "$log"
      sleep 0.2
    done
  else
    say "kafka: already running (pid $pid)"
  fi
  # Waits until the broker answers a metadata request, then creates the default topics.
  kafka_admin create-topics "" || fail "kafka: broker did not answer or topics could not be created" "$log"
  say "kafka: healthy on 127.0.0.1:$KAFKA_PORT (pid $(component_pid kafka))"
}

# ---------------------------------------------------------------------------- kannel

kannel_status() { http_get "http://127.0.0.1:$KANNEL_ADMIN_PORT/status.txt?password=$KANNEL_STATUS_PASSWORD"; }
bearerbox_answers() { kannel_status >/dev/null; }
# status.txt lists the SMSC as `fake[fake]    FAKE:13010 (online 20s, ...)` once fakesmsc is
# connected, `(connecting` or `(re-connecting` before; it is listed once it listens.
SMSC_LISTED_RE='^\s*fake(\[[^]]*\])?\s+FAKE:'
SMSC_ONLINE_RE="$SMSC_LISTED_RE.*\\(online"
SMSBOX_ONLINE_RE='^\s*smsbox:.*\(on-line'
# Not `kannel_status | grep -q`: with pipefail, grep quitting early could fail the pipe.
kannel_status_has() {
  local st
  st=$(kannel_status) && grep -Eq "$1" <<<"$st"
}
smsc_listed() { kannel_status_has "$SMSC_LISTED_RE"; }
smsc_online() { kannel_status_has "$SMSC_ONLINE_RE"; }
smsbox_connected() { kannel_status_has "$SMSBOX_ONLINE_RE"; }

stop_kannel() {
  stop_component smsbox
  stop_component fakesmsc
  stop_component bearerbox
}

start_kannel() {
  [[ -x "$BEARERBOX" && -x "$SMSBOX" && -x "$FAKESMSC" ]] || {
    say "kannel: not installed, installing from apt"
    bash "$HERE/bootstrap.sh" apt kannel kannel-extras
  }
  mkdir -p "$KANNEL_DIR"
  render "$HERE/kannel/kannel.conf.template" "$KANNEL_CONF.new"
  if ! cmp -s "$KANNEL_CONF.new" "$KANNEL_CONF"; then
    if [[ -n "$(component_pid bearerbox)$(component_pid smsbox)$(component_pid fakesmsc)" ]]; then
      say "kannel: configuration changed (e.g. KANNEL_THROUGHPUT), restarting"
      stop_kannel
    fi
  fi
  mv "$KANNEL_CONF.new" "$KANNEL_CONF"

  local pid
  pid=$(component_pid bearerbox)
  if [[ -z "$pid" ]]; then
    # Without bearerbox the boxes are useless and would hold stale connections.
    stop_component smsbox
    stop_component fakesmsc
    ensure_port_free "$KANNEL_ADMIN_PORT" bearerbox
    ensure_port_free "$KANNEL_SMSBOX_PORT" bearerbox
    ensure_port_free "$KANNEL_SMSC_PORT" bearerbox
    say "kannel: starting bearerbox (admin 127.0.0.1:$KANNEL_ADMIN_PORT, throughput $KANNEL_THROUGHPUT/s)"
    start_detached bearerbox "$LOG_DIR/bearerbox.log" "$BEARERBOX" -v 4 "$KANNEL_CONF"
    wait_until 20 "bearerbox admin port $KANNEL_ADMIN_PORT" "$LOG_DIR/bearerbox.log" bearerbox_answers
  fi

  # fakesmsc exits when it cannot connect, so it starts once bearerbox listens for it, and
  # starts again should it exit before the SMSC shows online.
  wait_until 20 "fake SMSC listening on port $KANNEL_SMSC_PORT" "$LOG_DIR/bearerbox.log" smsc_listed
  local deadline=$((SECONDS + 20))
  until smsc_online; do
    if [[ -z "$(component_pid fakesmsc)" ]]; then
      say "kannel: starting fakesmsc (SMSC port $KANNEL_SMSC_PORT)"
      start_detached fakesmsc "$LOG_DIR/fakesmsc.log" \
        "$FAKESMSC" -H 127.0.0.1 -r "$KANNEL_SMSC_PORT" -i 1 -m 0 "100 200 text x"
    fi
    ((SECONDS < deadline)) ||
      fail "fake SMSC not online after 20s" "$LOG_DIR/fakesmsc.log" "$LOG_DIR/bearerbox.log"
    sleep 0.2
  done

  if [[ -z "$(component_pid smsbox)" ]]; then
    say "kannel: starting smsbox (sendsms 127.0.0.1:$KANNEL_SENDSMS_PORT)"
    start_detached smsbox "$LOG_DIR/smsbox.log" "$SMSBOX" -v 4 "$KANNEL_CONF"
  fi
  wait_until 20 "smsbox connected to bearerbox" "$LOG_DIR/smsbox.log|$LOG_DIR/bearerbox.log" smsbox_connected
  wait_until 20 "smsbox sendsms port $KANNEL_SENDSMS_PORT" "$LOG_DIR/smsbox.log" port_open "$KANNEL_SENDSMS_PORT"
  say "kannel: healthy, sendsms on http://127.0.0.1:$KANNEL_SENDSMS_PORT/cgi-bin/sendsms" \
    "(bearerbox $(component_pid bearerbox), fakesmsc $(component_pid fakesmsc), smsbox $(component_pid smsbox))"
}

# ------------------------------------------------------------------------ prometheus

# The port it was started on (as `status` and `down` run without PROMETHEUS_PORT), else the wanted one.
prometheus_port() { cat "$RUN_DIR/prometheus.port" 2>/dev/null || printf '%s' "$PROMETHEUS_PORT"; }
prometheus_ready() { http_get "http://127.0.0.1:${1:-$PROMETHEUS_PORT}/-/ready" >/dev/null; }

# The repository's infra/prometheus/prometheus.yml with the services' ports moved by
# KHIW_BASE_PORT, Prometheus' own port, and the rules' path made absolute.
render_prometheus_config() {
  local text i
  text=$(<"$REPO/infra/prometheus/prometheus.yml")
  for i in 0 1 2 3; do
    text=${text//"'127.0.0.1:$((8080 + i))'"/"'127.0.0.1:$((KHIW_BASE_PORT + i))'"}
  done
  text=${text//"'127.0.0.1:9090'"/"'127.0.0.1:$PROMETHEUS_PORT'"}
  text=${text//"  - rules/*.yml"/"  - $REPO/infra/prometheus/rules/*.yml"}
  printf '%s\n' "$text" >"$1"
}

start_prometheus() {
  [[ -x "$PROMETHEUS" ]] || {
    say "prometheus: not installed, installing from apt"
    bash "$HERE/bootstrap.sh" apt prometheus
  }
  mkdir -p "$PROMETHEUS_DIR/data"
  local log="$LOG_DIR/prometheus.log" port_file="$RUN_DIR/prometheus.port" pid check
  render_prometheus_config "$PROMETHEUS_CONF.new"
  # A rule file that does not parse would leave Prometheus running without it: refuse instead.
  check=$(promtool check config "$PROMETHEUS_CONF.new" 2>&1) || {
    printf '%s\n' "$check" >&2
    fail "prometheus: $PROMETHEUS_CONF.new (from infra/prometheus/) does not pass promtool check config"
  }
  pid=$(component_pid prometheus)
  if [[ -n "$pid" && "$(cat "$port_file" 2>/dev/null)" != "$PROMETHEUS_PORT" ]]; then
    say "prometheus: port changed to $PROMETHEUS_PORT, restarting"
    stop_component prometheus
    pid=
  fi
  mv "$PROMETHEUS_CONF.new" "$PROMETHEUS_CONF"
  if [[ -n "$pid" ]]; then
    # SIGHUP re-reads the configuration and the rule files.
    kill -HUP "$pid"
    say "prometheus: already running (pid $pid), configuration and rules reloaded"
  else
    ensure_port_free "$PROMETHEUS_PORT" prometheus
    say "prometheus: starting on 127.0.0.1:$PROMETHEUS_PORT"
    start_detached prometheus "$log" "$PROMETHEUS" --config.file="$PROMETHEUS_CONF" \
      --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --storage.tsdb.path="$PROMETHEUS_DIR/data" \
      --storage.tsdb.retention.time=15d
    printf '%s\n' "$PROMETHEUS_PORT" >"$port_file"
  fi
  wait_until 60 "prometheus on port $PROMETHEUS_PORT" "$log" prometheus_ready
  say "prometheus: http://127.0.0.1:$PROMETHEUS_PORT (alerts: /alerts, targets: /targets)," \
    "scraping 127.0.0.1:$KHIW_BASE_PORT-$((KHIW_BASE_PORT + 3)), log $log"
}

stop_prometheus() {
  stop_component prometheus
  rm -f "$RUN_DIR/prometheus.port"
}

# -------------------------------------------------------------------------- commands

lock() {
  exec 9>"$RUN_DIR/.lock"
  flock -w 300 9 || fail "another infra.sh is still running after 300s (lock $RUN_DIR/.lock)"
}

cmd_up() {
  local t0=$SECONDS
  ensure_postgres
  ensure_redis
  start_kafka
  start_kannel
  say "all up in $((SECONDS - t0))s. Logs: $LOG_DIR/{kafka,bearerbox,smsbox,fakesmsc}.log"
}

cmd_down() {
  stop_prometheus
  stop_kannel
  stop_component kafka
  stop_redis
  stop_postgres
  say "down (Kafka data kept in $KAFKA_DIR/data)"
}

status_line() {
  # name, healthy(0/1), pid, where
  local state=healthy
  [[ "$2" == 0 ]] || state=DOWN
  printf '%-10s %-8s pid %-8s %s\n' "$1" "$state" "${3:--}" "$4"
  [[ "$2" == 0 ]]
}

cmd_status() {
  local bad=0 ok pid note
  ok=0
  pg_ready || ok=1
  note="127.0.0.1:$PG_PORT"
  [[ -f "$RUN_DIR/started-postgres" ]] && note+=" (started by infra.sh)"
  pid=$(cat /var/run/postgresql/*.pid 2>/dev/null | head -n 1 || true)
  status_line postgres "$ok" "$pid" "$note" || bad=1

  ok=0
  redis_ready || ok=1
  note="127.0.0.1:$REDIS_PORT"
  [[ -f "$RUN_DIR/started-redis" ]] && note+=" (started by infra.sh)"
  [[ "$ok" == 0 ]] && note+=", AOF $(redis_config appendonly), appendfsync $(redis_config appendfsync)"
  pid=$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p' || true)
  status_line redis "$ok" "$pid" "$note" || bad=1

  ok=0
  kafka_healthy || ok=1
  status_line kafka "$ok" "$(component_pid kafka)" \
    "127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), data $KAFKA_DIR/data" || bad=1

  local st
  st=$(kannel_status 2>/dev/null || true)
  ok=0
  [[ -n "$(component_pid bearerbox)" && -n "$st" ]] || ok=1
  status_line bearerbox "$ok" "$(component_pid bearerbox)" \
    "admin 127.0.0.1:$KANNEL_ADMIN_PORT, boxes $KANNEL_SMSBOX_PORT, smsc $KANNEL_SMSC_PORT" || bad=1

  ok=0
  [[ -n "$(component_pid fakesmsc)" ]] && grep -Eq "$SMSC_ONLINE_RE" <<<"$st" || ok=1
  status_line fakesmsc "$ok" "$(component_pid fakesmsc)" "connected to 127.0.0.1:$KANNEL_SMSC_PORT" || bad=1

  ok=0
  [[ -n "$(component_pid smsbox)" ]] && grep -Eq "$SMSBOX_ONLINE_RE" <<<"$st" &&
    port_open "$KANNEL_SENDSMS_PORT" || ok=1
  status_line smsbox "$ok" "$(component_pid smsbox)" \
    "sendsms http://127.0.0.1:$KANNEL_SENDSMS_PORT/cgi-bin/sendsms" || bad=1

  # Optional, and never part of the exit code: ./khiw and the supervisor read that code as
  # "is the infrastructure up", and take it down at exit when it was not.
  pid=$(component_pid prometheus)
  if [[ -n "$pid" ]]; then
    ok=0
    prometheus_ready "$(prometheus_port)" || ok=1
    status_line prometheus "$ok" "$pid" "http://127.0.0.1:$(prometheus_port)" || true
  else
    printf '%-10s %-8s %s\n' prometheus off "(optional: infra.sh prometheus-up)"
  fi
  return "$bad"
}

cmd_logs() {
  local name=${1:-} follow=${2:-}
  if [[ -z "$name" ]]; then
    local f
    for f in kafka bearerbox fakesmsc smsbox prometheus; do
      printf '==== %s ====\n' "$LOG_DIR/$f.log"
      tail -n 15 "$LOG_DIR/$f.log" 2>/dev/null || echo "(no log yet)"
    done
    return 0
  fi
  [[ -f "$LOG_DIR/$name.log" ]] || fail "no log $LOG_DIR/$name.log (kafka, bearerbox, fakesmsc, smsbox, prometheus)"
  if [[ "$follow" == -f ]]; then
    exec tail -n 50 -F "$LOG_DIR/$name.log"
  fi
  tail -n 100 "$LOG_DIR/$name.log"
}

usage() {
  sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

main() {
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$KAFKA_DIR" "$KANNEL_DIR"
  local cmd=${1:-}
  shift || true
  case "$cmd" in
    up) lock && cmd_up ;;
    down) lock && cmd_down ;;
    status) cmd_status ;;
    prometheus-up) lock && start_prometheus ;;
    prometheus-down) lock && stop_prometheus ;;
    logs) cmd_logs "$@" ;;
    start | stop | restart)
      local part=${1:-}
      [[ "$part" == kafka || "$part" == kannel ]] || usage
      lock
      if [[ "$cmd" != start ]]; then "stop_$part"; fi
      if [[ "$cmd" != stop ]]; then "start_$part"; fi
      ;;
    *) usage ;;
  esac
}

stop_kafka() { stop_component kafka; }

main "$@"
