#!/usr/bin/env bash
# Runs tests with the machine's clock moved, to prove that no test depends on today's date (issue 11).
#   scripts/test-clock.sh PY awkward   the date-sensitive tests (marker "clock") at three awkward instants:
#                                      00:30 China time on 1 January (still 31 December in UTC),
#                                      29 February 2028, and two years ahead of today
#   scripts/test-clock.sh PY shifted   the whole suite a year ahead, then a year behind
# libfaketime (Debian: faketime) moves the clock of every process the tests start: the kiosk, the
# portal, nginx, cupsd, PostgreSQL and Chromium all see the same shifted time, so signed feeds, TLS-free
# HTTP dates and print jobs agree with each other. The monotonic clock is left alone
# (FAKETIME_DONT_FAKE_MONOTONIC=1): faked, every Python Event.wait(timeout) waits a shifted year. That
# makes libfaketime 0.9.10 refuse Python's time.sleep with EINVAL, so tests/clockshift/sitecustomize.py
# gives every Python process the tests start a select()-based sleep.
set -euo pipefail
PY="$1"; WHAT="${2:-awkward}"
command -v faketime >/dev/null || { echo "faketime is missing: run scripts/setup-system.sh (Debian package faketime)" >&2; exit 1; }
export TZ=UTC  # the instants below are written in UTC
export FAKETIME_DONT_FAKE_MONOTONIC=1
export PYTHONPATH="$(cd "$(dirname "$0")/.." && pwd)/tests/clockshift${PYTHONPATH:+:$PYTHONPATH}"
run() {
  local when="$1"; shift
  echo "== tests with the clock at: $when ($(faketime -f "$when" date -u '+%Y-%m-%d %H:%M UTC'))"
  faketime -f "$when" "$PY" -m pytest -q -p no:cacheprovider "$@"
}
case "$WHAT" in
  awkward)
    run "@2026-12-31 16:30:00" -m clock   # 2027-01-01 00:30 in 溪源县, 2026-12-31 in UTC
    run "@2028-02-29 10:00:00" -m clock   # a leap day
    run "+730d" -m clock                  # two years ahead
    ;;
  shifted)
    run "+365d"
    run "-365d"
    ;;
  *) echo "usage: $0 PY awkward|shifted" >&2; exit 2 ;;
esac
