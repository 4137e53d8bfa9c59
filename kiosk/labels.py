"""Wording shared by the screens and the printed pages, so both say a period or a line the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.i18n import N_, babel_locale, ntr, ptr, tr

QUARTERS = {"Q1": N_("{year}年第一季度"), "Q2": N_("{year}年第二季度"), "Q3": N_("{year}年第三季度"), "Q4": N_("{year}年第四季度")}
HALVES = {"H1": N_("{year}年上半年"), "H2": N_("{year}年下半年")}

#: The records' fixed vocabularies (the schema's enums) as people see them: validity, frequencies, audiences, document
#: types and levels, payment states, forms of interpretation. They are our words, not content, so they are shown
#: through the catalogue with ``value_label``; a test checks that every Chinese enum value of the schema is here.
VALUE_WORDS = (
    N_("现行有效"), N_("已修改"), N_("已废止"), N_("已失效"),
    N_("每月"), N_("每季度"), N_("每半年"), N_("每年"), N_("随时"),
    N_("全社会"), N_("特定群体"), N_("主动"), N_("依申请"), N_("县级"), N_("乡级"), N_("村级"),
    N_("法律法规"), N_("规章"), N_("规范性文件"), N_("其他文件"), N_("通知公告"),
    N_("国家"), N_("省级"), N_("市级"),
    N_("已发放"), N_("待发放"), N_("退回"),
    N_("个人服务"), N_("法人服务"),
    N_("文字解读"), N_("图文解读"), N_("问答解读"),
)


def value_label(value: str, lang: str = "zh_CN") -> str:
    """A word from a record's fixed vocabulary (已废止, 每季度, 个人服务) in ``lang``; anything else as it was."""
    return tr(value, lang) if value else ""


def labelled(label: str, value: object, lang: str = "zh_CN") -> str:
    """发布日期：2026-11-21 / Published: 21 Nov 2026 — a label and its value, punctuated as the language does."""
    return tr("{label}：{value}", lang, label=tr(label, lang), value=value)


def local_day(stamp: str, zone: dt.tzinfo | None) -> str:
    """The day of an ISO instant on the terminal's calendar (2026-11-20T17:00:00+00:00 is 2026-11-21 in Shanghai);
    a bare date or a naive time as written; "" for ""."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:10]
    if moment.tzinfo is None or zone is None:
        return moment.date().isoformat()
    return moment.astimezone(zone).date().isoformat()


def period_label(period: str, lang: str = "zh_CN") -> str:
    """2025-Q4 → 2025年第四季度, 2026-03 → 2026年3月, 2026-H1 → 2026年上半年, 2026 → 2026年 (or Q4 2025, Mar 2026 …)."""
    year, _, rest = period.partition("-")
    if not rest:
        return tr("{year}年", lang, year=year)
    if rest in QUARTERS:
        return tr(QUARTERS[rest], lang, year=year)
    if rest in HALVES:
        return tr(HALVES[rest], lang, year=year)
    try:
        month = dt.date(int(year), int(rest), 1)
    except ValueError:
        return period
    from babel.dates import format_date

    return format_date(month, ptr("month pattern", "y年M月", lang), locale=babel_locale(lang))


@dataclass(frozen=True)
class LedgerLine:
    date: str
    category: str
    summary: str
    voucher: str
    income_fen: int
    expense_fen: int
    balance_fen: int  # running balance after this line


def ledger_lines(board: dict[str, Any]) -> list[LedgerLine]:
    """A finance board's lines in order with the running balance, as a printed ledger shows them."""
    balance = board.get("opening_balance_fen", 0)
    lines = []
    for line in board.get("lines", []):
        income = line["direction"] == "income"
        balance += line["amount_fen"] if income else -line["amount_fen"]
        lines.append(LedgerLine(line["date"], line["category"], line["summary"], line.get("voucher", ""),
                                line["amount_fen"] if income else 0, 0 if income else line["amount_fen"], balance))
    return lines



def payment_totals_words(totals: Any, money: Callable[[int], str], lang: str = "zh_CN") -> list[str]:
    """已发放 44 笔 ¥15,912.00 · 待发放 2 笔 ¥1,176.00 (· 退回 … when there is any), one piece per 发放状态, from a
    :class:`kiosk.browse.PaymentTotals`. Paid and pending money are two sums, never one 合计; 已发放 and 待发放
    always show, so a zero pending sum is said, not left out."""
    (paid_n, paid), (pending_n, pending), (returned_n, returned) = totals.paid, totals.pending, totals.returned
    pieces = [ntr("已发放 {n} 笔 {amount}", "已发放 {n} 笔 {amount}", paid_n, lang, amount=money(paid)),
              ntr("待发放 {n} 笔 {amount}", "待发放 {n} 笔 {amount}", pending_n, lang, amount=money(pending))]
    if returned_n:
        pieces.append(ntr("退回 {n} 笔 {amount}", "退回 {n} 笔 {amount}", returned_n, lang, amount=money(returned)))
    return pieces
