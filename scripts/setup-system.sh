#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the kiosk needs, only those that are missing, and says why.
# Needs root or sudo for apt-get; prints what to install by hand otherwise.
set -euo pipefail

declare -A WHY=(
  [fonts-wqy-microhei]="TrueType CJK font: Chinese on screen and embedded in printed PDFs"
  [fonts-wqy-zenhei]="wider CJK font: fallback for rare characters in names (生僻字)"
  [fonts-babelstone-han]="TrueType font with the rarest CJK characters: printed names never show an empty box"
  [cups]="printing service (a terminal's printers are CUPS queues); the print tests start their own private cupsd"
  [cups-client]="lp and lpstat: the kiosk submits and follows print jobs through them"
  [printer-driver-cups-pdf]="a CUPS queue that prints to PDF files: the print tests check its pages"
  [cups-ipp-utils]="ippeveprinter: the print tests simulate a printer that runs out of paper"
  [dbus-daemon]="a private message bus the simulated printer (ippeveprinter) needs in the print tests"
  [nginx-light]="static web server: the sync tests serve a signed feed with Range requests, as a county CDN would"
  [chromium]="headless browser: the portal tests open the item page a kiosk QR code points to, at phone width"
  [curl]="the sync benchmark compares our download of the feed with curl fetching the same files"
  [postgresql]="database server: the portal tests run the reference portal on a private PostgreSQL as well as SQLite"
  [faketime]="libfaketime: make test runs the date-sensitive tests at awkward instants (1 January, 29 February, two years ahead)"
  [poppler-utils]="pdftoppm and pdffonts: tests render printed pages and check every font is embedded"
  [libzinnia0]="offline handwriting recogniser: the 手写 pad on every text input (kiosk/handwriting.py loads it with ctypes)"
  [tegaki-zinnia-simplified-chinese]="the recogniser's simplified-Chinese model (about 27 MB, mapped when the pad is first opened)"
  [espeak-ng]="offline speech engine for the read-aloud (朗读) button, Mandarin and Cantonese voices"
  [alsa-utils]="aplay: 朗读 pipes espeak-ng's speech into it (our own process, killed at once by 停止)"
  [xvfb]="virtual display: 'make run' on a machine without a screen, and real-window tests"
  [xauth]="needed by xvfb-run"
  [libegl1]="Qt runtime library"
  [libgl1]="Qt runtime library"
  [libglib2.0-0]="Qt runtime library"
  [libfontconfig1]="Qt runtime library (finds the CJK font)"
  [libdbus-1-3]="Qt runtime library"
  [libxkbcommon0]="Qt runtime library"
  [libxkbcommon-x11-0]="Qt on X11 (windowed mode)"
  [libxcb-cursor0]="Qt on X11 (windowed mode)"
  [libxcb-icccm4]="Qt on X11 (windowed mode)"
  [libxcb-image0]="Qt on X11 (windowed mode)"
  [libxcb-keysyms1]="Qt on X11 (windowed mode)"
  [libxcb-randr0]="Qt on X11 (windowed mode)"
  [libxcb-render-util0]="Qt on X11 (windowed mode)"
  [libxcb-shape0]="Qt on X11 (windowed mode)"
  [libxcb-xinerama0]="Qt on X11 (windowed mode)"
  [libxcb-xfixes0]="Qt on X11 (windowed mode)"
  [libx11-xcb1]="Qt on X11 (windowed mode)"
)

missing=()
for pkg in "${!WHY[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "System packages to install (apt-get):"
for pkg in "${missing[@]}"; do printf '  %-22s %s\n' "$pkg" "${WHY[$pkg]}"; done

if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not found: install the packages above with your system's package manager." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Not root and no sudo: run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}"
