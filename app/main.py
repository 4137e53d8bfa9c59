"""The ``kiosk`` command: the one composition root that wires core, screens, sync and printing.

It lives outside ``kiosk/`` because the core may not import the UI (docs/ARCHITECTURE.md, "Packages and the
direction of imports"). Heavy imports (Qt) happen only inside the command that needs them, so ``kiosk search``
starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app import print_command, speak_command, staff_command, sync_command
from kiosk import __version__
from kiosk.errors import ExitCode, KioskError
from kiosk.i18n import LANGUAGES
from kiosk.money import format_fen
from kiosk.records.schema import KIND_LABELS_ZH
from kiosk.terminal import Terminal, default_data_dir
from kiosk.zeroresults import record_zero_result

EXIT_OK, EXIT_NOT_FOUND, EXIT_BAD_INPUT, EXIT_STORE = ExitCode.OK, ExitCode.NOT_FOUND, ExitCode.BAD_INPUT, ExitCode.STORE
#: 4 is the printer (app/print_command.py), 5 a sync that could not update (app/sync_command.py).
#: 6: the store holds no content at all, so an empty answer would be a wrong answer, not "no match".
EXIT_EMPTY_STORE = ExitCode.EMPTY_STORE
#: 141 = 128 + SIGPIPE(13): what a shell reports for a program the closed pipe killed (``grep … | head``),
#: so ``set -o pipefail`` scripts see the same status from ``kiosk … | head`` as from any other command.
EXIT_BROKEN_PIPE = ExitCode.BROKEN_PIPE

#: Commands that answer from the content (records) and have nothing true to say on an empty store.
#: ``info`` is not here: it still reports, and says the store is empty (``cmd_info``).
CONTENT_COMMANDS = frozenset({"search", "show", "print"})


def _emit(data: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(human(data) + "\n")


def _store_is_empty(terminal: Terminal) -> bool:
    """No live record at all: the same test ``kiosk run --demo`` uses to decide to load the demo county."""
    return terminal.store.count() == 0


def _empty_store_hint(terminal: Terminal) -> str:
    """Staff at a terminal get the state, where, and the three ways to fill it: Chinese first, then English.

    The commands carry ``--data-dir`` when the folder is not the default one, so they can be pasted as they are.
    """
    folder = str(terminal.data_dir)
    try:
        default = terminal.data_dir.resolve() == default_data_dir().resolve()
    except OSError:
        default = False
    where = "" if default else f" --data-dir {shlex.quote(folder)}"
    ways = [
        ("1.", f"kiosk import PATH{where}", "导入记录文件或文件夹（如U盘） · record files or a folder, e.g. a USB stick"),
        ("2.", f"kiosk run --demo{where}", "载入自带的演示县 · the bundled demo county"),
        ("3.", f"kiosk enroll --portal URL --code CODE --root-fingerprint FP{where}", "在县级门户登记本终端，然后同步 · enrol at the county portal, then sync"),
        ("", f"kiosk sync --once{where}", ""),
    ]
    width = max(len(command) for _, command, _ in ways)
    return "\n".join([
        f"内容库是空的：数据目录 {folder} 里还没有任何内容。",
        f"The store is empty: the data folder {folder} holds no content yet.",
        "载入内容的三种方式 · Three ways to load content:",
        *(f"  {number:<2} {command:<{width}}  {meaning}".rstrip() for number, command, meaning in ways),
    ]) + "\n"


# --------------------------------------------------------------------------- commands
def cmd_import(args: argparse.Namespace, terminal: Terminal) -> int:
    report = terminal.import_path(Path(args.path))
    _emit(report.as_dict(), args.json, lambda d: (
        f"imported {d['source']}: {d['added']} added, {d['updated']} updated, {d['deleted']} deleted, "
        f"{d['unchanged']} unchanged, {d['ignored_older']} older versions ignored, {d['blobs_copied']} attachments copied"
        + (f", {d['kept_owned']} kept as the feed has them" if d["kept_owned"] else "")
        + (f"\n{d['inert_profiles']} terminal_profile record(s) stored but not used: settings come only from profiles in the "
           "signed feed (kiosk import-feed)" if d["inert_profiles"] else "")
    ))
    return EXIT_OK


def cmd_search(args: argparse.Namespace, terminal: Terminal) -> int:
    result = terminal.search.run(args.query, limit=args.limit, kinds=args.kind or None)
    hits = result.hits
    if not hits and not args.kind:
        record_zero_result(terminal, args.query)  # counted like the screen's, for the county's zero-result list
    data = [hit.as_dict() for hit in hits]

    def human(rows: list[dict[str, Any]]) -> str:
        # the corrected words the search looked for (or offers), as the search screen's chip says them
        offer = [f"您是不是要找：{' '.join(result.did_you_mean)}"] if result.did_you_mean else []
        if not rows:
            return "\n".join([f"no results for {args.query!r}", *offer])
        lines = offer
        for number, row in enumerate(rows, start=1):
            validity = f" [{row['validity']}]" if row["validity"] and row["validity"] != "现行有效" else ""
            lines.append(f"{number:>2}. [{KIND_LABELS_ZH[row['kind']]}] {row['title']}{validity}  ({row['region_name']} {row['date']})  id={row['record_id']}")
            if row["excerpt"]:
                lines.append(f"    {row['excerpt']}")
        return "\n".join(lines)

    _emit(data, args.json, human)
    return EXIT_OK


def cmd_show(args: argparse.Namespace, terminal: Terminal) -> int:
    record = terminal.store.get(args.id)
    if record is None:
        sys.stderr.write(f"no record with id {args.id!r}\n")
        return EXIT_NOT_FOUND

    def human(rec: dict[str, Any]) -> str:
        lines = [f"{key}: {format_fen(value) if key.endswith('_fen') else value}" for key, value in rec.items()
                 if not isinstance(value, (list, dict))]
        lines += [f"{key}: {json.dumps(value, ensure_ascii=False, indent=2)}" for key, value in rec.items()
                  if isinstance(value, (list, dict))]
        return "\n".join(lines)

    _emit(record, args.json, human)
    return EXIT_OK


def cmd_info(args: argparse.Namespace, terminal: Terminal) -> int:
    """Report even on an empty store (the folder, region and sync state help to fill it), but say it is empty."""
    info = staff_command.info_in_zone(terminal, terminal.info())  # times in the terminal's zone; printers, version, today
    info["empty"] = _store_is_empty(terminal)

    def human(d: dict[str, Any]) -> str:
        lines = [
            f"terminal      {d['terminal_name']} ({d['terminal_id']})",
            f"region        {d['region_name']} ({d['region']})",
            f"data folder   {d['data_dir']}",
            f"schema        version {d['schema_version']}",
            f"records       {d['records']} in the store" + (" (empty)" if d["empty"] else ""),
            f"data changed  {d['data_changed_at'] or 'never'}",
            f"content as of {d['content_updated_at'] or '-'}",
            "visible here:",
        ]
        lines += [f"  {KIND_LABELS_ZH.get(kind, kind):<8} {count}" for kind, count in sorted(d["counts"].items())]
        sync = d["sync"]
        lines.append(f"sync          {sync['status']} (portal {sync['portal_url'] or 'none'}, last success {sync['last_success'] or 'never'})")
        if sync.get("message_zh"):
            lines.append(f"  why: {sync['message_zh']} ({sync['error_kind']})")  # the staff sentence for the latest failure
        lines += [f"  channel {channel}: generation {state['generation']}" + (f", last error: {state['last_error']}" if state["last_error"] else "")
                  for channel, state in sorted(sync["channels"].items())]
        lines.append(f"timezone      {d['timezone']} (every time above)")
        lines += [f"{line['label']}  {line['value']}" + ("  (!)" if line["alert"] else "") for line in d["status"]
                  if line["name"] in ("version", "printer-a4", "printer-receipt", "disk", "outbox", "prints-today", "zero-today")]
        lines += [f"warning: {problem}" for problem in d["settings_problems"]]
        return "\n".join(lines)

    _emit(info, args.json, human)
    if info["empty"]:
        sys.stdout.flush()  # the report first, then the hint, when both go to one terminal
        sys.stderr.write(_empty_store_hint(terminal))
        return EXIT_EMPTY_STORE
    return EXIT_OK


def cmd_config(args: argparse.Namespace, terminal: Terminal) -> int:
    from kiosk.settings import parse_text

    if args.action == "set":
        terminal.settings.set_local(args.key, parse_text(args.key, args.value))
        terminal.reload_settings()
    values = terminal.settings.as_dict()
    if args.action == "get":
        if args.key not in values:
            sys.stderr.write(f"unknown setting {args.key!r}; see docs/SETTINGS.md\n")
            return EXIT_BAD_INPUT
        values = {args.key: values[args.key]}
    _emit(values, args.json, lambda d: "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in d.items()))
    return EXIT_OK


def cmd_run(args: argparse.Namespace, terminal: Terminal) -> int:
    if args.demo:
        report = terminal.ensure_demo_content()
        if report is not None:
            sys.stderr.write(f"first run: loaded the demo county ({report.result.added} records)\n")
    from ui.app import run_kiosk  # Qt is imported only here

    background = None
    if args.screenshot is None and not args.no_sync:
        from app.background import make_background

        # even with no portal yet: setting sync.portal_url while the kiosk runs starts syncing at once (a cycle with
        # nothing configured does nothing)
        background = make_background(terminal)
    return run_kiosk(terminal, args, background=background)


def cmd_docs(args: argparse.Namespace, _terminal: Terminal | None) -> int:
    """Write (or with --check, compare) the generated docs."""
    from kiosk.records.docs import protocol_records_markdown, replace_generated_section
    from kiosk.settings import settings_markdown

    root = Path(args.root)
    settings_path = root / "docs" / "SETTINGS.md"
    protocol_path = root / "docs" / "PROTOCOL.md"
    wanted = {
        settings_path: settings_markdown(),
        protocol_path: replace_generated_section(protocol_path.read_text(encoding="utf-8"), protocol_records_markdown()),
    }
    stale = [path for path, text in wanted.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            sys.stderr.write(f"{path} is out of date; run `kiosk docs`\n")
        return EXIT_BAD_INPUT if stale else EXIT_OK
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        sys.stdout.write(f"wrote {path}\n")
    return EXIT_OK


# --------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="the terminal's data folder (default: $KIOSK_DATA_DIR or ~/.local/share/disclosure-kiosk)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print data as JSON")

    parser = argparse.ArgumentParser(prog="kiosk", description="Offline disclosure kiosk (政务公开自助终端).", parents=[common])
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", parents=[common], help="import unsigned record files (a .jsonl/.json file or a folder); "
                       "on a terminal that follows a feed only ids and kinds no channel publishes, never profiles: use import-feed")
    p.add_argument("path")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("search", parents=[common], help="search every kind of content")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--kind", action="append", help="only this kind (repeatable)")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("show", parents=[common], help="show one record by id")
    p.add_argument("id")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("info", parents=[common], help="counts per kind, schema version, data date, region")
    p.set_defaults(handler=cmd_info)

    p = sub.add_parser("config", parents=[common], help="list, get or set a terminal setting")
    p.add_argument("action", choices=["list", "get", "set"])
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")
    p.set_defaults(handler=cmd_config)

    p = sub.add_parser("run", parents=[common], help="start the kiosk's screens")
    p.add_argument("--demo", action="store_true", help="load the bundled demo county if the store is empty")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--kiosk", dest="kiosk_mode", action="store_true", help="full screen, frameless, close ignored")
    mode.add_argument("--windowed", action="store_true", help="an ordinary window (development)")
    p.add_argument("--screenshot", type=Path, help="render a screen offscreen to this PNG and exit")
    p.add_argument("--screen", default="home", help="which screen to render with --screenshot")
    p.add_argument("--size", default="1920x1080", help="window size WxH")
    p.add_argument("--large", action="store_true", help="大字模式 (elder mode)")
    p.add_argument("--lang", choices=list(LANGUAGES), help="screen language (default: the ui.language setting)")
    p.add_argument("--no-sync", action="store_true", help="don't sync in the background even when a portal is configured")
    p.set_defaults(handler=cmd_run)

    print_command.add_parser(sub, common)
    sync_command.add_parsers(sub, common)
    speak_command.add_parser(sub, common)
    staff_command.add_parser(sub, common)

    p = sub.add_parser("docs", parents=[common], help="regenerate docs/SETTINGS.md and the records part of docs/PROTOCOL.md")
    p.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    p.add_argument("--check", action="store_true", help="only report whether they are up to date")
    p.set_defaults(handler=cmd_docs, needs_terminal=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a reader that stops early (``kiosk search … | head -1``) ends it quietly.

    Python turns SIGPIPE into ``BrokenPipeError`` on the next write to stdout. As the Python docs advise
    ("Note on SIGPIPE", library/signal.html), stdout is then pointed at devnull so the flush at exit
    cannot raise again, and the command exits with ``EXIT_BROKEN_PIPE`` instead of a traceback. Every
    command goes through here, so none needs its own handling. The commands write to no other pipe
    (``lp`` gets a file, sync a socket whose errors it classifies), so the error is stdout's.
    """
    try:
        try:
            return _run(argv)
        finally:  # also after argparse's SystemExit (--help): a short answer fails here, not at interpreter exit
            sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    args.json = getattr(args, "json", False)
    if args.command == "config" and args.action in ("get", "set") and not args.key:
        sys.stderr.write("kiosk config get|set needs a setting key; see docs/SETTINGS.md\n")
        return EXIT_BAD_INPUT
    if args.command == "config" and args.action == "set" and args.value is None:
        sys.stderr.write("kiosk config set KEY VALUE needs a value\n")
        return EXIT_BAD_INPUT
    if not getattr(args, "needs_terminal", True):
        return args.handler(args, None)
    try:
        with Terminal(getattr(args, "data_dir", None) or default_data_dir()) as terminal:
            if args.command in CONTENT_COMMANDS and _store_is_empty(terminal):
                sys.stderr.write(_empty_store_hint(terminal))
                return EXIT_EMPTY_STORE
            return args.handler(args, terminal)
    except KioskError as exc:  # every error we raise on purpose, caught once: its words for staff and its exit code
        sys.stderr.write(f"{exc.cli_text()}\n")
        return int(exc.exit_code)
    except (FileNotFoundError, ValueError) as exc:  # a path or value the standard library refused
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
