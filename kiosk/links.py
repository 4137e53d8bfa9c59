"""Where a record leads on to, so no page is a dead end: a catalogue item that names a list, a guide's policies.

A catalogue item such as 补助资金兑付情况 or 村级财务收支明细 *is* a list this terminal shows (the payments,
the 三务公开 boards); its page links there. Which list is read from the item's name by the words the
standard catalogues use for them; an item naming neither links nowhere new. A guide's policies are those
of the life-event entrances that list the guide (the county's own mapping, kiosk/lifeevents.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from kiosk.store import ContentStore

Record = dict[str, Any]

#: Words in a catalogue item's name that make it one of the village boards (checked first: 村干部报酬和补贴发放情况
#: is published on the finance board, not as payments).
BOARD_WORDS = ("财务收支", "村级财务", "村干部报酬", "四议两公开", "党务公开", "村务公开", "财务公开")
#: Words that make it a payment list.
PAYMENT_WORDS = ("兑付", "发放")


def list_named_by(item: Record) -> str | None:
    """"payments" or "boards" when a catalogue item names one of those lists, else None."""
    name = str(item.get("name", ""))
    if any(word in name for word in BOARD_WORDS):
        return "boards"
    if any(word in name for word in PAYMENT_WORDS):
        return "payments"
    return None


def policies_for_guide(store: ContentStore, scope: Sequence[str], guide_id: str) -> list[Record]:
    """The subsidy policies sharing a life-event entrance with this guide, in the entrances' order, once each."""
    where = f"region IN ({','.join('?' * len(scope))})"
    rows = store.sql(
        f"SELECT data FROM record_full WHERE kind = 'life_event' AND deleted = 0 AND {where} "
        "ORDER BY json_extract(data, '$.sort_order'), record_id",
        tuple(scope),
    )
    visible = set(scope)
    ids: dict[str, None] = {}
    for (data,) in rows:
        event = json.loads(data)
        if guide_id in event.get("guide_ids", []):
            ids.update(dict.fromkeys(event.get("policy_ids", [])))
    records = (store.get(record_id) for record_id in ids)
    return [r for r in records if r is not None and r["kind"] == "subsidy_policy" and r["region"] in visible]
