"""Search over every content kind, shaped by the SQLite facts in docs/ARCHITECTURE.md, "Search".

Three paths, never mixed in one query:
- every term ≥ 3 characters: FTS5 trigram MATCH over title, aliases and body;
- any term of 1–2 characters: a scan of titles and aliases (trigram can't see short terms);
- letters only (``gdzb``): first letters of titles and aliases (首字母); with 3+ letters the
  full-text path runs too (for words like "PDF") and its hits follow.
Ranking, in order: personal payment lines after everything else, then how the title matches
(exact, prefix, contains, body only), current before repealed, own village → township → county first,
then for prefix matches the shortest completion, then newest. Excerpts are cut in Python for the
few hits shown, which is far cheaper than FTS5 ``snippet()`` over every match.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from kiosk import regions as regionlib
from kiosk.records.text import ALIAS_SEPARATOR, utc_text
from kiosk.store import ContentStore

MAX_QUERY_CHARS = 60
MAX_TERMS = 6
EXCERPT_BEFORE = 20
EXCERPT_LENGTH = 80
UNSEARCHED_KINDS = ("region", "terminal_profile", "life_event")  # an entrance is a way in, not a result
_SPLIT = re.compile(r"[\s,，、;；。!！?？:：|/\\]+")
_LETTERS = re.compile(r"^[a-z]+$")


@dataclass(frozen=True)
class SearchHit:
    """One result, ready for a list row: plain data, no markup."""

    kind: str
    record_id: str
    title: str
    excerpt: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # (start, length) in excerpt
    title_highlights: list[tuple[int, int]] = field(default_factory=list)
    region: str = ""
    region_name: str = ""
    date: str = ""
    validity: str | None = None
    match: str = "title"  # title | alias | initials | body

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalize_query(text: str) -> list[str]:
    """Terms of a query, safe for any input: NFKC, no control or surrogate characters, bounded."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs", "Cf", "Co", "Cn"))
    text = text[: MAX_QUERY_CHARS * 4].strip().lower()
    terms = [term for term in _SPLIT.split(text) if term][:MAX_TERMS]
    kept: list[str] = []
    budget = MAX_QUERY_CHARS
    for term in terms:
        if budget <= 0:
            break
        kept.append(term[:budget])
        budget -= len(kept[-1])
    return kept


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class SearchService:
    """Search and suggestions for one terminal: its region chain decides what is visible."""

    def __init__(self, store: ContentStore, terminal_region: str) -> None:
        self.store = store  # its clock decides which notices have expired
        self.scope = regionlib.chain(terminal_region)
        self._region_names: dict[str, str] | None = None

    # ------------------------------------------------------------------------------ public
    def search(self, query: str, *, limit: int = 20, kinds: Sequence[str] | None = None,
               now: dt.datetime | None = None) -> list[SearchHit]:
        terms = normalize_query(query)
        limit = max(1, min(int(limit), 200))
        if not terms:
            return []
        now_text = utc_text(now or self.store.clock())
        joined = "".join(terms)
        rows: list[tuple[Any, ...]] = []
        if _LETTERS.match(joined):
            rows = self._initials_rows(joined, limit, kinds, now_text)
        if all(len(term) >= 3 for term in terms):
            rows = _merge(rows, self._fts_rows(terms, limit, kinds, now_text), limit)
        elif not _LETTERS.match(joined):
            rows = self._title_scan_rows(terms, limit, kinds, now_text)
        return self._hits(rows, terms)

    def suggest(self, prefix: str, *, limit: int = 8, now: dt.datetime | None = None) -> list[str]:
        """Titles and aliases that complete what has been typed (联想), shortest first."""
        terms = normalize_query(prefix)
        if not terms:
            return []
        text = "".join(terms) if _LETTERS.match("".join(terms)) else " ".join(terms)
        scope_sql, scope_params = self._scope_sql(None, utc_text(now or self.store.clock()))
        if _LETTERS.match(text):
            condition = "(instr(r.initials, ?) = 1 OR instr(r.alias_initials, ?) > 0)"
            params: tuple[Any, ...] = (text, ALIAS_SEPARATOR + text)
        else:
            condition = "(instr(r.title, ?) > 0 OR instr(r.aliases, ?) > 0)"
            params = (text, text)
        rows = self.store.sql(
            f"SELECT r.title, r.aliases FROM record r WHERE {condition} AND r.kind != 'subsidy_payment' {scope_sql} "
            "ORDER BY instr(r.title, ?) = 1 DESC, length(r.title), r.sort_date DESC LIMIT ?",
            (*params, *scope_params, text, limit * 3),
        )
        seen: list[str] = []
        for title, aliases in rows:
            for alias in aliases.split(ALIAS_SEPARATOR) if aliases else []:
                if alias.lower().startswith(text) and alias not in seen:
                    seen.append(alias)
            if title not in seen:
                seen.append(title)
        return seen[:limit]

    # ------------------------------------------------------------------------------ paths
    def _scope_sql(self, kinds: Sequence[str] | None, now_text: str) -> tuple[str, tuple[Any, ...]]:
        sql = (
            f"AND r.deleted = 0 AND r.region IN ({','.join('?' * len(self.scope))}) "
            f"AND r.kind NOT IN ({','.join('?' * len(UNSEARCHED_KINDS))}) "
            "AND (r.expires_utc = '' OR r.expires_utc > ?)"
        )
        params: tuple[Any, ...] = (*self.scope, *UNSEARCHED_KINDS, now_text)
        if kinds:
            sql += f" AND r.kind IN ({','.join('?' * len(kinds))})"
            params += tuple(kinds)
        return sql, params

    def _order_sql(self) -> tuple[str, tuple[Any, ...]]:
        locality = "CASE r.region " + " ".join("WHEN ? THEN ?" for _ in self.scope) + " ELSE 99 END"
        params = tuple(value for index, code in enumerate(self.scope) for value in (code, index))
        order = (
            f"ORDER BY r.kind = 'subsidy_payment', tier, r.current DESC, {locality}, "
            "CASE WHEN tier <= 1 THEN length(r.title) ELSE 0 END, r.sort_date DESC, r.pk DESC"
        )
        return order, params

    def _title_tier_sql(self, terms: list[str]) -> tuple[str, tuple[Any, ...]]:
        all_in_title = " AND ".join("instr(r.title, ?) > 0" for _ in terms)
        all_in_alias = " AND ".join("instr(r.aliases, ?) > 0" for _ in terms)
        sep = ALIAS_SEPARATOR
        sql = (
            "CASE WHEN r.title = ? OR instr(? || r.aliases || ?, ?) > 0 THEN 0 "
            "WHEN instr(r.title, ?) = 1 THEN 1 "
            f"WHEN ({all_in_title}) THEN 2 WHEN ({all_in_alias}) THEN 2 ELSE 3 END"
        )
        whole = " ".join(terms)
        params = (whole, sep, sep, sep + whole + sep, terms[0], *terms, *terms)
        return sql, params

    def _run(self, select_from: str, where: str, tier_sql: str, params: tuple[Any, ...],
             tier_params: tuple[Any, ...], kinds: Sequence[str] | None, now_text: str, limit: int,
             match: str) -> list[tuple[Any, ...]]:
        scope_sql, scope_params = self._scope_sql(kinds, now_text)
        order_sql, order_params = self._order_sql()
        # Rank on narrow columns only (a covering index serves the scans); the record JSON is read
        # afterwards for the few hits shown, not carried through the sort for every candidate.
        query = f"SELECT r.pk, {tier_sql} AS tier {select_from} WHERE {where} {scope_sql} {order_sql} LIMIT ?"
        ranked = self.store.sql(query, (*tier_params, *params, *scope_params, *order_params, limit))
        if not ranked:
            return []
        marks = ",".join("?" * len(ranked))
        details = {row[0]: row for row in self.store.sql(
            f"SELECT pk, kind, record_id, title, region, sort_date, data FROM record_full WHERE pk IN ({marks})", [pk for pk, _ in ranked]
        )}
        return [(*details[pk], tier, match) for pk, tier in ranked]

    def _fts_rows(self, terms: list[str], limit: int, kinds: Sequence[str] | None, now_text: str) -> list[tuple[Any, ...]]:
        tier_sql, tier_params = self._title_tier_sql(terms)
        match = " ".join(_fts_phrase(term) for term in terms)
        return self._run(
            "FROM search_fts JOIN record r ON r.pk = search_fts.rowid", "search_fts MATCH ?",
            tier_sql, (match,), tier_params, kinds, now_text, limit, "text",
        )

    def _title_scan_rows(self, terms: list[str], limit: int, kinds: Sequence[str] | None, now_text: str) -> list[tuple[Any, ...]]:
        tier_sql, tier_params = self._title_tier_sql(terms)
        where = " AND ".join("(instr(r.title, ?) > 0 OR instr(r.aliases, ?) > 0)" for _ in terms)
        params = tuple(value for term in terms for value in (term, term))
        return self._run("FROM record r", where, tier_sql, params, tier_params, kinds, now_text, limit, "text")

    def _initials_rows(self, letters: str, limit: int, kinds: Sequence[str] | None, now_text: str) -> list[tuple[Any, ...]]:
        sep = ALIAS_SEPARATOR
        tier_sql = (
            "CASE WHEN r.initials = ? OR instr(r.alias_initials, ?) > 0 THEN 0 "
            "WHEN instr(r.initials, ?) = 1 OR instr(r.alias_initials, ?) > 0 THEN 1 ELSE 2 END"
        )
        tier_params = (letters, sep + letters + sep, letters, sep + letters)
        where = "(instr(r.initials, ?) > 0 OR instr(r.alias_initials, ?) > 0)"
        return self._run("FROM record r", where, tier_sql, (letters, letters), tier_params, kinds, now_text, limit, "initials")

    # ------------------------------------------------------------------------------ results
    def _hits(self, rows: list[tuple[Any, ...]], terms: list[str]) -> list[SearchHit]:
        if not rows:
            return []
        bodies = self._bodies([row[0] for row in rows])
        names = self._names()
        hits = []
        for pk, kind, record_id, title, region, sort_date, data, tier, how in rows:
            record = json.loads(data)
            excerpt, spans = _excerpt(bodies.get(pk, ""), terms)
            hits.append(
                SearchHit(
                    kind=kind,
                    record_id=record_id,
                    title=title,
                    excerpt=excerpt,
                    highlights=spans,
                    title_highlights=_spans(title, terms),
                    region=region,
                    region_name=names.get(region, ""),
                    date=sort_date,
                    validity=record.get("validity"),
                    match=_match_name(tier, how),
                )
            )
        return hits

    def _bodies(self, pks: list[int]) -> dict[int, str]:
        marks = ",".join("?" * len(pks))
        return dict(self.store.sql(f"SELECT rowid, body FROM search_fts WHERE rowid IN ({marks})", pks))

    def _names(self) -> dict[str, str]:
        if self._region_names is None:
            self._region_names = self.store.region_names()
        return self._region_names


def _match_name(tier: int, how: str) -> str:
    if how == "initials":
        return "initials"
    return "title" if tier <= 2 else "body"


def _merge(first: list[tuple[Any, ...]], second: list[tuple[Any, ...]], limit: int) -> list[tuple[Any, ...]]:
    seen = {row[0] for row in first}
    return (first + [row for row in second if row[0] not in seen])[:limit]


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    lowered = text.lower()
    spans = []
    for term in terms:
        start = lowered.find(term)
        while start >= 0 and len(spans) < 20:
            spans.append((start, len(term)))
            start = lowered.find(term, start + len(term))
    return sorted(spans)


def _excerpt(body: str, terms: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """A short window of the body around the first hit, with the hits' positions in it."""
    flat = " ".join(body.split())
    lowered = flat.lower()
    positions = [pos for pos in (lowered.find(term) for term in terms) if pos >= 0]
    start = max(0, min(positions) - EXCERPT_BEFORE) if positions else 0
    window = flat[start : start + EXCERPT_LENGTH]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + EXCERPT_LENGTH < len(flat) else ""
    excerpt = prefix + window + suffix
    return excerpt, [(s + len(prefix), n) for s, n in _spans(window, terms)]
