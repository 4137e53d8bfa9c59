"""`kiosk-portal`: run the reference portal and do the staff chores (codes, terminals, the inbox, zero-result searches).

Exit codes: 0 ok, 1 not found (or an item that could not be opened), 2 bad input.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import nacl.exceptions
from nacl.public import SealedBox

from kiosk.protocol import OUTBOX_KINDS, ZERO_RESULT_QUERY_CHARS
from kiosk.regions import is_within
from sync.enroll import format_fingerprint, root_fingerprint
from sync.portal.models import REGION_RE, PortalDB, issue_enrolment_code, load_box_key, load_code_key, open_db, public_key_b64, utcnow
from sync.portal.pages import latest_root_file
from sync.portal.staff_text import printable, printable_data


class Failure(Exception):
    """A message for stderr and an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def default_db_url(state_dir: Path) -> str:
    return f"sqlite:///{(state_dir / 'portal.sqlite').resolve()}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-portal", description="Reference portal for disclosure kiosks (参考门户服务).")
    parser.add_argument("--state-dir", type=Path, default=Path("portal-state"), help="where the key pair (and the default database) live")
    parser.add_argument("--db", help="database URL, e.g. sqlite:///portal.sqlite or postgresql://user@host/db (default: STATE_DIR/portal.sqlite)")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the portal with waitress")
    serve.add_argument("--feed", type=Path, required=True, help="the feed directory kiosk-publish writes")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765, help="0 picks a free port (printed)")
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument("--connection-limit", type=int, default=1000, help="open connections before waitress stops accepting")
    serve.add_argument("--enroll-max-failures-per-address", type=int, default=10,
                       help="wrong enrolment codes one address may try per 15 minutes before it gets 429")
    serve.add_argument("--enroll-max-failures", type=int, default=50,
                       help="wrong enrolment codes all addresses together may try per 15 minutes before enrolment pauses (429)")
    serve.add_argument("--inbox-max-items-per-minute", type=float, default=60,
                       help="uploads one terminal may make per minute (bursts of twice that) before it gets 429")
    serve.add_argument("--inbox-max-mib-per-hour", type=float, default=4,
                       help="MiB of uploads one terminal may send per hour (bursts of one hour's worth) before it gets 429")

    code = commands.add_parser("enroll-code", help="issue a one-time enrolment code for a new terminal")
    code.add_argument("--region", required=True, help="12-digit region code of the terminal's place")
    code.add_argument("--name", required=True, help="the terminal's name, e.g. 青山村村委会大厅")
    code.add_argument("--hours", type=float, default=72, help="how long the code stays valid")
    code.add_argument("--feed", type=Path, required=True,
                      help="the feed directory `serve --feed` serves: the slip carries the fingerprint of its current root")
    code.add_argument("--json", action="store_true", help="the code and the fingerprint as JSON, for scripts")

    terminals = commands.add_parser("terminals", help="list terminals and how recently they were heard from")
    terminals.add_argument("--json", action="store_true")

    revoke = commands.add_parser("revoke", help="revoke a terminal's token")
    revoke.add_argument("terminal_id")

    inbox = commands.add_parser("inbox", help="list what terminals uploaded")
    inbox.add_argument("--kind", help=f"one of {', '.join(OUTBOX_KINDS)}")
    inbox.add_argument("--terminal", help="only this terminal_id")
    inbox.add_argument("--limit", type=int, default=0, help="only the newest N items (0 = all)")
    inbox.add_argument("--decrypt", action="store_true", help="open sealed items with the portal's private key")
    inbox.add_argument("--json", action="store_true")

    zero = commands.add_parser("zero-results", help="the searches terminals reported finding nothing for, most frequent first")
    zero.add_argument("--days", type=int, default=30, help="usage reports received in the last N days (default 30)")
    zero.add_argument("--region", help="only terminals in this 12-digit region (a county code includes its villages)")
    zero.add_argument("--limit", type=int, default=20, help="how many queries to list (default 20)")
    zero.add_argument("--json", action="store_true")

    commands.add_parser("keygen", help="create the sealed-box key pair and the enrolment-code key if missing; print the public key")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "keygen":
            load_code_key(args.state_dir)
            print(public_key_b64(load_box_key(args.state_dir)))
            return 0
        db_url = args.db or default_db_url(args.state_dir)
        if args.command == "serve":
            return serve(args, db_url)
        db = open_db(db_url)
        try:
            with db.db.connection_context():
                return COMMANDS[args.command](args, db)
        finally:
            db.close()
    except Failure as exc:
        print(f"kiosk-portal: {exc}", file=sys.stderr)
        return exc.code
    except FileNotFoundError as exc:
        print(f"kiosk-portal: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"kiosk-portal: {exc}", file=sys.stderr)
        return 2


def serve(args: argparse.Namespace, db_url: str) -> int:
    import waitress

    from sync.portal.app import ENROL_WINDOW_S, create_app, server_adjustments
    from sync.portal.limits import FailureThrottle, InboxQuota

    if not args.feed.is_dir():
        raise Failure(f"feed directory {args.feed} does not exist (run kiosk-publish init, or mkdir it)", 2)
    if args.enroll_max_failures_per_address < 1 or args.enroll_max_failures < 1:
        raise Failure("--enroll-max-failures-per-address and --enroll-max-failures must be at least 1", 2)
    if args.inbox_max_items_per_minute <= 0 or args.inbox_max_mib_per_hour < 0.25:
        raise Failure(f"--inbox-max-items-per-minute must be positive and --inbox-max-mib-per-hour at least 0.25, one body's "
                      f"worth (found {args.inbox_max_items_per_minute} and {args.inbox_max_mib_per_hour})", 2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    throttle = FailureThrottle(args.enroll_max_failures_per_address, args.enroll_max_failures, ENROL_WINDOW_S)
    quota = InboxQuota(args.inbox_max_items_per_minute, args.inbox_max_mib_per_hour * 1024 * 1024)
    app = create_app(args.feed, db_url, args.state_dir, enrol_throttle=throttle, inbox_quota=quota)
    server: Any = waitress.create_server(app, host=args.host, port=args.port, threads=args.threads,
                                         **server_adjustments(connection_limit=args.connection_limit))
    print(f"kiosk-portal: serving http://{args.host}:{server.effective_port}/ (feed {args.feed.resolve()}, database {db_url})", flush=True)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    server.run()  # returns after SIGINT/SIGTERM, once waitress has stopped its threads
    return 0


def cmd_enroll_code(args: argparse.Namespace, db: PortalDB) -> int:
    if not REGION_RE.match(args.region):
        raise Failure(f"--region must be a 12-digit region code, got {args.region!r}", 2)
    if not args.name.strip():
        raise Failure("--name must not be empty", 2)
    if not args.feed.is_dir():
        raise Failure(f"--feed {args.feed} is not a directory (expected the feed directory `kiosk-portal serve --feed` serves)", 2)
    root = latest_root_file(args.feed)
    try:
        code = issue_enrolment_code(db, args.region, args.name, valid_hours=args.hours, code_key=load_code_key(args.state_dir))
    except ValueError as exc:
        raise Failure(f"{exc}", 2) from exc
    fingerprint = root_fingerprint(root[1]) if root else None
    if args.json:
        print(json.dumps({"code": code, "region": args.region, "name": args.name.strip(), "valid_hours": args.hours,
                          "root_fingerprint": format_fingerprint(fingerprint) if fingerprint else None,
                          "root_file": str(root[0]) if root else None}, ensure_ascii=False, indent=2))
    else:
        print(f"登记码 enrolment code: {code}")
        print(f"终端 terminal: {args.name.strip()} ({args.region}), 有效 valid {args.hours:g} h")
        if fingerprint:
            print(f"根指纹 root fingerprint ({root[0].name}; kiosk enroll --root-fingerprint):")
            print(f"  {format_fingerprint(fingerprint)}")
    if not fingerprint:
        print(f"kiosk-portal: warning: {args.feed} has no root metadata yet (metadata/N.root.json), so this slip has no root "
              "fingerprint and only a terminal on this machine can enrol with the code; publish the feed (kiosk-publish init) "
              "and issue a new code", file=sys.stderr)
    return 0


def staleness(then: datetime | None, now: datetime) -> tuple[str, str]:
    """How long ago, in Chinese and English: 从未/never, 刚刚/just now, 5 分钟前/5 min ago…"""
    if then is None:
        return "从未", "never"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "刚刚", "just now"
    for unit, zh, en in ((86400, "天", "d"), (3600, "小时", "h"), (60, "分钟", "min")):
        if seconds >= unit * (2 if unit == 86400 else 1):
            return f"{seconds // unit} {zh}前", f"{seconds // unit} {en} ago"
    return "刚刚", "just now"  # pragma: no cover - the loop always answers for seconds >= 60


def stored_heartbeat(text: str | None) -> tuple[dict[str, Any], str | None]:
    """The last heartbeat as the portal stored it, and what was wrong with it (None if nothing).

    Never raises: an older portal stored heartbeats unchecked, and one bad row must not stop staff
    from seeing every other terminal. Each field keeps only a value of its documented type.
    """
    empty: dict[str, Any] = {"generations": {}, "app_version": None, "outbox_backlog": None, "printer": None, "last_sync_error": None}
    if not text:
        return empty, None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return empty, "stored heartbeat is not JSON"
    if not isinstance(data, dict):
        return empty, f"stored heartbeat is {type(data).__name__}, expected an object"
    problems = []

    def keep(name: str, ok: bool) -> Any:
        if name in data and data[name] is not None and not ok:
            problems.append(name)
            return None
        return data.get(name)

    generations = data.get("generations")
    if not isinstance(generations, dict) or not all(isinstance(g, int) and not isinstance(g, bool) for g in generations.values()):
        if generations is not None:
            problems.append("generations")
        generations = {}
    printer = keep("printer", isinstance(data.get("printer"), dict))
    if printer is not None:
        reasons = printer.get("reasons")
        printer = {"state": printer["state"] if isinstance(printer.get("state"), str) else "?",
                   "reasons": [r for r in reasons if isinstance(r, str)] if isinstance(reasons, list) else []}
    row = {
        "generations": {str(channel): generation for channel, generation in generations.items()},
        "app_version": keep("app_version", isinstance(data.get("app_version"), str)),
        "outbox_backlog": keep("outbox_backlog", isinstance(data.get("outbox_backlog"), int)),
        "printer": printer,
        "last_sync_error": keep("last_sync_error", isinstance(data.get("last_sync_error"), str)),
    }
    return row, (f"stored heartbeat has unreadable {', '.join(problems)}" if problems else None)


def terminal_rows(db: PortalDB) -> list[dict[str, Any]]:
    """One row per terminal for `terminals`, every string from a terminal made printable."""
    now = utcnow()
    rows = []
    for terminal in db.Terminal.select().order_by(db.Terminal.region, db.Terminal.terminal_id):
        heartbeat, problem = stored_heartbeat(terminal.heartbeat)
        zh, en = staleness(terminal.last_heartbeat_at, now)
        rows.append(printable_data({
            "terminal_id": terminal.terminal_id, "name": terminal.name, "region": terminal.region,
            "enrolled_at": terminal.enrolled_at.isoformat() + "Z",
            "last_heartbeat_at": terminal.last_heartbeat_at.isoformat() + "Z" if terminal.last_heartbeat_at else None,
            "stale_zh": zh, "stale_en": en,
            **heartbeat,
            "heartbeat_problem": problem,
            "revoked": terminal.revoked_at is not None, "last_ip": terminal.last_ip,
        }))
    return rows


def cmd_terminals(args: argparse.Namespace, db: PortalDB) -> int:
    rows = terminal_rows(db)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("没有终端 (no terminals)")
        return 0
    table = [["终端 terminal", "名称 name", "区划 region", "最后心跳 last heartbeat", "多久前", "ago", "数据代 generations", "打印机 printer",
              "状态 state"]]
    for row in rows:
        generations = " ".join(f"{channel}:{gen}" for channel, gen in sorted(row["generations"].items())) or "-"
        heard = local_time(row["last_heartbeat_at"])
        printer = row["printer"] or {}
        printer_text = "-" if not printer else ("正常 ready" if printer.get("state") == "ready" else ",".join(printer.get("reasons") or ["?"]))
        if row["heartbeat_problem"]:
            printer_text += " (心跳数据有误 bad heartbeat)"
        table.append([row["terminal_id"], row["name"], row["region"], heard, row["stale_zh"], row["stale_en"], generations, printer_text,
                      "已停用 revoked" if row["revoked"] else "正常 active"])
    print_table(table)
    return 0


def local_time(utc_iso: str | None) -> str:
    """Staff read times in the server's own time zone (UTC+8 in China); JSON output stays in UTC."""
    if utc_iso is None:
        return "-"
    return datetime.fromisoformat(utc_iso.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def print_table(rows: list[list[str]]) -> None:
    """Columns padded by display width, so Chinese (two cells a character) lines up in a terminal."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)).rstrip())


def cmd_revoke(args: argparse.Namespace, db: PortalDB) -> int:
    terminal = db.Terminal.get_or_none(db.Terminal.terminal_id == args.terminal_id)
    if terminal is None:
        raise Failure(f"no terminal {args.terminal_id!r} (没有这个终端)", 1)
    if terminal.revoked_at is None:
        db.Terminal.update(revoked_at=utcnow()).where(db.Terminal.terminal_id == args.terminal_id).execute()
        print(f"{args.terminal_id} 已停用 (revoked)")
    else:
        print(f"{args.terminal_id} 早已停用 (already revoked {terminal.revoked_at.isoformat()}Z)")
    return 0


def stored_payload(text: str | None) -> Any:
    """An upload's payload as stored; text that is not JSON (from an older portal) is shown as text, not a crash."""
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def cmd_inbox(args: argparse.Namespace, db: PortalDB) -> int:
    if args.kind is not None and args.kind not in OUTBOX_KINDS:
        raise Failure(f"--kind must be one of {', '.join(OUTBOX_KINDS)}, got {args.kind!r}", 2)
    if args.limit < 0:
        raise Failure("--limit must not be negative", 2)
    box = SealedBox(load_box_key(args.state_dir, create=False)) if args.decrypt else None
    Item = db.InboxItem
    query = Item.select().order_by(Item.id.desc() if args.limit else Item.id)
    if args.kind:
        query = query.where(Item.kind == args.kind)
    if args.terminal:
        query = query.where(Item.terminal == args.terminal)
    if args.limit:
        query = query.limit(args.limit)
    items = sorted(query, key=lambda item: item.id)
    failures = 0
    out = []
    for item in items:
        row: dict[str, Any] = {
            "id": item.id, "terminal_id": item.terminal_id, "key": item.key, "kind": item.kind, "created_at": item.created_at,
            "received_at": item.received_at.isoformat() + "Z", "payload": stored_payload(item.payload), "sealed": item.sealed,
        }
        if box is not None and item.sealed:
            try:
                plain = box.decrypt(base64.b64decode(item.sealed)).decode("utf-8")
            except (nacl.exceptions.CryptoError, ValueError) as exc:
                row["opened_error"] = f"cannot open: {exc}"
                failures += 1
            else:
                try:
                    row["opened"] = json.loads(plain)
                except (ValueError, RecursionError):
                    row["opened"] = plain
        out.append(printable_data(row))  # a terminal wrote every string here: no control character reaches the staff's screen
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    elif not out:
        print("收件箱为空 (inbox empty)")
    for row in [] if args.json else out:
        print(f"#{row['id']}  {row['kind']}  {row['terminal_id']}  key={row['key']}  created {row['created_at']}  "
              f"received {local_time(row['received_at'])}")
        if row["payload"] is not None:
            print("  payload: " + json.dumps(row["payload"], ensure_ascii=False))
        if "opened" in row:
            print("  sealed (opened): " + json.dumps(row["opened"], ensure_ascii=False, indent=2).replace("\n", "\n  "))
        elif "opened_error" in row:
            print(f"  sealed: 无法解密 ({row['opened_error']})")
        elif row["sealed"]:
            print(f"  sealed: {len(row['sealed'])} chars (use --decrypt)")
    if failures:
        print(f"kiosk-portal: {failures} sealed item(s) could not be opened with this portal's key", file=sys.stderr)
        return 1
    return 0


def zero_result_rows(db: PortalDB, *, days: int, region: str | None, limit: int) -> tuple[list[dict[str, Any]], int]:
    """(query, searches, terminals) added up over usage items received in the last ``days`` days, and how many
    stored items could not be read (stored by an older portal that did not check them): skipped, not a crash."""
    Item, Terminal = db.InboxItem, db.Terminal
    since = utcnow() - timedelta(days=days)
    query = (Item.select(Item.payload, Item.terminal, Terminal.region).join(Terminal, on=(Item.terminal == Terminal.terminal_id))
             .where((Item.kind == "usage") & (Item.received_at >= since)))
    searches: dict[str, int] = {}
    terminals: dict[str, set[str]] = {}
    unreadable = 0
    for item in query:
        if region and not is_within(item.terminal.region, region):
            continue
        payload = stored_payload(item.payload)
        entries = payload.get("zero_results", []) if isinstance(payload, dict) else None
        if not isinstance(entries, list):
            unreadable += 1
            continue
        for entry in entries:
            if not (isinstance(entry, dict) and isinstance(entry.get("query"), str) and isinstance(entry.get("searches"), int)
                    and not isinstance(entry["searches"], bool) and entry["searches"] > 0):
                unreadable += 1
                break
            text = printable(entry["query"]).strip()[:ZERO_RESULT_QUERY_CHARS]
            if not text:
                continue
            searches[text] = searches.get(text, 0) + entry["searches"]
            terminals.setdefault(text, set()).add(item.terminal_id)
    ranked = sorted(searches, key=lambda text: (-searches[text], -len(terminals[text]), text))[:limit]
    return [{"query": text, "searches": searches[text], "terminals": len(terminals[text])} for text in ranked], unreadable


def cmd_zero_results(args: argparse.Namespace, db: PortalDB) -> int:
    if args.days < 1 or args.limit < 1:
        raise Failure(f"--days and --limit must be at least 1 (found {args.days} and {args.limit})", 2)
    if args.region is not None and not REGION_RE.match(args.region):
        raise Failure(f"--region must be a 12-digit region code, got {args.region!r}", 2)
    rows, unreadable = zero_result_rows(db, days=args.days, region=args.region, limit=args.limit)
    if unreadable:
        print(f"kiosk-portal: skipped {unreadable} usage report(s) whose zero_results could not be read", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not rows:
        print(f"最近 {args.days} 天没有无结果的搜索 (no zero-result searches reported in the last {args.days} days)")
    else:
        table = [["搜索词 query", "次数 searches", "终端数 terminals"]]
        table += [[row["query"], str(row["searches"]), str(row["terminals"])] for row in rows]
        print_table(table)
    return 0


COMMANDS = {"enroll-code": cmd_enroll_code, "terminals": cmd_terminals, "revoke": cmd_revoke, "inbox": cmd_inbox,
            "zero-results": cmd_zero_results}

if __name__ == "__main__":
    sys.exit(main())
