"""Queries behind the browsing screens, as plain data: lists with filters, pages, totals.

Every list is paged (``offset``/``limit``) and counted separately, so a screen can show the
first rows of a 25k-item list at once and fetch more as the person scrolls.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.privacy import COMPOUND_SURNAMES, MASK, mask_payment
from kiosk.records.text import ALIAS_SEPARATOR, utc_text
from kiosk.store import ContentStore

Record = dict[str, Any]

VOCABULARY_LIMIT = 20000  # titles the pinyin keyboard ranks against: the newest, enough for a county, built in about 1 s
HOT_NAME_CHARS = 8  # a hot-search chip longer than this shows the record's popular name instead
HOT_SEARCH_LIMIT = 12


@dataclass(frozen=True)
class DocumentFilter:
    """Filters of the policy library; ``None`` means any."""

    year: int | None = None
    issuer: str | None = None
    level: str | None = None
    validity: str | None = None
    interpreted_only: bool = False


@dataclass(frozen=True)
class PaymentFilter:
    name: str | None = None  # matched against the masked name, e.g. 张*明 or just 张
    policy_id: str | None = None
    year: int | None = None
    surname: str | None = None  # the start of the masked name (王 finds 王* and 王*明, not 李*王); the 按姓氏 picker


def name_pattern(typed: str) -> str:
    """A LIKE pattern that finds typed characters in order in a masked name: 李丽 and 李 both find 李*丽."""
    chars = [ch for ch in typed if not ch.isspace() and ch not in "*＊"]
    escaped = [("\\" + ch) if ch in "%_\\" else ch for ch in chars]
    return "%" + "%".join(escaped) + "%" if escaped else ""


@dataclass(frozen=True)
class PaymentTotals:
    """(payments, sum in fen) of what a filter matches, per 发放状态 (the schema's three).

    Money paid and money still to be paid are never added into one 合计: a list that says
    合计 ¥17,088.00 while ¥1,176 of it is 待发放 tells a villager something that has not happened.
    """

    paid: tuple[int, int] = (0, 0)  # 已发放
    pending: tuple[int, int] = (0, 0)  # 待发放
    returned: tuple[int, int] = (0, 0)  # 退回

    @classmethod
    def of_rows(cls, rows: Sequence[tuple[Any, Any, Any]]) -> PaymentTotals:
        """From (status, count, fen) rows, as ``GROUP BY status`` gives them."""
        sums = {str(status): (int(n), int(fen)) for status, n, fen in rows}
        found = {"paid": (0, 0), "pending": (0, 0), "returned": (0, 0)}
        for status, pair in sums.items():
            if status == "已发放":
                found["paid"] = pair
            elif status == "待发放":
                found["pending"] = pair
            elif status == "退回":
                found["returned"] = pair
        return cls(**found)


@dataclass(frozen=True)
class Page:
    rows: list[Record]
    total: int
    extra: dict[str, Any] = field(default_factory=dict)


class Browser:
    """Read-only views over one terminal's visible content."""

    def __init__(self, store: ContentStore, scope: Sequence[str]) -> None:
        self.store = store
        self.scope = list(scope)

    def _scope(self) -> tuple[str, tuple[str, ...]]:
        return f"region IN ({','.join('?' * len(self.scope))})", tuple(self.scope)

    def _page(self, kind: str, where: list[str], params: list[Any], order: str, offset: int, limit: int) -> Page:
        scope_sql, scope_params = self._scope()
        clauses = " AND ".join(["deleted = 0", "kind = ?", scope_sql, *where])
        all_params = [kind, *scope_params, *params]
        # counting reads the narrow table unless a filter needs the JSON: a 50k-row count stays in the index
        narrow = not any("data" in clause for clause in where)
        total = self.store.sql(f"SELECT COUNT(*) FROM {'record' if narrow else 'record_full'} WHERE {clauses}", all_params)[0][0]
        # sort keys and row ids first, JSON only for the page: sorting 50k rows with their documents attached costs 10×
        sorted_from = "record" if narrow and "data" not in order else "record_full"
        pks = [row[0] for row in self.store.sql(f"SELECT pk FROM {sorted_from} WHERE {clauses} ORDER BY {order} LIMIT ? OFFSET ?",
                                                [*all_params, limit, offset])]
        if not pks:
            return Page([], total)
        data = dict(self.store.sql(f"SELECT pk, data FROM record_data WHERE pk IN ({','.join('?' * len(pks))})", pks))
        return Page([json.loads(data[pk]) for pk in pks], total)

    # -------------------------------------------------------------------- catalogue
    def catalogue_domains(self) -> list[tuple[Record, int]]:
        """Domains in display order, each with how many items it holds."""
        domains = self._page("catalogue_domain", [], [], "json_extract(data, '$.sort_order'), record_id", 0, 1000).rows
        scope_sql, scope_params = self._scope()
        counts = dict(self.store.sql(
            f"SELECT json_extract(data, '$.domain_id'), COUNT(*) FROM record_full WHERE deleted = 0 AND kind = 'catalogue_item' "
            f"AND {scope_sql} GROUP BY 1", scope_params,
        ))
        return [(domain, counts.get(domain["id"], 0)) for domain in domains]

    def catalogue_items(self, domain_id: str, *, offset: int = 0, limit: int = 50) -> Page:
        return self._page("catalogue_item", ["json_extract(data, '$.domain_id') = ?"], [domain_id], "title, record_id", offset, limit)

    # -------------------------------------------------------------------- documents
    def documents(self, filters: DocumentFilter = DocumentFilter(), *, offset: int = 0, limit: int = 50) -> Page:
        where, params = [], []
        if filters.year is not None:
            where.append("substr(sort_date, 1, 4) = ?")
            params.append(f"{filters.year:04d}")
        for column, value in (("issuer", filters.issuer), ("level", filters.level), ("validity", filters.validity)):
            if value:
                where.append(f"json_extract(data, '$.{column}') = ?")
                params.append(value)
        if filters.interpreted_only:
            where.append("json_extract(data, '$.interpretation') IS NOT NULL")
        return self._page("document", where, params, "sort_date DESC, record_id", offset, limit)

    def document_facets(self, names: Sequence[str] = ("year", "issuer", "level", "validity")) -> dict[str, list[tuple[str, int]]]:
        """Values each named filter can take, with counts, most common first (years newest first).

        Ask only for what a screen shows: the year facet reads the narrow table, the others the JSON.
        """
        scope_sql, scope_params = self._scope()
        expressions = {"year": ("record", "substr(sort_date, 1, 4)"), "issuer": ("record_full", "json_extract(data, '$.issuer')"),
                       "level": ("record_full", "json_extract(data, '$.level')"), "validity": ("record_full", "json_extract(data, '$.validity')")}
        facets = {}
        for name in names:
            table, expression = expressions[name]
            order = "1 DESC" if name == "year" else "2 DESC, 1"
            facets[name] = [(str(v), n) for v, n in self.store.sql(
                f"SELECT {expression}, COUNT(*) FROM {table} WHERE deleted = 0 AND kind = 'document' AND {scope_sql} GROUP BY 1 ORDER BY {order}",
                scope_params)]
        return facets

    def linked_documents(self, item: Record) -> list[Record]:
        records = (self.store.get(doc_id) for doc_id in item.get("document_ids", []))
        return [record for record in records if record is not None]

    # -------------------------------------------------------------------- subsidies
    def subsidy_policies(self, *, offset: int = 0, limit: int = 100) -> Page:
        return self._page("subsidy_policy", [], [], "json_extract(data, '$.year') DESC, title", offset, limit)

    def payments(self, village: str, filters: PaymentFilter = PaymentFilter(), *, offset: int = 0, limit: int = 50) -> Page:
        """One village's payments, with the count of everything the filter matches and, in ``extra["totals"]``, the
        count and sum per 发放状态 (:class:`PaymentTotals`): 已发放 and 待发放 are summed apart, never together."""
        where, params = ["region = ?"], [village]
        if filters.name and name_pattern(filters.name):
            where.append("json_extract(data, '$.recipient') LIKE ? ESCAPE '\\'")
            params.append(name_pattern(filters.name))
        if filters.surname:
            where.append("substr(json_extract(data, '$.recipient'), 1, ?) = ?")
            params.extend([len(filters.surname), filters.surname])
        if filters.policy_id:
            where.append("json_extract(data, '$.policy_id') = ?")
            params.append(filters.policy_id)
        if filters.year is not None:
            where.append("substr(json_extract(data, '$.period'), 1, 4) = ?")
            params.append(f"{filters.year:04d}")
        page = self._page("subsidy_payment", where, params, "sort_date DESC, record_id", offset, limit)
        scope_sql, scope_params = self._scope()
        clauses = " AND ".join(["deleted = 0", "kind = 'subsidy_payment'", scope_sql, *where])
        sums = self.store.sql(f"SELECT json_extract(data, '$.status'), COUNT(*), COALESCE(SUM(json_extract(data, '$.amount_fen')), 0) "
                              f"FROM record_full WHERE {clauses} GROUP BY 1", [*scope_params, *params])
        totals = PaymentTotals.of_rows(sums)
        rows = [mask_payment(row) for row in page.rows]  # masked at rest already; masking again costs nothing
        return Page(rows, page.total, {"totals": totals})

    def villages_with(self, kind: str) -> list[tuple[str, int]]:
        """Villages in scope that have records of a village-level kind (payments, boards), with counts."""
        scope_sql, scope_params = self._scope()
        rows = self.store.sql(f"SELECT region, COUNT(*) FROM record_full WHERE deleted = 0 AND kind = ? AND {scope_sql} "
                              "GROUP BY region ORDER BY region", [kind, *scope_params])
        return [(str(region), int(count)) for region, count in rows]

    def starting_village(self, kind: str, home: str) -> tuple[list[str], str]:
        """Villages with this kind of record, and the one to show first: the terminal's own if it has any."""
        villages = [code for code, _count in self.villages_with(kind)]
        return villages, home if home in villages or not villages else villages[0]

    def payment_policies(self, village: str) -> list[tuple[str, str, int]]:
        """(policy id, policy name, payment count) of the policies paid in a village, most payments first."""
        rows = self.store.sql(
            "SELECT json_extract(data, '$.policy_id'), json_extract(data, '$.policy_name'), COUNT(*) FROM record_full "
            "WHERE deleted = 0 AND kind = 'subsidy_payment' AND region = ? GROUP BY 1 ORDER BY 3 DESC, 2", [village],
        )
        return [(str(pid), str(name), int(count)) for pid, name, count in rows]

    def payment_recipients(self, village: str) -> list[str]:
        """The (masked) names on a village's lists: the name keyboard offers their characters first."""
        rows = self.store.sql("SELECT DISTINCT json_extract(data, '$.recipient') FROM record_full "
                              "WHERE deleted = 0 AND kind = 'subsidy_payment' AND region = ?", [village])
        return [str(row[0]) for row in rows]

    def payment_surnames(self, village: str) -> list[tuple[str, int]]:
        """(surname, how many different masked names on the village's lists carry it), most first: the 按姓氏 picker's choices.

        Names are masked (王*, 欧阳*华), and the surname is what masking keeps: two characters for a compound one."""
        counts: dict[str, int] = {}
        for name in self.payment_recipients(village):
            surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]
            if surname and surname != MASK and not surname.isascii():
                counts[surname] = counts.get(surname, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def payment_years(self, village: str) -> list[int]:
        rows = self.store.sql(
            "SELECT DISTINCT substr(json_extract(data, '$.period'), 1, 4) FROM record_full "
            "WHERE deleted = 0 AND kind = 'subsidy_payment' AND region = ? ORDER BY 1 DESC", [village],
        )
        return [int(row[0]) for row in rows if str(row[0]).isdigit()]

    # -------------------------------------------------------------------- boards
    def board_periods(self, village: str, board_type: str) -> list[str]:
        scope_sql, scope_params = self._scope()
        rows = self.store.sql(
            f"SELECT DISTINCT json_extract(data, '$.period') FROM record_full WHERE deleted = 0 AND kind = 'board' AND {scope_sql} "
            "AND region = ? AND json_extract(data, '$.board_type') = ? ORDER BY 1 DESC",
            [*scope_params, village, board_type],
        )
        return [row[0] for row in rows]

    def board(self, village: str, board_type: str, period: str) -> Record | None:
        page = self._page("board", ["region = ?", "json_extract(data, '$.board_type') = ?", "json_extract(data, '$.period') = ?"],
                          [village, board_type, period], "version DESC", 0, 1)
        return page.rows[0] if page.rows else None

    # -------------------------------------------------------------------- guides and notices
    def service_guides(self, audience: str | None = None, *, offset: int = 0, limit: int = 100) -> Page:
        where, params = ([], []) if audience is None else (["json_extract(data, '$.audience') = ?"], [audience])
        return self._page("service_guide", where, params, "json_extract(data, '$.topic'), title", offset, limit)

    def notices(self, now: dt.datetime, *, offset: int = 0, limit: int = 50) -> Page:
        """Notices published and not yet expired at ``now``: urgent first, then newest."""
        instant = utc_text(now)
        return self._page("notice", ["(expires_utc = '' OR expires_utc > ?)", "sort_date <= ?"], [instant, instant],
                          "json_extract(data, '$.priority') = 'urgent' DESC, sort_date DESC, record_id", offset, limit)

    # -------------------------------------------------------------------- search helpers
    def vocabulary(self, limit: int = VOCABULARY_LIMIT) -> list[str]:
        """Titles and popular names of what this terminal shows, newest first: the pinyin keyboard ranks words by them.

        Payments (personal names), regions and terminal profiles are left out: they are not what people type.
        """
        scope_sql, scope_params = self._scope()
        rows = self.store.sql(
            f"SELECT title, aliases FROM record WHERE deleted = 0 AND kind NOT IN ('subsidy_payment', 'region', 'terminal_profile') "
            f"AND {scope_sql} ORDER BY sort_date DESC LIMIT ?", [*scope_params, limit])
        titles = [title for title, _aliases in rows]
        return titles + [alias for _title, aliases in rows for alias in (aliases or "").split(ALIAS_SEPARATOR) if alias]

    def hot_searches(self, limit: int = HOT_SEARCH_LIMIT) -> list[str]:
        """Subsidies and guides, the things people come to ask about: the short name, or the popular one for a long name."""
        scope_sql, scope_params = self._scope()
        rows = self.store.sql(
            f"SELECT title, json_extract(data, '$.keywords[0]') FROM record_full WHERE deleted = 0 "
            f"AND kind IN ('subsidy_policy', 'service_guide') AND {scope_sql} "
            f"ORDER BY kind = 'subsidy_policy' DESC, sort_date DESC, record_id LIMIT ?", [*scope_params, limit])
        return list(dict.fromkeys(str(title if len(title) <= HOT_NAME_CHARS or not keyword else keyword) for title, keyword in rows))

    def sample(self, kind: str, *, with_attachments: bool = False) -> str | None:
        """The id of the newest visible record of ``kind`` (with attachments if asked), for screenshots and the audit."""
        scope_sql, scope_params = self._scope()
        attached = "AND json_extract(data, '$.attachments[0]') IS NOT NULL" if with_attachments else ""
        rows = self.store.sql(
            f"SELECT record_id FROM record_full WHERE deleted = 0 AND kind = ? AND {scope_sql} {attached} "
            f"ORDER BY sort_date DESC, record_id LIMIT 1", [kind, *scope_params])
        return rows[0][0] if rows else None


@dataclass(frozen=True)
class LedgerSummary:
    opening_fen: int
    income_fen: int
    expense_fen: int
    closing_fen: int
    income_by_category: list[tuple[str, int]]
    expense_by_category: list[tuple[str, int]]


def ledger_summary(board: Record) -> LedgerSummary:
    """Totals and per-category sums of a finance board, largest first, for the table and chart."""
    income: dict[str, int] = {}
    expense: dict[str, int] = {}
    for line in board.get("lines", []):
        target = income if line["direction"] == "income" else expense
        target[line["category"]] = target.get(line["category"], 0) + line["amount_fen"]
    return LedgerSummary(
        opening_fen=board["opening_balance_fen"],
        income_fen=sum(income.values()),
        expense_fen=sum(expense.values()),
        closing_fen=board["closing_balance_fen"],
        income_by_category=sorted(income.items(), key=lambda kv: -kv[1]),
        expense_by_category=sorted(expense.items(), key=lambda kv: -kv[1]),
    )
