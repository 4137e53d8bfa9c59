"""Searches that found nothing, counted per local day so the county learns which words or content to add.

A query is normalised (NFKC, control and format characters out, whitespace collapsed, trimmed, at most
``ZERO_RESULT_QUERY_CHARS`` characters), filtered for personal data, and only then written to
usage.sqlite (kiosk/usage.py); the day's most frequent ones travel in the usage item
(kiosk/heartbeat.py ``usage_payload``, docs/PROTOCOL.md "Usage payload"). What the filter drops never
touches the disk.

What counts as personal (``personal_reason``), decided here and documented in docs/PROTOCOL.md:

* **a number**: anything kiosk/privacy.py ``mask_numbers`` would mask (ID cards in every split form it
  knows — spaces, ``- . _ /``, full-width digits, zero-width characters, a final X —, bank cards,
  mobiles), and also any run of 7 or more digits, because in a search box a landline, a partly typed
  ID or card number is somebody's number, not an office's;
* **a name on a payment list**: payment recipients are stored masked (张*明, kiosk/privacy.py), so the
  comparison is mask-aware: the query is dropped when the masked form of the whole query, of any word
  in it, or of any run of 2–4 Chinese characters in it (2–5 after a compound surname) is the masked
  recipient of a payment in this terminal's store. 张三明, 张四明 and 查张三明的低保 are all dropped when
  张*明 is on a list; a two-character recipient (李*) drops every query containing 李 and one more
  Chinese character. That over-drops on purpose: a missing word costs the county a hint, a kept name
  discloses who searched for whom. Names in pinyin are not recognised.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from kiosk.privacy import COMPOUND_SURNAMES, fold, mask_name, mask_numbers
from kiosk.protocol import ZERO_RESULT_QUERY_CHARS
from kiosk.usage import UsageLog

if TYPE_CHECKING:
    from kiosk.terminal import Terminal

#: A run of this many digits or more (separators allowed between them, as kiosk/privacy.py reads numbers) is dropped.
NUMBER_DIGITS = 7
_DIGITS = re.compile(r"[0-9](?:[ \t\-._/]?[0-9])*")
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_WHITESPACE = re.compile(r"\s+")


def normalise(query: str) -> str:
    """What is counted for ``query``: NFKC, no control/format characters, single spaces, trimmed, capped."""
    text = unicodedata.normalize("NFKC", query)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text
                   if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn"))
    return _WHITESPACE.sub(" ", text).strip()[:ZERO_RESULT_QUERY_CHARS].strip()


def payment_recipients(terminal: Terminal) -> frozenset[str]:
    """The masked recipients of every live payment in the terminal's store (masked again: masking is idempotent)."""
    rows = terminal.store.sql("SELECT DISTINCT json_extract(data, '$.recipient') FROM record_full "
                              "WHERE kind = 'subsidy_payment' AND deleted = 0")
    return frozenset(mask_name(name) for (name,) in rows if isinstance(name, str) and name.strip())


def _name_candidates(query: str) -> Iterable[str]:
    yield query.replace(" ", "")
    yield from query.split(" ")
    for run in _HAN_RUN.findall(query):
        for start in range(len(run)):
            longest = 5 if run[start:start + 2] in COMPOUND_SURNAMES else 4
            for length in range(2, longest + 1):
                if start + length <= len(run):
                    yield run[start:start + length]


def personal_reason(query: str, recipients: frozenset[str]) -> str | None:
    """Why ``query`` (normalised) must not be counted — ``"number"`` or ``"name"`` — or None when it may be."""
    if mask_numbers(query) != query:
        return "number"
    folded, _ = fold(query)
    if any(sum(ch.isdigit() for ch in run) >= NUMBER_DIGITS for run in _DIGITS.findall(folded)):
        return "number"
    if recipients and any(len(candidate) >= 2 and mask_name(candidate) in recipients for candidate in _name_candidates(query)):
        return "name"
    return None


def record_zero_result(terminal: Terminal, query: str) -> str | None:
    """Count one search that found nothing on the terminal's local day; the text counted, or None if nothing was.

    Never raises: a search must not fail because of its statistics. When the store's recipients cannot be
    read, nothing is counted (the filter cannot be applied, so the query is treated as personal).
    """
    text = normalise(query)
    if not text:
        return None
    try:
        if personal_reason(text, payment_recipients(terminal)) is not None:
            return None
        day = terminal.clock().astimezone(zoneinfo.ZoneInfo(terminal.settings["terminal.timezone"])).date()
        log = UsageLog(terminal.data_dir / "usage.sqlite", clock=terminal.clock)
    except Exception:  # a store being replaced, a newer app's usage log, a full disk: the search still answers
        return None
    try:
        return text if log.record_zero_result(day, text) else None
    except Exception:
        return None
    finally:
        log.close()


class PendingZeroResult:
    """The search screen searches after every tap, so 临, 临时, 临时救 are not three searches.

    Only the query a reader ends on counts: a query that found nothing is held (the latest form of it)
    while the reader keeps typing it or deletes back into it, and is recorded when they type something else, clear the box or
    leave the screen (``flush``). Finding something after all forgets it.
    """

    def __init__(self, record: Callable[[str], object]) -> None:
        self._record = record
        self.pending: str | None = None

    def searched(self, query: str, found: bool) -> None:
        query = query.strip()
        pending = self.pending
        related = bool(pending) and bool(query) and (query.startswith(pending) or pending.startswith(query))
        if pending and not related:
            self.flush()
        if found:
            self.pending = None
        elif query:
            self.pending = query

    def flush(self) -> None:
        pending, self.pending = self.pending, None
        if pending:
            self._record(pending)
