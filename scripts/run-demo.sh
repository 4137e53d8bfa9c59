#!/usr/bin/env bash
# Starts the kiosk on the demo county. Without a display it renders the home screen to a PNG
# instead, and says how to see a live window.
set -euo pipefail
PY="$1"; DATA="$2"
KIOSK="$(dirname "$PY")/kiosk"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$KIOSK" run --demo --windowed --data-dir "$DATA"
fi
mkdir -p .data/screenshots
for size in 1920x1080 1080x1920; do
  QT_QPA_PLATFORM=offscreen "$KIOSK" run --demo --data-dir "$DATA" --size "$size" \
    --screenshot ".data/screenshots/home-$size.png"
done
cat <<MSG

No display found, so the kiosk was rendered offscreen instead of opening a window:
  .data/screenshots/home-1920x1080.png   (landscape)
  .data/screenshots/home-1080x1920.png   (portrait)
To see the live window on a desktop, run 'make run' there. On a server you can run it on a
virtual display and take your own screenshots:
  xvfb-run -s '-screen 0 1920x1080x24' $KIOSK run --demo --windowed --data-dir $DATA
Other screens: $KIOSK run --data-dir $DATA --screenshot out.png --screen NAME [--large] [--size 1080x1920]   (NAME: home, subsidies, payments, boards, search, document, attachments, guides, notices, catalogue …)
MSG
