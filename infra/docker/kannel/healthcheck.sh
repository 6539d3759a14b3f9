#!/usr/bin/env bash
# Healthy when an SMSC is online, smsbox is connected to bearerbox and sendsms answers.
set -euo pipefail
status=$(curl -fsS --max-time 3 \
  "http://127.0.0.1:${KANNEL_ADMIN_PORT:-13000}/status.txt?password=$KANNEL_STATUS_PASSWORD")
grep -Eq '\(online' <<<"$status"
grep -Eq 'smsbox:.*\(on-line' <<<"$status"
# sendsms without credentials answers 403 (Authorization failed): the HTTP side is up.
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:${KANNEL_SENDSMS_PORT:-13013}/cgi-bin/sendsms")
[[ "$code" != 000 ]]
