#!/usr/bin/env bash
# The demo's sync loop: publish the demo county as a signed feed, serve it from a local reference
# portal on 127.0.0.1, and enrol the demo terminal so the kiosk syncs from it.
# Sourced by run-demo.sh; leaves PORTAL_PID set so the caller can stop the portal.
set -euo pipefail
BIN="$(dirname "$PY")"
DEMO=".data"
SOURCE="$DEMO/demo-source"      # edit records here, then republish (README: "Watch a change arrive")
FEED="$DEMO/demo-feed"
KEYS="$DEMO/demo-feed-keys"
STATE="$DEMO/demo-portal"
PORT="${DEMO_PORTAL_PORT:-8765}"
PORTAL="http://127.0.0.1:$PORT"

# The demo county for the demo terminal's today (its clock and terminal.timezone): written the first
# time, written again when it was for an earlier day, kept when someone has edited it (kiosk/demo/source.py).
"$PY" -m kiosk.demo source "$SOURCE" --data-dir "$DATA"
if [ ! -f "$FEED/metadata/1.root.json" ]; then
  "$BIN/kiosk-publish" init "$FEED" --keys "$KEYS" >/dev/null
fi
"$BIN/kiosk-publish" build "$SOURCE" "$FEED" --keys "$KEYS" | sed 's/^/publish: /'
"$BIN/kiosk-publish" resign-timestamp "$FEED" --keys "$KEYS" >/dev/null  # what the county's daily cron does

mkdir -p "$STATE"
"$BIN/kiosk-portal" --state-dir "$STATE" serve --feed "$FEED" --host 127.0.0.1 --port "$PORT" >"$STATE/serve.log" 2>&1 &
PORTAL_PID=$!
for _ in $(seq 1 50); do
  curl -fsS "$PORTAL/healthz" >/dev/null 2>&1 && break
  kill -0 "$PORTAL_PID" 2>/dev/null || { echo "the demo portal did not start (port $PORT busy? set DEMO_PORTAL_PORT); see $STATE/serve.log" >&2; PORTAL_PID=""; return 0; }
  sleep 0.2
done
echo "demo portal: $PORTAL (feed, uploads, item pages /r/ID); log in $STATE/serve.log"

if [ ! -f "$DATA/credentials.json" ] || ! grep -q "\"$PORTAL\"" "$DATA/credentials.json"; then
  CODE="$("$BIN/kiosk-portal" --state-dir "$STATE" enroll-code --region 990121101201 --name 桃源村便民服务站自助终端 --feed "$FEED" | sed -n 's/^登记码 enrolment code: //p')"
  "$BIN/kiosk" enroll --data-dir "$DATA" --portal "$PORTAL" --code "$CODE" | sed 's/^/enrol: /'
  "$BIN/kiosk" config set sync.interval_s 30 --data-dir "$DATA" >/dev/null
fi
