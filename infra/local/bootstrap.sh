#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for khiw (DESIGN.md section 5). Idempotent
# and quick when everything is present: each step checks first and does nothing if done.
#
#   bootstrap.sh               everything below
#   bootstrap.sh apt PKG...    Debian packages, only if missing (used by infra.sh too)
#   bootstrap.sh pnpm          pnpm at the version of package.json "packageManager", then
#                              `pnpm install --frozen-lockfile` unless node_modules is current
#   bootstrap.sh kafka-jars    Kafka broker jars into .local/kafka/lib (re-fetched when
#                              infra/local/kafka/pom.xml changes)
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

# kannel: SMS gateway; kannel-extras: its fakesmsc test SMSC (/usr/lib/kannel/test); chromium + Thai fonts: browser tests; curl: infra.sh health checks;
# prometheus: promtool for the alerting rules' tests, and the server behind `infra.sh prometheus-up`.
# haproxy: the balancer in front of several gateway processes in the replay's scale-out runs
# (loadtests/support/haproxy.ts starts its own instance; the system service stays off).
APT_PACKAGES=(kannel kannel-extras chromium fonts-thai-tlwg fonts-noto-core curl prometheus haproxy)

say() { printf '[bootstrap] %s\n' "$*"; }
fail() {
  printf '[bootstrap] ERROR: %s\n' "$*" >&2
  exit 1
}

as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    fail "need root (or sudo) to run: $*"
  fi
}

installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }

POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=/usr/sbin/policy-rc.d.khiw-backup

# Debian starts the daemons of packages it installs (kannel's init script would start a
# bearerbox on port 13000 with /etc/kannel/kannel.conf). A policy-rc.d that answers 101
# ("action forbidden") keeps invoke-rc.d and deb-systemd-invoke from starting anything.
deny_service_starts() {
  if [[ -e "$POLICY" ]]; then as_root mv "$POLICY" "$POLICY_BACKUP"; fi
  printf '#!/bin/sh\n# written by khiw infra/local/bootstrap.sh during apt-get install\nexit 101\n' |
    as_root tee "$POLICY" >/dev/null
  as_root chmod 755 "$POLICY"
  trap allow_service_starts EXIT
}

allow_service_starts() {
  as_root rm -f "$POLICY"
  if [[ -e "$POLICY_BACKUP" ]]; then as_root mv "$POLICY_BACKUP" "$POLICY"; fi
  trap - EXIT
}

apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    installed "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    say "apt: $* already installed"
    return 0
  fi
  say "apt: installing ${missing[*]}"
  deny_service_starts
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  allow_service_starts
  # infra.sh runs its own bearerbox and Prometheus, the load tests their own haproxy; the system
  # ones must not start at boot either.
  local daemon
  for daemon in kannel prometheus haproxy; do
    [[ " ${missing[*]} " == *" $daemon "* ]] || continue
    as_root update-rc.d "$daemon" disable >/dev/null 2>&1 || true
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
      as_root systemctl disable --now "$daemon" >/dev/null 2>&1 || true
    fi
  done
}

ensure_pnpm() {
  local want have
  # "packageManager": "pnpm@10.34.8" (possibly followed by +sha512.<hash>)
  want=$(node -p 'require(process.argv[1]).packageManager.split("@")[1].split("+")[0]' "$REPO/package.json")
  have=$(pnpm --version 2>/dev/null || true)
  if [[ "$have" != "$want" ]]; then
    say "pnpm: installing $want (found ${have:-none})"
    if [[ -w "$(npm prefix -g)/lib" ]]; then
      npm install -g --no-fund --no-audit "pnpm@$want"
    else
      as_root npm install -g --no-fund --no-audit "pnpm@$want"
    fi
  else
    say "pnpm: $have"
  fi
  if [[ -f "$REPO/node_modules/.modules.yaml" && "$REPO/node_modules/.modules.yaml" -nt "$REPO/pnpm-lock.yaml" ]]; then
    say "pnpm: node_modules is newer than pnpm-lock.yaml, skipping install"
    return 0
  fi
  say "pnpm: installing dependencies"
  (cd "$REPO" && CI=true pnpm install --frozen-lockfile --config.confirmModulesPurge=false)
  # pnpm leaves .modules.yaml alone when nothing changed; mark node_modules as current.
  touch "$REPO/node_modules/.modules.yaml"
}

ensure_kafka_jars() {
  local pom="$HERE/kafka/pom.xml" lib="$REPO/.local/kafka/lib" sum tmp
  sum=$(sha256sum "$pom" | cut -d' ' -f1)
  if [[ -f "$lib/.pom.sha256" && "$(<"$lib/.pom.sha256")" == "$sum" ]] && compgen -G "$lib/kafka_2.13-*.jar" >/dev/null; then
    say "kafka jars: up to date in $lib"
    return 0
  fi
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null 2>&1 || apt_install maven
  say "kafka jars: fetching with Maven into $lib"
  tmp="$REPO/.local/kafka/lib.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # outputDirectory must be absolute: Maven resolves relative paths against the pom's folder.
  mkdir -p "$REPO/.local/log"
  local log="$REPO/.local/log/mvn-kafka.log"
  local t0=$SECONDS tty=0
  [[ -t 1 ]] && tty=1
  # Maven's whole output goes to the log; fetch-progress.awk shows each jar as it arrives
  # (pipefail: the pipeline fails when mvn does).
  if ! mvn -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$tmp" \
    -DincludeScope=runtime 2>&1 | tee "$log" | awk -v tty="$tty" -f "$HERE/kafka/fetch-progress.awk"; then
    tail -n 30 "$log" >&2
    fail "mvn could not fetch the Kafka jars (is Maven Central reachable?), see $log"
  fi
  printf '%s\n' "$sum" >"$tmp/.pom.sha256"
  rm -rf "$lib"
  mv "$tmp" "$lib"
  say "kafka jars: $(compgen -G "$lib/*.jar" | wc -l) jars in $lib ($((SECONDS - t0)) s, Maven's output in $log)"
}

main() {
  case "${1:-all}" in
    all)
      local t0=$SECONDS
      apt_install "${APT_PACKAGES[@]}"
      ensure_pnpm
      ensure_kafka_jars
      say "done in $((SECONDS - t0))s"
      ;;
    apt)
      shift
      [[ $# -gt 0 ]] || fail "usage: bootstrap.sh apt PKG..."
      apt_install "$@"
      ;;
    pnpm) ensure_pnpm ;;
    kafka-jars) ensure_kafka_jars ;;
    *)
      sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 2
      ;;
  esac
}

main "$@"
