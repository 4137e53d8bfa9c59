"""Life-event entrances as plain data: what home shows (养老 · 低保/救助 · …) and what one entrance gathers.

The mapping is content, not code: the county publishes ``life_event`` records (kiosk/records/schema.py)
naming the policies, guides and documents that belong to one moment in a person's life, so the county
edits it without a new terminal program. What an entrance names but this terminal does not hold (a
record withdrawn, or outside its region) is left out; an entrance that gathers nothing still opens and
says why (ui/lifeevents.py). The payments are this village's own, counted per policy of the entrance,
so 农业补贴 leads straight on to 耕地地力保护补贴 as paid here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.store import ContentStore

Record = dict[str, Any]


@dataclass(frozen=True)
class Entrance:
    record_id: str
    title: str
    icon: str  # one of kiosk.records.schema.LIFE_EVENT_ICONS
    summary: str


@dataclass(frozen=True)
class VillagePayments:
    """One policy's payments in one village: the way to "did my money arrive"."""

    policy_id: str
    policy_name: str
    count: int


@dataclass(frozen=True)
class EventContents:
    event: Record
    policies: list[Record] = field(default_factory=list)
    guides: list[Record] = field(default_factory=list)
    documents: list[Record] = field(default_factory=list)
    payments: list[VillagePayments] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.policies or self.guides or self.documents)


def _in_scope(scope: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    return f"region IN ({','.join('?' * len(scope))})", tuple(scope)


def entrances(store: ContentStore, scope: Sequence[str]) -> list[Entrance]:
    """The entrances this terminal shows, in their published order (a village's own may add to the county's)."""
    where, params = _in_scope(scope)
    rows = store.sql(
        f"SELECT data FROM record_full WHERE kind = 'life_event' AND deleted = 0 AND {where} "
        "ORDER BY json_extract(data, '$.sort_order'), record_id",
        params,
    )
    out = []
    for (data,) in rows:
        record = json.loads(data)
        out.append(Entrance(record["id"], record["title"], record["icon"], record.get("summary", "")))
    return out


def village_payments(store: ContentStore, village: str, policy_ids: Sequence[str]) -> list[VillagePayments]:
    """How many payments of each of ``policy_ids`` this village has (policies with none are left out), in that order."""
    if not policy_ids:
        return []
    rows = store.sql(
        "SELECT json_extract(data, '$.policy_id'), json_extract(data, '$.policy_name'), COUNT(*) FROM record_full "
        f"WHERE deleted = 0 AND kind = 'subsidy_payment' AND region = ? AND json_extract(data, '$.policy_id') IN "
        f"({','.join('?' * len(policy_ids))}) GROUP BY 1",
        (village, *policy_ids),
    )
    found = {str(pid): VillagePayments(str(pid), str(name), int(count)) for pid, name, count in rows}
    return [found[pid] for pid in policy_ids if pid in found]


def contents(store: ContentStore, scope: Sequence[str], event: Record, village: str) -> EventContents:
    """What an entrance gathers that this terminal holds, and this village's payments of its policies."""
    visible = set(scope)

    def held(ids: Sequence[str], kind: str) -> list[Record]:
        records = (store.get(record_id) for record_id in dict.fromkeys(ids))
        return [r for r in records if r is not None and r["kind"] == kind and r["region"] in visible]

    policies = held(event.get("policy_ids", []), "subsidy_policy")
    return EventContents(
        event=event,
        policies=policies,
        guides=held(event.get("guide_ids", []), "service_guide"),
        documents=held(event.get("document_ids", []), "document"),
        payments=village_payments(store, village, [p["id"] for p in policies]),
    )
