"""What each kind shows as its title, what is searched as its body, and how it sorts.

Search, lists and the home screen all need the same derived values; computing them in one
place at import time keeps queries to plain column reads.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from kiosk.money import format_fen
from kiosk.pinyin import first_letters
from kiosk.query import canonical_doc_numbers, to_simplified

Record = dict[str, Any]
ALIAS_SEPARATOR = "\u001f"

BOARD_TYPE_ZH = {"party": "党务公开", "village": "村务公开", "finance": "财务公开"}


@dataclass(frozen=True)
class Derived:
    """Index columns for one record."""

    title: str
    aliases: str
    body: str
    sort_date: str
    current: bool
    initials: str
    alias_initials: str
    expires_utc: str


def title_of(record: Record) -> str:
    kind = record["kind"]
    if kind in ("catalogue_domain", "catalogue_item", "subsidy_policy", "service_guide", "region"):
        return record["name"] if kind != "region" else record.get("full_name") or record["name"]
    if kind == "subsidy_payment":
        return f"{record['policy_name']} · {record['recipient']} · {record['period']}"
    if kind == "terminal_profile":
        return record["name"]
    if kind == "synonym":
        return " = ".join(record["terms"])
    return record["title"]


def _join(*parts: object) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, list):
            out.extend(_join(item) for item in part)
        elif isinstance(part, dict):
            out.extend(_join(value) for value in part.values())
    return "\n".join(text for text in out if text)


def body_of(record: Record) -> str:
    """The searchable text beyond the title, in reading order."""
    kind = record["kind"]
    if kind == "document":
        interp = record.get("interpretation") or {}
        return _join(
            record.get("doc_number"), record["issuer"], record["body"],
            interp.get("title"), interp.get("text"), interp.get("qa", []),
        )
    if kind == "catalogue_item":
        return _join(*(record.get(f) for f in ("sub_domain", "content", "basis", "deadline", "subject")), record["channels"])
    if kind == "subsidy_policy":
        return _join(*(record[f] for f in ("basis", "department", "purpose", "target", "standard")))
    if kind == "subsidy_payment":
        return _join(record.get("quantity"), format_fen(record["amount_fen"]), record.get("note"))
    if kind == "board":
        lines = [f"{line['category']} {line['summary']}" for line in record.get("lines", [])]
        return _join(BOARD_TYPE_ZH[record["board_type"]], record.get("sections", []), lines)
    if kind == "service_guide":
        return _join(
            record["department"], record.get("topic"), record["conditions"],
            [m["name"] for m in record["materials"]], record["steps"], record["place"],
        )
    if kind == "notice":
        return _join(record["issuer"], record["body"])
    if kind == "catalogue_domain":
        return record.get("description", "")
    if kind == "life_event":
        return record.get("summary", "")
    return ""


def sort_date_of(record: Record) -> str:
    """The date people think of the record by (newest first in lists and search)."""
    for field in ("published_date", "paid_date"):
        if record.get(field):
            return str(record[field])
    if record.get("publish_at"):
        return str(record["publish_at"])[:10]
    if record["kind"] == "subsidy_policy":
        return f"{record['year']}-01-01"
    return str(record["updated_at"])[:10]


def derive(record: Record, known_letters: dict[str, str] | None = None) -> Derived:
    """Index columns. ``known_letters`` maps texts to first letters already computed (an update
    rarely changes a title, and pinyin conversion is the costly part of deriving)."""
    known = known_letters or {}

    def letters(text: str) -> str:
        return known[text] if text in known else first_letters(text)

    title = title_of(record)
    keywords = [k for k in record.get("keywords", []) if k]
    return Derived(
        title=title,
        aliases=ALIAS_SEPARATOR.join(keywords),
        body=_with_search_forms(title, body_of(record), record.get("doc_number")),
        sort_date=sort_date_of(record),
        current=record.get("validity", "现行有效") == "现行有效",
        initials=letters(title),
        alias_initials=ALIAS_SEPARATOR + ALIAS_SEPARATOR.join(letters(k) for k in keywords) + ALIAS_SEPARATOR,
        expires_utc=utc_text(record["expire_at"]) if record.get("expire_at") else "",
    )


_QUOTES = str.maketrans("", "", "“”\"‘’'《》「」『』〈〉")


def _with_search_forms(title: str, body: str, doc_number: object) -> str:
    """The body, followed by the forms a query is folded to where they differ (issue 14): the title without
    quotes (“两癌”免费筛查 → 两癌免费筛查), the document number in canonical form (〔2025〕), and the simplified
    characters of traditional text. Search compares folded queries with this (kiosk/query.py ``fold``)."""
    extra: list[str] = []
    unquoted = title.translate(_QUOTES)
    if unquoted != title:
        extra.append(unquoted)
    if isinstance(doc_number, str) and doc_number:
        canonical = canonical_doc_numbers(unicodedata.normalize("NFKC", doc_number))
        if canonical != doc_number:
            extra.append(canonical)
    simplified = to_simplified(title + "\n" + body)
    if simplified != title + "\n" + body:
        extra.append(simplified)
    return "\n".join([body, *extra]) if extra else body


def utc_text(moment: str | dt.datetime) -> str:
    """An ISO time as sortable UTC text (2026-03-01T01:00:00Z), so SQL can compare it as a string."""
    parsed = dt.datetime.fromisoformat(moment.replace("Z", "+00:00")) if isinstance(moment, str) else moment
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    return parsed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def letters_of_stored(title: str, aliases: str, initials: str, alias_initials: str) -> dict[str, str]:
    """Rebuild text → first letters from a stored row, so :func:`derive` can reuse them."""
    known = {title: initials}
    names = aliases.split(ALIAS_SEPARATOR) if aliases else []
    letters = alias_initials.strip(ALIAS_SEPARATOR).split(ALIAS_SEPARATOR) if names else []
    if len(names) == len(letters):
        known.update(zip(names, letters, strict=True))
    return known
