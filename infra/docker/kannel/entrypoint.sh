#!/usr/bin/env bash
# Starts bearerbox, the fake SMSC (unless a real config is given) and smsbox in one
# container, and stops the container when any of them exits so the orchestrator restarts
# it. Runs under tini, which forwards SIGTERM here.
#
# KANNEL_CONFIG_FILE  a complete kannel.conf to use as is (production: an smpp smsc group
#                     bound to the operator); no fake SMSC is started then.
# Otherwise the template next to this script is rendered from the variables below.
set -Eeuo pipefail
shopt -u patsub_replacement 2>/dev/null || true

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export KANNEL_ADMIN_PORT=${KANNEL_ADMIN_PORT:-13000}
export KANNEL_SMSBOX_PORT=${KANNEL_SMSBOX_PORT:-13001}
export KANNEL_SMSC_PORT=${KANNEL_SMSC_PORT:-13010}
export KANNEL_SENDSMS_PORT=${KANNEL_SENDSMS_PORT:-13013}
export KANNEL_THROUGHPUT=${KANNEL_THROUGHPUT:-100}
export KANNEL_USERNAME=${KANNEL_USERNAME:-khiw}
: "${KANNEL_PASSWORD:?KANNEL_PASSWORD must be set}"
: "${KANNEL_ADMIN_PASSWORD:?KANNEL_ADMIN_PASSWORD must be set}"
: "${KANNEL_STATUS_PASSWORD:?KANNEL_STATUS_PASSWORD must be set}"

conf=${KANNEL_CONFIG_FILE:-}
fake_smsc=false
if [[ -z "$conf" ]]; then
  conf=$(mktemp -d)/kannel.conf
  text=$(<"$HERE/kannel.conf.template")
  for name in KANNEL_ADMIN_PORT KANNEL_SMSBOX_PORT KANNEL_SMSC_PORT KANNEL_SENDSMS_PORT \
    KANNEL_THROUGHPUT KANNEL_USERNAME KANNEL_PASSWORD KANNEL_ADMIN_PASSWORD KANNEL_STATUS_PASSWORD; do
    text=${text//@$name@/${!name}}
  done
  printf '%s\n' "$text" >"$conf"
  fake_smsc=true
fi

pids=()
stop() {
  trap - TERM INT
  # smsbox first (stops accepting sendsms), bearerbox last.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  wait || true
  exit 0
}
trap stop TERM INT

status() { curl -fsS --max-time 2 "http://127.0.0.1:$KANNEL_ADMIN_PORT/status.txt?password=$KANNEL_STATUS_PASSWORD"; }
smsc_online() { status | grep -Eq '\(online'; }
wait_for() { # wait_for <what> <command...>
  local what=$1; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "kannel: $what not reached in 20 s" >&2
  exit 1
}

/usr/sbin/bearerbox -v 1 "$conf" &
pids+=($!)
wait_for "bearerbox admin port" status
if $fake_smsc; then
  # -m 0: sends no mobile-originated messages; it only accepts and acknowledges ours. Its
  # output (every message with the phone number) is discarded; bearerbox logs if it drops.
  /usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r "$KANNEL_SMSC_PORT" -i 1 -m 0 "100 200 text x" >/dev/null 2>&1 &
  pids+=($!)
  wait_for "fake SMSC online" smsc_online
fi
# -v 2 (warnings): at info level smsbox logs every recipient's number and text.
/usr/sbin/smsbox -v 2 "$conf" &
pids+=($!)
echo "kannel: started (fake SMSC: $fake_smsc, sendsms port $KANNEL_SENDSMS_PORT)" >&2

# Any process ending ends the container.
set +e
wait -n "${pids[@]}"
code=$?
echo "kannel: a process exited with status $code; stopping the others" >&2
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
wait
exit $((code == 0 ? 1 : code))
