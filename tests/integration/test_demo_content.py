"""The bundled demo county is rich enough to exercise every screen, and it is valid."""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict

import pytest

from kiosk import regions
from kiosk.records.files import read_records
from kiosk.records.validate import check_batch
from kiosk.terminal import DEMO_RECORDS, Terminal

SEVEN_PUBLIC_FIELDS = ("name", "basis", "department", "purpose", "target", "standard", "phone")


def demo_records() -> list[dict]:
    return check_batch(read_records(DEMO_RECORDS))


def test_demo_meets_the_promised_sizes() -> None:
    records = demo_records()
    kinds = Counter(r["kind"] for r in records)
    assert kinds["catalogue_domain"] >= 26
    assert kinds["catalogue_item"] >= 150
    assert kinds["document"] >= 300
    assert kinds["subsidy_policy"] >= 12
    assert kinds["service_guide"] >= 40
    assert kinds["notice"] >= 3
    domains_used = {r["domain_id"] for r in records if r["kind"] == "catalogue_item"}
    assert len(domains_used) >= 26


def test_documents_have_the_variety_screens_need() -> None:
    documents = [r for r in demo_records() if r["kind"] == "document"]
    validity = Counter(d["validity"] for d in documents)
    assert validity["已废止"] >= 5 and validity["已修改"] >= 5
    interpreted = [d for d in documents if d.get("interpretation")]
    assert len(interpreted) >= 100
    assert all(d["interpretation"]["interpreter"] and d["interpretation"]["interpreter_phone"] for d in interpreted)
    assert any(d["interpretation"].get("qa") for d in interpreted)
    assert not any(d["title"].startswith("耕地") for d in documents)


def test_subsidy_policies_publish_all_seven_fields() -> None:
    policies = [r for r in demo_records() if r["kind"] == "subsidy_policy"]
    for policy in policies:
        assert all(str(policy[field]).strip() for field in SEVEN_PUBLIC_FIELDS), policy["id"]
    names = {p["name"] for p in policies}
    assert "耕地地力保护补贴" in names and any("低保" in n or "最低生活保障" in n for n in names)


def test_payments_and_boards_cover_several_villages_and_quarters() -> None:
    records = demo_records()
    payment_villages = {r["region"] for r in records if r["kind"] == "subsidy_payment"}
    assert len(payment_villages) >= 3
    boards: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in records:
        if r["kind"] == "board":
            assert regions.level_of(r["region"]) == "village"
            boards[r["region"]].add((r["board_type"], r["period"]))
    full = [village for village, seen in boards.items() if len({p for _, p in seen}) >= 4 and {t for t, _ in seen} == {"party", "village", "finance"}]
    assert len(full) >= 3


def test_finance_ledgers_chain_from_quarter_to_quarter() -> None:
    finance = sorted((r for r in demo_records() if r["kind"] == "board" and r["board_type"] == "finance"),
                     key=lambda r: (r["region"], r["period"]))
    by_village: dict[str, list[dict]] = defaultdict(list)
    for board in finance:
        by_village[board["region"]].append(board)
    for boards in by_village.values():
        for earlier, later in itertools.pairwise(boards):
            assert later["opening_balance_fen"] == earlier["closing_balance_fen"], later["id"]


@pytest.mark.clock
def test_one_notice_is_expired_and_one_is_urgent_and_current(demo_terminal: Terminal) -> None:
    notices = [r for r in demo_records() if r["kind"] == "notice"]
    visible = demo_terminal.store.counts_by_kind(demo_terminal.scope())["notice"]
    assert visible < len(notices)  # at least one expired
    assert any(n["priority"] == "urgent" and n["expire_at"] > "2026-12" for n in notices)


def test_demo_payments_with_leaked_numbers_are_masked_once_stored(demo_terminal: Terminal) -> None:
    raw = "\n".join(json.dumps(r, ensure_ascii=False) for r in demo_records() if r["kind"] == "subsidy_payment")
    stored = "\n".join(row[0] for row in demo_terminal.store.sql("SELECT data FROM record_full WHERE kind = 'subsidy_payment'"))
    import re

    leaked = re.findall(r"\d{15,19}|1[3-9]\d{9}", raw)
    assert leaked, "the demo should contain a few leaked numbers to prove masking"
    for number in leaked:
        assert number not in stored
