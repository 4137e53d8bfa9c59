"""``kiosk staff``: set the PIN that opens staff mode on the screen, see its lockout, or hash a PIN for the county.

The PIN is read from the terminal (no echo) or, for scripts, from standard input with ``--stdin``;
never from the command line, where ``ps`` and the shell history would keep it. Only its Argon2id
hash is stored (kiosk/staff.py). ``hash-pin`` prints a hash for a county's ``terminal_profile``
(``staff.pin_hash``) and stores nothing.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any
from zoneinfo import ZoneInfo

from kiosk import __version__
from kiosk.staff import StaffLock, check_pin, hash_pin
from kiosk.staffstatus import in_zone, status_lines
from kiosk.terminal import Terminal

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("staff", parents=[common], help="staff mode on the screen: set-pin, status, hash-pin")
    p.add_argument("action", choices=["set-pin", "status", "hash-pin"])
    p.add_argument("--stdin", action="store_true", help="read the PIN (twice, one a line) from standard input")
    p.set_defaults(handler=cmd_staff)


def staff_lock(terminal: Terminal) -> StaffLock:
    return StaffLock(terminal.data_dir, lambda: terminal.settings["staff.pin_hash"], terminal.clock)


def _read_pin(args: argparse.Namespace) -> str:
    if args.stdin:
        lines = sys.stdin.read().splitlines()
        first, second = [*lines, "", ""][:2]
    else:
        first, second = getpass.getpass("new staff PIN (6-8 digits): "), getpass.getpass("again: ")
    first, second = first.strip(), second.strip()
    expected = check_pin(first)
    if expected:
        raise ValueError(f"staff PIN: expected {expected} (found {len(first)} characters); nothing was changed")
    if first != second:
        raise ValueError("staff PIN: expected the same PIN twice (found two different ones); nothing was changed")
    return first


def cmd_staff(args: argparse.Namespace, terminal: Terminal) -> int:
    lock = staff_lock(terminal)
    if args.action == "hash-pin":
        print(hash_pin(_read_pin(args)))
        return EXIT_OK
    if args.action == "set-pin":
        lock.set_pin(_read_pin(args))
        print(f"staff PIN set; hold the terminal name in the home screen's header for 5 seconds to open staff mode ({lock.pin_path})")
        return EXIT_OK
    current, source = lock.current_hash()
    status = {"pin_set": bool(current), "pin_from": source, "failures": lock.failures(), "wait_s": lock.wait_s(), "locked": lock.locked()}
    if args.json:
        print(json.dumps(status))
    else:
        pin = f"set by the {source}" if current else "not set (kiosk staff set-pin)"
        print(f"PIN       {pin}\nfailures  {status['failures']} wrong in a row\nwait      {status['wait_s']} s"
              + ("  (locked)" if status["locked"] else ""))
    return EXIT_OK


def info_in_zone(terminal: Terminal, info: dict[str, Any]) -> dict[str, Any]:
    """``kiosk info``'s report with every time in the terminal's zone, plus what the staff panel shows (the same lines).

    Stored times carry whatever offset wrote them (UTC from sync, +08:00 from an import); staff
    compare them with the clock on the wall, so all are shown in ``terminal.timezone``.
    """
    from printing.staffprint import printer_lines

    zone = ZoneInfo(terminal.settings["terminal.timezone"])

    def local(stamp: str) -> str:
        moment = in_zone(stamp or "", zone)
        return moment.isoformat(timespec="seconds") if moment else (stamp or "")

    info = {**info, "timezone": zone.key, "version": __version__}
    for key in ("data_changed_at", "content_updated_at"):
        info[key] = local(info.get(key, ""))
    sync = {**info["sync"], "last_success": local(info["sync"]["last_success"])}
    sync["channels"] = {name: {**state, **{key: local(state.get(key) or "") for key in ("published_at", "last_success", "last_attempt")}}
                        for name, state in sync["channels"].items()}
    info["sync"] = sync
    printers = printer_lines(terminal)
    info["printers"] = [{"role": p.role, "queue": p.queue, "configured": p.configured, "ready": p.ready, "reasons": list(p.reasons),
                         "message_zh": p.message_zh} for p in printers]
    info["status"] = [{"name": line.name, "label": line.label, "value": line.value, "alert": line.alert}
                      for line in status_lines(terminal, printers)]
    return info
