"""Masking of personal data in subsidy payment records (除涉密或涉及个人隐私外).

Names keep the surname and the last character (张*明, 欧阳*华). ID-card, bank-card and mobile
numbers are masked wherever they appear in a payment record, even when the source sent them:
the kiosk applies this when records are stored and again before anything is displayed.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "*"
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
        "令狐", "夏侯", "端木", "独孤", "南宫", "西门", "呼延", "轩辕", "澹台", "百里", "东郭", "闻人",
        "赫连", "申屠", "万俟", "钟离", "太史", "濮阳", "单于", "公冶", "宗政", "仲孙", "拓跋",
    ]
)

# An 18-digit resident ID (last may be X) or a legacy 15-digit one; bank cards are 12–19 digits.
_ID_OR_CARD = re.compile(r"(?<![0-9])(?:\d{17}[0-9Xx]|\d{12,19})(?![0-9Xx])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![0-9])")
# Numbers split with spaces or dashes, e.g. "6222 0202 1234 5678 901" or "430521-19800101-1234".
_GROUPED_DIGITS = re.compile(r"(?<![0-9])\d{4,6}(?:[ -]\d{2,8}){2,5}[0-9Xx]?(?![0-9])")

_PAYMENT_TEXT_FIELDS = ("recipient", "note", "quantity", "policy_name")


def mask_name(name: str) -> str:
    """张三明 → 张*明, 张三 → 张*, 欧阳振华 → 欧阳*华, 买买提·艾力 → 买*力."""
    name = name.strip()
    if MASK in name or len(name) <= 1:
        return name
    if "·" in name or "•" in name:
        return name[0] + MASK + name[-1]
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[0]
    if len(name) == 2:
        return surname + MASK
    return surname + MASK + name[-1]


def mask_numbers(text: str) -> str:
    """Hide ID-card and bank-card numbers entirely; show mobiles as 138****5678."""
    text = _GROUPED_DIGITS.sub(lambda m: _star_digits(m.group(0)), text)
    text = _ID_OR_CARD.sub(lambda m: MASK * len(m.group(0)), text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}{MASK * 4}{m.group(3)}", text)


def _star_digits(text: str) -> str:
    digits = sum(ch.isdigit() for ch in text)
    if digits < 11:
        return text
    return "".join(MASK if ch.isdigit() or ch in "Xx" else ch for ch in text)


def mask_payment(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of a subsidy_payment record that is safe to store and display."""
    masked = dict(record)
    for field in _PAYMENT_TEXT_FIELDS:
        value = masked.get(field)
        if isinstance(value, str):
            value = mask_numbers(value)
            masked[field] = mask_name(value) if field == "recipient" else value
    return masked
