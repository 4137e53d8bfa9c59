"""Wording shared by the screens and the printed pages, so both say a period or a line the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

QUARTERS = {"Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度"}


def period_label(period: str) -> str:
    """2025-Q4 → 2025年第四季度, 2026-03 → 2026年3月, 2026-H1 → 2026年上半年, 2026 → 2026年."""
    year, _, rest = period.partition("-")
    if not rest:
        return f"{year}年"
    if rest in QUARTERS:
        return f"{year}年{QUARTERS[rest]}"
    if rest in ("H1", "H2"):
        return f"{year}年{'上' if rest == 'H1' else '下'}半年"
    return f"{year}年{int(rest)}月"


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
