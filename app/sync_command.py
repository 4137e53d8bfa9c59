"""`kiosk sync`, `kiosk import-feed` and `kiosk enroll`: the sync pieces wired for the command line."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.terminal import Terminal

EXIT_OK, EXIT_BAD_INPUT, EXIT_SYNC_FAILED = 0, 2, 5


def _emit(data: dict[str, Any], as_json: bool, text: str) -> None:
    sys.stdout.write((json.dumps(data, ensure_ascii=False, indent=2) if as_json else text) + "\n")


def _progress_printer(enabled: bool) -> Any:
    last: dict[str, Any] = {"key": None}

    def show(progress: Any) -> None:
        key = (progress.stage, progress.channel, progress.percent // 10)
        if enabled and key != last["key"]:
            last["key"] = key
            total = f" {progress.percent}% of {progress.total_bytes} bytes" if progress.total_bytes else ""
            sys.stderr.write(f"  {progress.stage:<8} {progress.channel}{total}\n")

    return show


def _describe_feed(report: Any) -> list[str]:
    lines = [f"feed: {report.status} — {report.message_zh}"]
    for channel in report.channels:
        detail = channel.error if channel.status == "failed" else (
            f"generation {channel.generation} via {channel.via}: {channel.changes.get('changed', 0)} changed" if channel.status == "updated"
            else f"generation {channel.generation}")
        lines.append(f"  {channel.channel} {channel.status:<8} {detail}")
    lines.append(f"  {report.bytes_downloaded} bytes downloaded, {report.blobs_fetched} attachment(s) fetched ({report.blobs_resumed} resumed)")
    return lines


def cmd_sync(args: argparse.Namespace, terminal: Terminal) -> int:
    from sync.cycle import run_cycle

    started = terminal.clock()
    while True:
        report = run_cycle(terminal, started_at=started, progress=_progress_printer(not args.json))
        lines = _describe_feed(report.feed) if report.feed else []
        if report.delivery:
            d = report.delivery
            lines.append(f"outbox: {d.delivered} delivered, {d.retrying} waiting to retry, {d.rejected} rejected"
                         + (" — the portal does not accept this terminal (enrol again)" if d.auth_failed else ""))
        if report.note:
            lines.append(report.note)
        _emit(report.as_dict(), args.json, "\n".join(lines))
        if args.once:
            return EXIT_OK if report.ok else EXIT_SYNC_FAILED
        interval = terminal.settings["sync.interval_s"]
        time.sleep(interval * random.uniform(0.9, 1.1))
        terminal.reload_settings()


def cmd_import_feed(args: argparse.Namespace, terminal: Terminal) -> int:
    from sync.client import FeedSync, file_url

    folder = Path(args.path)
    if not (folder / "metadata").is_dir():
        sys.stderr.write(f"{folder} is not a feed folder (no metadata/ inside); copy the whole feed folder from the portal\n")
        return EXIT_BAD_INPUT
    anchor = Path(args.root).read_bytes() if args.root else None
    if anchor is not None:
        from sync.enroll import anchored_root_refusal

        refusal = anchored_root_refusal(terminal.data_dir, anchor, Path(args.root))
        if refusal:
            sys.stderr.write(refusal + "\n")
            return EXIT_BAD_INPUT
    report = FeedSync(terminal, file_url(folder), anchor=anchor, progress=_progress_printer(not args.json)).run()
    _emit(report.as_dict(), args.json, "\n".join(_describe_feed(report)))
    return EXIT_OK if report.ok else EXIT_SYNC_FAILED


def cmd_enroll(args: argparse.Namespace, terminal: Terminal) -> int:
    from sync.enroll import enroll, format_fingerprint, root_fingerprint, root_path

    # An EnrollError exits through app/main.py: 2 when refused before anything was sent, else 5.
    creds = enroll(terminal.data_dir, args.portal, args.code, name=args.name, root_fingerprint_text=args.root_fingerprint)
    terminal.reload_settings()
    root = root_path(terminal.data_dir)
    fingerprint = format_fingerprint(root_fingerprint(root.read_bytes())) if root.is_file() else None
    data = {"terminal_id": creds.terminal_id, "region": creds.region, "name": creds.name, "portal_url": creds.portal_url,
            "root_fingerprint": fingerprint}
    _emit(data, args.json, f"enrolled as {creds.terminal_id} ({creds.name}, region {creds.region}) at {creds.portal_url}; "
                           + (f"trust root {fingerprint}; " if fingerprint else "no trust root yet; ")
                           + "run `kiosk sync --once` to fetch content")
    return EXIT_OK


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sync", parents=[common], help="sync with the county portal (feed, heartbeat, outbox)")
    p.add_argument("--once", action="store_true", help="one cycle, then exit (0 = ok, 5 = failed; the content shown is unchanged then)")
    p.set_defaults(handler=cmd_sync)

    p = sub.add_parser("import-feed", parents=[common], help="import a feed folder from a USB stick, with the same signature checks")
    p.add_argument("path")
    p.add_argument("--root", help="trusted root.json, only for a terminal that was never enrolled; a different root than the "
                                  "one this terminal is anchored to is refused (exit 2)")
    p.set_defaults(handler=cmd_import_feed)

    p = sub.add_parser("enroll", parents=[common], help="enrol this terminal at the county portal with a one-time code")
    p.add_argument("--portal", required=True, help="the portal's base URL, e.g. https://zwgk.xiyuan.example (https only, except 127.0.0.1/localhost)")
    p.add_argument("--code", required=True, help="the enrolment code from `kiosk-portal enroll-code`")
    p.add_argument("--root-fingerprint", metavar="HEX",
                   help="the root fingerprint printed on the enrolment code slip (64 hex digits; spaces, colons, dashes "
                        "and case do not matter); required unless the portal is on this machine")
    p.add_argument("--name", help="a name for this terminal (default: the one the county registered)")
    p.set_defaults(handler=cmd_enroll)
