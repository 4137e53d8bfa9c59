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
from kiosk.query import SHORT, Group, QueryParser, split_word, to_simplified
from kiosk.records.text import ALIAS_SEPARATOR, utc_text
from kiosk.store import ContentStore

MAX_QUERY_CHARS = 60
MAX_TERMS = 6
EXCERPT_BEFORE = 20
EXCERPT_LENGTH = 80
UNSEARCHED_KINDS = ("region", "terminal_profile", "synonym", "life_event")  # a synonym feeds the query, an entrance is a way in: neither is a result
_SPLIT = re.compile(r"[\s,，、;；。!！?？:：|/\\]+")
_LETTERS = re.compile(r"^[a-z]+$")
_PREFIX_DIGITS = {"national": 0, "province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


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


@dataclass
class SearchResult:
    """Hits and what the search did to find them, for a screen that explains itself."""

    hits: list[SearchHit]
    mode: str = "strict"  # strict | corrected | relaxed | any | none
    did_you_mean: list[str] = field(default_factory=list)  # corrected words, when those were searched
    words: list[str] = field(default_factory=list)  # the words searched, for highlighting and messages
    capped: bool = False  # as many hits as asked for: there may be more


class SearchService:
    """Search and suggestions for one terminal: its region chain decides what is visible."""

    def __init__(self, store: ContentStore, terminal_region: str) -> None:
        self.store = store  # its clock decides which notices have expired
        self.scope = regionlib.chain(terminal_region)
        self._region_names: dict[str, str] | None = None
        self._content_mark: tuple[Any, ...] | None = None
        self.parser = QueryParser(self._vocabulary, self._synonym_groups, self._names)

    # ------------------------------------------------------------------------------ public
    def search(self, query: str, *, limit: int = 20, kinds: Sequence[str] | None = None,
               now: dt.datetime | None = None) -> list[SearchHit]:
        return self.run(query, limit=limit, kinds=kinds, now=now).hits

    def run(self, query: str, *, limit: int = 20, kinds: Sequence[str] | None = None,
            now: dt.datetime | None = None) -> SearchResult:
        """The query through kiosk/query.py, then strict → corrected (same sound) → relaxed → any word."""
        limit = max(1, min(int(limit), 200))
        self._refresh()
        plan = self.parser.parse(query)
        if not plan.groups and not plan.letters:
            return SearchResult([], mode="none")
        now_text = utc_text(now or self.store.clock())
        initials: list[tuple[Any, ...]] = []
        if plan.letters:
            initials = self._initials_rows(plan.letters, limit, kinds, now_text)
            if not plan.groups and len(plan.letters) >= 3:
                plan.groups = [Group((plan.letters,))]  # words such as "PDF"
        rows: list[tuple[Any, ...]] = []
        mode, used = "strict", plan.groups
        if plan.groups:
            # Soft words (申请, 材料, 标准) never exclude a record; they only rank those that hold them first.
            rows = self._group_rows(plan.groups, plan.regions, False, limit, kinds, now_text, plan.soft, plan.phrases)
            if not rows:
                attempts: list[tuple[str, list[Group]]] = []
                base = plan.groups
                if self.parser.correct(plan):
                    attempts.append(("corrected", plan.corrected))
                    base = plan.corrected
                split = [Group((piece,)) for g in base for piece in split_word(g.word)]
                if len(split) > len(base):
                    attempts.append(("relaxed", split))
                if len(base) > 1 or len(split) > 1:
                    attempts.append(("any", split))
                for mode, used in attempts:
                    rows = self._group_rows(used, plan.regions, mode == "any", limit, kinds, now_text, plan.soft)
                    if rows:
                        break
        rows = _merge(rows, initials, limit) if plan.pinyin or not initials else _merge(initials, rows, limit)
        if not rows:
            mode = "none"
        words = [term for group in used for term in group.terms] if used else [plan.letters]
        did_you_mean = [g.word for g in plan.corrected] if plan.corrected and mode in ("corrected", "relaxed", "any", "none") else []
        if plan.pinyin and rows:
            did_you_mean = []
        return SearchResult(self._hits(rows, words), mode=mode, did_you_mean=did_you_mean,
                            words=[g.word for g in used] if used else [plan.letters], capped=len(rows) >= limit)

    def suggest(self, prefix: str, *, limit: int = 8, now: dt.datetime | None = None) -> list[str]:
        """Titles and aliases that complete what has been typed (联想), shortest first."""
        terms = [to_simplified(term) for term in normalize_query(prefix)]
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

    # ------------------------------------------------------------------------------ what the parser knows
    def _refresh(self) -> None:
        """New content (an import, a sync) brings new words, synonyms and place names."""
        mark = tuple(self.store.sql(
            "SELECT (SELECT max(pk) FROM record), (SELECT group_concat(value) FROM meta "
            "WHERE key IN ('data_changed_at', 'content_updated_at'))")[0])
        if mark != self._content_mark:
            self._content_mark = mark
            self._region_names = None
            self.parser.reload()

    def _vocabulary(self) -> list[str]:
        scope_sql, scope_params = self._scope_sql(None, "")
        rows = self.store.sql(
            f"SELECT r.title, r.aliases FROM record r WHERE r.kind != 'subsidy_payment' {scope_sql} ORDER BY r.sort_date DESC",
            scope_params)
        titles = [title for title, _ in rows]
        return titles + [alias for _, aliases in rows for alias in (aliases or "").split(ALIAS_SEPARATOR) if alias]

    def _synonym_groups(self) -> list[list[str]]:
        rows = self.store.sql(
            f"SELECT data FROM record_full WHERE kind = 'synonym' AND deleted = 0 "
            f"AND region IN ({','.join('?' * len(self.scope))})", tuple(self.scope))
        return [list(json.loads(data).get("terms", [])) for (data,) in rows]

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

    def _locality_sql(self) -> tuple[str, tuple[Any, ...]]:
        locality = "CASE r.region " + " ".join("WHEN ? THEN ?" for _ in self.scope) + " ELSE 99 END"
        params = tuple(value for index, code in enumerate(self.scope) for value in (code, index))
        return locality, params

    def _key_sql(self, groups: list[Group], regions: list[str], with_body: bool,
                 soft: set[str] | frozenset[str] = frozenset()) -> tuple[str, tuple[Any, ...]]:
        """Sort-key columns, compared in Python after merging passes: payments last, the named place first,
        how the title matches (exact, prefix, every word, body), how many words the title holds, current
        first, own village → township → county, the shortest title for title matches, newest."""
        sep = ALIAS_SEPARATOR
        in_title = [" OR ".join("instr(r.title, ?) > 0 OR instr(r.aliases, ?) > 0" for _ in g.terms) for g in groups]
        in_title_params = [tuple(v for t in g.terms for v in (t, t)) for g in groups]
        whole = [t for t in groups[0].terms] if len(groups) == 1 else [" ".join(g.word for g in groups)]
        exact = " OR ".join("r.title = ? OR instr(? || r.aliases || ?, ?) > 0" for _ in whole)
        exact_params = tuple(v for t in whole for v in (t, sep, sep, sep + t + sep))
        prefix = " OR ".join("instr(r.title, ?) = 1" for _ in groups[0].terms)
        all_title = " AND ".join(f"({c})" for c in in_title)
        # A document's keywords are topic tags, not its name: an equal keyword ranks it with titles that hold the words.
        tier = (f"CASE WHEN r.title = ? OR (r.kind NOT IN ('document', 'notice') AND ({exact})) THEN 0 "
                f"WHEN ({prefix}) AND ({all_title}) THEN 1 WHEN {all_title} THEN 2 ELSE 3 END")
        all_params = tuple(v for p in in_title_params for v in p)
        tier_params = (" ".join(g.word for g in groups), *exact_params, *groups[0].terms, *all_params, *all_params)
        # Words of the topic count twice, soft words (申请, 标准) once.
        coverage = " + ".join(f"(CASE WHEN {c} THEN {1 if g.word in soft else 2} ELSE 0 END)" for g, c in zip(groups, in_title, strict=True))
        coverage_params = tuple(v for p in in_title_params for v in p)
        if with_body:
            anywhere = " + ".join(
                "(CASE WHEN " + " OR ".join("instr(search_fts.body, ?) > 0" for _ in g.terms) + f" OR ({c}) THEN 1 ELSE 0 END)"
                for g, c in zip(groups, in_title, strict=True))
            anywhere_params = tuple(v for g, p in zip(groups, in_title_params, strict=True) for v in (*g.terms, *p))
        else:
            anywhere, anywhere_params = coverage, coverage_params
        if regions:
            prefixes = [code[: _PREFIX_DIGITS[regionlib.level_of(code)]] for code in regions]
            boost = (f"CASE WHEN r.region IN ({','.join('?' * len(regions))}) THEN 0 WHEN "
                     + " OR ".join("substr(r.region, 1, ?) = ?" for _ in prefixes) + " THEN 1 ELSE 2 END")
            boost_params = (*regions, *(v for p in prefixes for v in (len(p), p)))
        else:
            boost, boost_params = "0", ()
        locality, locality_params = self._locality_sql()
        sql = (f"r.kind = 'subsidy_payment' AS pay, {boost} AS boost, ({anywhere}) AS anyw, {tier} AS tier, "
               f"({coverage}) AS cov, r.current AS cur, {locality} AS loc, length(r.title) AS tlen, r.sort_date AS sdate, r.pk AS pk")
        return sql, (*boost_params, *anywhere_params, *tier_params, *coverage_params, *locality_params)

    def _group_rows(self, groups: list[Group], regions: list[str], any_word: bool, limit: int,
                    kinds: Sequence[str] | None, now_text: str, soft: set[str] | frozenset[str] = frozenset(),
                    phrases: Sequence[str] = ()) -> list[tuple[Any, ...]]:
        scope_sql, scope_params = self._scope_sql(kinds, now_text)
        joiner = " OR " if any_word else " AND "
        keyed: list[tuple[Any, ...]] = []
        ranking = groups
        required = [g for g in groups if g.word not in soft] or groups
        groups = required
        long_groups = [g for g in groups if any(len(t) >= SHORT for t in g.terms)]
        # Pass 0, the text as typed (耕地地力 is cut into 耕地, 地力, which the trigram index cannot see). When that
        # finds anything, the word passes are skipped: what was typed is there as typed, and on a province store a
        # scan of every title for each word costs more than the extra hits gain.
        if phrases and not any_word:
            key_sql, key_params = self._key_sql(ranking, regions, False, soft)
            match = " AND ".join(_fts_phrase(p) for p in phrases)
            keyed += self._ranked("FROM search_fts JOIN record r ON r.pk = search_fts.rowid", "search_fts MATCH ?", (match,),
                                  key_sql, key_params, scope_sql, scope_params, limit, any_word)
        verbatim_fills = bool(keyed)
        # Pass 1, the trigram index: words of 3+ characters by MATCH; shorter ones anywhere in the matched rows.
        if long_groups and not verbatim_fills and not any_word:
            if any_word:
                match = " OR ".join(_fts_phrase(t) for g in long_groups for t in g.terms if len(t) >= SHORT)
                where, params = "search_fts MATCH ?", (match,)
            else:
                match = " AND ".join(
                    "(" + " OR ".join(_fts_phrase(t) for t in g.terms if len(t) >= SHORT) + ")" for g in long_groups)
                short = [g for g in groups if g not in long_groups]
                where = "search_fts MATCH ?" + "".join(
                    " AND (" + " OR ".join("instr(search_fts.title, ?) > 0 OR instr(search_fts.aliases, ?) > 0 "
                                           "OR instr(search_fts.body, ?) > 0" for _ in g.terms) + ")" for g in short)
                params = (match, *(v for g in short for t in g.terms for v in (t, t, t)))
            key_sql, key_params = self._key_sql(ranking, regions, False, soft)  # body counts would read every matched body
            keyed += self._ranked("FROM search_fts JOIN record r ON r.pk = search_fts.rowid", where, params,
                                  key_sql, key_params, scope_sql, scope_params, limit, any_word)
        # Pass 2, titles and keywords, where short words are seen too.
        # Any word (the last resort) looks at titles and keywords only: a common word matches half of a province's bodies.
        if (any_word or any(len(t) < SHORT for g in groups for t in g.terms)) and not verbatim_fills:
            where = joiner.join(
                "(" + " OR ".join("instr(r.title, ?) > 0 OR instr(r.aliases, ?) > 0" for _ in g.terms) + ")" for g in groups)
            params = tuple(v for g in groups for t in g.terms for v in (t, t))
            key_sql, key_params = self._key_sql(ranking, regions, False, soft)
            keyed += self._ranked("FROM record r", f"({where})", params, key_sql, key_params, scope_sql, scope_params, limit, any_word)
        best: dict[int, tuple[Any, ...]] = {}
        for key in keyed:
            pk = key[-1]
            if pk not in best or _sort_key(key, any_word) < _sort_key(best[pk], any_word):
                best[pk] = key
        chosen = sorted(best.values(), key=lambda key: _sort_key(key, any_word))[:limit]
        return self._details([(key[-1], key[3]) for key in chosen])

    def _ranked(self, select_from: str, where: str, params: tuple[Any, ...], key_sql: str, key_params: tuple[Any, ...],
                scope_sql: str, scope_params: tuple[Any, ...], limit: int, any_word: bool) -> list[tuple[Any, ...]]:
        # Rank on narrow columns only; the record JSON is read afterwards for the few hits shown.
        query = (f"SELECT {key_sql} {select_from} WHERE {where} {scope_sql} "
                 f"ORDER BY pay, boost, {'anyw DESC, ' if any_word else ''}tier, cov DESC, cur DESC, loc, "
                 "CASE WHEN tier <= 1 THEN tlen ELSE 0 END, sdate DESC, pk DESC LIMIT ?")
        return self.store.sql(query, (*key_params, *params, *scope_params, limit * 2))

    def _details(self, ranked: list[tuple[int, int]], match: str = "text") -> list[tuple[Any, ...]]:
        if not ranked:
            return []
        marks = ",".join("?" * len(ranked))
        details = {row[0]: row for row in self.store.sql(
            f"SELECT pk, kind, record_id, title, region, sort_date, data FROM record_full WHERE pk IN ({marks})", [pk for pk, _ in ranked]
        )}
        return [(*details[pk], tier, match) for pk, tier in ranked]

    def _initials_rows(self, letters: str, limit: int, kinds: Sequence[str] | None, now_text: str) -> list[tuple[Any, ...]]:
        sep = ALIAS_SEPARATOR
        tier_sql = (
            "CASE WHEN r.initials = ? OR instr(r.alias_initials, ?) > 0 THEN 0 "
            "WHEN instr(r.initials, ?) = 1 OR instr(r.alias_initials, ?) > 0 THEN 1 ELSE 2 END"
        )
        tier_params = (letters, sep + letters + sep, letters, sep + letters)
        where = "(instr(r.initials, ?) > 0 OR instr(r.alias_initials, ?) > 0)"
        scope_sql, scope_params = self._scope_sql(kinds, now_text)
        locality, locality_params = self._locality_sql()
        ranked = self.store.sql(
            f"SELECT r.pk, {tier_sql} AS tier FROM record r WHERE {where} {scope_sql} "
            f"ORDER BY r.kind = 'subsidy_payment', tier, r.current DESC, {locality}, "
            "CASE WHEN tier <= 1 THEN length(r.title) ELSE 0 END, r.sort_date DESC, r.pk DESC LIMIT ?",
            (*tier_params, letters, letters, *scope_params, *locality_params, limit))
        return self._details([(pk, tier) for pk, tier in ranked], "initials")

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


def _sort_key(key: tuple[Any, ...], any_word: bool) -> tuple[Any, ...]:
    pay, boost, anywhere, tier, coverage, current, locality, length, sort_date, pk = key
    first = (-anywhere,) if any_word else ()
    return (pay, boost, *first, tier, -coverage, -current, locality, length if tier <= 1 else 0,
            _descending(sort_date), -pk)


def _descending(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text)


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
    merged: list[tuple[int, int]] = []  # 做好 + 春播 side by side highlight as 做好春播
    for start, length in sorted(spans):
        if merged and start <= merged[-1][0] + merged[-1][1]:
            last_start, last_length = merged[-1]
            merged[-1] = (last_start, max(last_length, start + length - last_start))
        else:
            merged.append((start, length))
    return merged


_SALUTATION = re.compile(r"^[^。：:\n]{2,60}[：:]\s*")  # 各乡镇人民政府，县直各有关单位：


def _excerpt(body: str, terms: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """A short window of the body around the matched words, with their positions in it.

    The window starts a little before the place where the most different words meet (not simply the first
    hit, which is often the issuer line); with no hit in the body, it skips the salutation that opens most
    documents (各乡镇人民政府，县直各有关单位：) so the excerpt says what the record is about."""
    flat = " ".join(body.split())
    lowered = flat.lower()
    found = sorted((pos, term) for term in terms if term for pos in _positions(lowered, term))
    if found:
        best, best_score = found[0][0], 0
        for pos, _ in found:
            inside = {term for other, term in found if pos <= other < pos + EXCERPT_LENGTH - EXCERPT_BEFORE}
            if len(inside) > best_score:
                best, best_score = pos, len(inside)
        start = max(0, best - EXCERPT_BEFORE)
        boundary = max(flat.rfind(mark, start, best) for mark in "。：:；！？")
        if boundary >= 0:
            start = boundary + 1  # begin with the sentence that holds the words, not the tail of the one before
    else:
        salutation = _SALUTATION.match(flat)
        start = salutation.end() if salutation else 0
    window = flat[start : start + EXCERPT_LENGTH]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + EXCERPT_LENGTH < len(flat) else ""
    excerpt = prefix + window + suffix
    return excerpt, [(s + len(prefix), n) for s, n in _spans(window, terms)]


def _positions(text: str, term: str, limit: int = 20) -> list[int]:
    out: list[int] = []
    at = text.find(term)
    while at >= 0 and len(out) < limit:
        out.append(at)
        at = text.find(term, at + len(term))
    return out
