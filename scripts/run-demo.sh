#!/usr/bin/env bash
# Starts the kiosk on the demo county, syncing from a local demo portal (scripts/demo-portal.sh).
# Without a display it syncs once, renders the home screen to PNGs instead, and says how to see a
# live window.
set -euo pipefail
PY="$1"; DATA="$2"
KIOSK="$(dirname "$PY")/kiosk"
PORTAL_PID=""
# Creates the data folder (and its settings) first; exit 6 only says the store is still empty, as on a first run.
"$KIOSK" info --data-dir "$DATA" >/dev/null 2>&1 || [ $? -eq 6 ]
stop_portal() { [ -n "$PORTAL_PID" ] && kill "$PORTAL_PID" 2>/dev/null || true; }
trap stop_portal EXIT  # set before the portal starts, so a failure half-way never leaves it running
# shellcheck source=scripts/demo-portal.sh
source scripts/demo-portal.sh

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  echo "starting the kiosk; it syncs from the demo portal every ~30 s (close the window to stop both)"
  "$KIOSK" run --demo --windowed --data-dir "$DATA"
  exit $?
fi
"$KIOSK" sync --once --data-dir "$DATA" 2>/dev/null | sed 's/^/sync: /' || true
mkdir -p .data/screenshots
for size in 1920x1080 1080x1920; do
  QT_QPA_PLATFORM=offscreen "$KIOSK" run --demo --data-dir "$DATA" --size "$size" \
    --screenshot ".data/screenshots/home-$size.png"
done
cat <<MSG

No display found, so the kiosk was rendered offscreen instead of opening a window:
  .data/screenshots/home-1920x1080.png   (landscape)
  .data/screenshots/home-1080x1920.png   (portrait)
It synced once from the demo portal first (the status line on the home screen says so).
To see the live window on a desktop, run 'make run' there. On a server you can run it on a
virtual display and take your own screenshots:
  xvfb-run -s '-screen 0 1920x1080x24' $KIOSK run --demo --windowed --data-dir $DATA
Other screens: $KIOSK run --data-dir $DATA --screenshot out.png --screen NAME [--large] [--size 1080x1920]   (NAME: home, subsidies, payments, boards, search, document, attachments, guides, notices, catalogue …)
The sync loop: change a record in .data/demo-source/, then
  $(dirname "$PY")/kiosk-publish build .data/demo-source .data/demo-feed --keys .data/demo-feed-keys
  $KIOSK sync --once --data-dir $DATA
MSG
