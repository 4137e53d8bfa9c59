"""Masking of personal data in subsidy payment records (除涉密或涉及个人隐私外).

Names keep the surname and the last character (张*明, 欧阳*华). ID-card, bank-card and mobile
numbers are masked wherever they appear in a payment record, even when the source sent them:
the kiosk applies this when records are stored and again before anything is displayed.

Masking is always done again, never skipped because a value looks masked already: ``王小明*``
contains a star and was once stored as it came (issue 12, item 11). It is idempotent instead —
masking a masked value gives the same value — so storing and displaying can both apply it.

Numbers are found however they are written. Before matching, text is read through a folded
copy: NFKC (full-width ４３０５ and the ideographic space become ASCII) with format characters
(Unicode category Cf: zero-width spaces, joiners, BOMs, soft hyphens) left out. In that copy a
number is a run of digits with at most one separator (space, ``- . _ /``) between two digits,
so ``430521.19800101.1234``, ``4305211980\\u200b01011234`` and ``138.1234.5678`` are one number
each. What is replaced is the original text the run came from; everything around it is kept
as written (full-width punctuation included).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

MASK = "*"
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
        "令狐", "夏侯", "端木", "独孤", "南宫", "西门", "呼延", "轩辕", "澹台", "百里", "东郭", "闻人",
        "赫连", "申屠", "万俟", "钟离", "太史", "濮阳", "单于", "公冶", "宗政", "仲孙", "拓跋",
    ]
)

#: Characters that may split a number ("6222 0202 1234", "430521-19800101-1234", "138.1234.5678"):
#: after folding, U+3000 is already a space; it is listed for text that was not folded.
SEPARATORS = " \t-._/\u3000"
_SEPARATOR = "[" + re.escape(SEPARATORS) + "]"
# A run of digits, at most one separator between two of them, ending in a digit or an ID's X.
# Only a digit may not follow ("…1234XX" is still an ID with its X masked, not a word to skip).
_DIGIT_RUN = re.compile(rf"(?<![0-9])[0-9](?:{_SEPARATOR}?[0-9])*(?:{_SEPARATOR}?[Xx])?(?![0-9])")
#: A run with this many digits or more is an ID (18, or 15 before 1999), a bank card (12–19) or a
#: mobile (11); shorter ones (dates, amounts, 5.2亩, 80周岁) stay readable.
PERSONAL_DIGITS = 11
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# A landline with its area code (0739-5213001, 010 12345678): public office numbers, left readable.
# Area codes are 010, 02x and 03xx … 09xx; no ID, card or mobile starts with 0.
_LANDLINE = re.compile(rf"0(?:10|2[0-9]|[3-9][0-9]{{2}}){_SEPARATOR}?[0-9]{{7,8}}")

_PAYMENT_TEXT_FIELDS = ("recipient", "note", "quantity", "policy_name")
#: Raised whenever masking learns to find more. A store whose payments were masked under a lower
#: version masks them all again once, when it is opened (``ContentStore``); 2 = issue 12, items 10
#: and 11 (no keywords on payments; separators, format characters and starred names).
MASKING_VERSION = 2


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` as matching sees it, and for each of its characters the index it came from.

    Each character is NFKC-normalised on its own (kept as it was if that gives more than one
    character, so positions map back one to one), every decimal digit of any script becomes its
    ASCII digit (NFKC leaves ٣ and ৩ alone), and format characters (category Cf) are left out.
    ASCII text is its own folding.
    """
    if text.isascii():
        return text, list(range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        if unicodedata.category(ch) == "Cf":
            continue
        value = unicodedata.decimal(ch, None)
        folded = str(value) if value is not None else unicodedata.normalize("NFKC", ch)
        chars.append(folded if len(folded) == 1 else ch)
        origin.append(index)
    return "".join(chars), origin


def _clean(name: str) -> str:
    """A name without format characters, NFKC-normalised, trimmed: what a reader sees of it."""
    folded = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf").strip()


def mask_name(name: str) -> str:
    """张三明 → 张*明, 张三 → 张*, 欧阳振华 → 欧阳*华, 买买提·艾力 → 买*力, 王小明* → 王**.

    A star in the name does not mean it is masked (王小明* came so from a source): the name is
    masked again, which leaves a properly masked name as it was.
    """
    name = _clean(name)
    if len(name) <= 1:
        return name
    if "·" in name or "•" in name:
        return name[0] + MASK + name[-1]
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[0]
    if len(name) == 2:
        return surname + MASK
    return surname + MASK + name[-1]


def mask_numbers(text: str) -> str:
    """Hide ID-card and bank-card numbers entirely; show mobiles as 138****5678.

    Runs of fewer than ``PERSONAL_DIGITS`` digits and landlines with an area code stay readable.
    """
    folded, origin = fold(text)
    pieces: list[str] = []
    kept_until = 0
    for run in _DIGIT_RUN.finditer(folded):
        replacement = _masked_run(run.group())
        if replacement is None:
            continue
        start, end = origin[run.start()], origin[run.end() - 1] + 1
        pieces += [text[kept_until:start], replacement]
        kept_until = end
    if not pieces:
        return text
    return "".join(pieces) + text[kept_until:]


def _masked_run(run: str) -> str | None:
    """What a folded digit run becomes, or None to leave it as written."""
    digits = "".join(ch for ch in run if ch.isdigit())
    if len(digits) < PERSONAL_DIGITS or _LANDLINE.fullmatch(run):
        return None
    if len(digits) == PERSONAL_DIGITS and _MOBILE.fullmatch(digits) and run[-1] not in "Xx":
        return digits[:3] + MASK * 4 + digits[-4:]
    return "".join(MASK if ch.isdigit() or ch in "Xx" else ch for ch in run)


def mask_payment(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of a subsidy_payment record that is safe to store and display."""
    masked = dict(record)
    for field in _PAYMENT_TEXT_FIELDS:
        value = masked.get(field)
        if isinstance(value, str):
            value = mask_numbers(value)
            masked[field] = mask_name(value) if field == "recipient" else value
    return masked
