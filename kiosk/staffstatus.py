"""What staff mode's panel and ``kiosk info`` say about the terminal, in words, from one place.

Staff read the panel standing at the terminal and the CLI over a shell; both must say the same,
so both take their lines from :func:`status_lines`. Every time is shown in the terminal's zone
(``terminal.timezone``), whatever offset it was stored with. Printers are described by the
caller (``kiosk/`` does not import ``printing/``) as :class:`PrinterLine`.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kiosk import __version__
from kiosk.i18n import N_, format_moment, tr
from kiosk.syncstatus import data_status, error_text_zh
from kiosk.terminal import Terminal

ROLE_NAMES = {"a4": N_("A4 打印机"), "receipt": N_("凭条打印机")}


@dataclass(frozen=True)
class PrinterLine:
    """One printer as its backend reported it (``printing.backend.PrinterStatus``, turned into plain values)."""

    role: str  # a4 | receipt
    queue: str  # the queue or folder, "" when none is configured
    configured: bool
    ready: bool = False
    reasons: tuple[str, ...] = ()
    message_zh: str = ""  # a catalogue id (printing/reasons.py)


@dataclass(frozen=True)
class StatusLine:
    name: str  # stable, for tests and the JSON of `kiosk info`
    label: str
    value: str
    alert: bool = False  # something staff should act on


def in_zone(stamp: str, zone: ZoneInfo) -> dt.datetime | None:
    """An ISO time (any offset) in the terminal's zone; None when empty or not a time."""
    try:
        moment = dt.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(zone)


def local_text(stamp: str, zone: ZoneInfo, lang: str) -> str:
    moment = in_zone(stamp, zone)
    return format_moment(moment, lang) if moment else (stamp or tr("从未", lang))


def outbox_pending(terminal: Terminal) -> int | None:
    """Items waiting to go to the portal, or None when the terminal has never queued any."""
    path = terminal.data_dir / "outbox.sqlite"
    if not path.exists():
        return None
    from kiosk.outbox import Outbox

    with Outbox(path, clock=terminal.clock) as outbox:
        return outbox.backlog().get("pending", 0)


def prints_today(terminal: Terminal, zone: ZoneInfo) -> tuple[int, int]:
    """(jobs, pages) printed today, on the terminal's calendar."""
    path = terminal.data_dir / "usage.sqlite"
    if not path.exists():
        return 0, 0
    from kiosk.usage import UsageLog

    today = terminal.clock().astimezone(zone).date()
    log = UsageLog(path)
    try:
        counts = [count for count in log.counts(today) if count.local_day == today.isoformat() and count.outcome == "done"]
    finally:
        log.close()
    return sum(count.jobs for count in counts), sum(count.pages for count in counts)


def zero_result_searches_today(terminal: Terminal, zone: ZoneInfo) -> int:
    path = terminal.data_dir / "usage.sqlite"
    if not path.exists():
        return 0
    from kiosk.usage import UsageLog

    log = UsageLog(path)
    try:
        return sum(n for _query, n in log.zero_results(terminal.clock().astimezone(zone).date(), 1000))
    finally:
        log.close()


def printer_text(printer: PrinterLine, lang: str) -> tuple[str, bool]:
    if not printer.configured:
        return tr("未连接", lang), False
    state = tr("可以打印", lang) if printer.ready else tr(printer.message_zh or "打印机暂时无法使用，请联系工作人员", lang)
    where = f"（{printer.queue}）" if printer.queue else ""
    reasons = tr("；原因：{reasons}", lang, reasons=", ".join(printer.reasons)) if printer.reasons else ""
    return f"{state}{where}{reasons}", not printer.ready


def status_lines(terminal: Terminal, printers: Sequence[PrinterLine], lang: str = "zh_CN") -> list[StatusLine]:
    """The terminal's state in words: data and sync per channel, clock, disk, outbox, version, printers, today's use."""
    zone = ZoneInfo(terminal.settings["terminal.timezone"])
    status = data_status(terminal)
    lines: list[StatusLine] = []
    summary = {"no-portal": N_("本机内容（未连接县级平台）"), "local": N_("已设置县级平台，尚未同步"), "fresh": N_("已同步，内容是最新的"),
               "offline": N_("暂时连不上县级平台，显示本机已有的内容"), "stale": N_("内容可能不是最新的")}[status.kind]
    why = f"：{tr(status.message_zh, lang)}" if status.message_zh else ""
    lines.append(StatusLine("data", tr("数据状态", lang), tr(summary, lang) + why, status.kind in ("stale", "offline")))
    lines.append(StatusLine("last-success", tr("上次成功同步", lang), local_text(status.last_success, zone, lang)))
    for channel, state in sorted(terminal.store.channel_states().items()):
        parts = [tr("第 {generation} 版", lang, generation=state["generation"] or 0),
                 tr("上次成功 {when}", lang, when=local_text(state["last_success"] or "", zone, lang))]
        if state["error_kind"]:
            parts.append(tr("上次出错：{why}", lang, why=tr(error_text_zh(state["error_kind"]), lang)))
        lines.append(StatusLine(f"channel-{channel}", tr("频道 {channel}", lang, channel=channel), "，".join(parts),
                                bool(state["error_kind"])))
    lines.append(StatusLine("clock", tr("本机时间", lang), f"{format_moment(terminal.clock().astimezone(zone), lang)}（{zone.key}）"))
    lines.append(StatusLine("data-date", tr("数据更新于", lang), local_text(terminal.store.meta("data_changed_at"), zone, lang)))
    free_mb = shutil.disk_usage(terminal.data_dir).free // (1024 * 1024)
    lines.append(StatusLine("disk", tr("磁盘剩余", lang), tr("{mb} MB", lang, mb=format(free_mb, ",")), free_mb < 500))
    pending = outbox_pending(terminal)
    lines.append(StatusLine("outbox", tr("待上传", lang), tr("{n} 条", lang, n=pending or 0), bool(pending and pending > 100)))
    lines.append(StatusLine("version", tr("程序版本", lang), __version__))
    for printer in printers:
        text, alert = printer_text(printer, lang)
        lines.append(StatusLine(f"printer-{printer.role}", tr(ROLE_NAMES[printer.role], lang), text, alert))
    jobs, pages = prints_today(terminal, zone)
    lines.append(StatusLine("prints-today", tr("今日打印", lang), tr("{jobs} 次，共 {pages} 页", lang, jobs=jobs, pages=pages)))
    lines.append(StatusLine("zero-today", tr("今日无结果的搜索", lang), tr("{n} 次", lang, n=zero_result_searches_today(terminal, zone))))
    return lines
