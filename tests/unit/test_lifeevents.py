"""life_event records: what the schema and the region rule accept, and what an entrance gathers on a terminal."""

from __future__ import annotations

from kiosk.lifeevents import contents, entrances
from kiosk.links import list_named_by, policies_for_guide
from kiosk.records.validate import problems_of
from kiosk.terminal import Terminal
from tests.helpers.records import COUNTY, OTHER_VILLAGE, STAMP, VILLAGE, make


def life_event(record_id: str = "life-990121-relief", region: str = COUNTY, **fields: object) -> dict:
    return {"id": record_id, "kind": "life_event", "version": 1, "region": region, "updated_at": STAMP,
            "title": "低保/救助", "icon": "relief", "sort_order": 20, **fields}


def test_a_county_life_event_is_valid_and_a_village_one_is_refused() -> None:
    assert problems_of(life_event(policy_ids=["pol-1"], guide_ids=["guide-1"])) == []
    problems = problems_of(life_event(region=VILLAGE))
    assert [(p.field, p.expected) for p in problems] == [("region", "a county-level (or higher) code for a life_event")]
    assert f"{VILLAGE} (village)" in str(problems[0])


def test_an_unknown_icon_and_a_missing_title_are_refused_by_field() -> None:
    assert [p.field for p in problems_of(life_event(icon="rocket"))] == ["icon"]
    record = life_event()
    del record["title"]
    assert any("title" in str(p) for p in problems_of(record))


def test_an_entrance_gathers_only_what_the_terminal_shows(terminal: Terminal) -> None:
    here = make("subsidy_payment", "pay-here", policy_id="pol-1")
    elsewhere = make("subsidy_payment", "pay-elsewhere", policy_id="pol-1", region=OTHER_VILLAGE)
    guide = make("service_guide", "guide-1")
    event = life_event(policy_ids=["pol-1", "pol-missing", "guide-1"], guide_ids=["guide-1", "pol-1"])
    terminal.store.apply([make("subsidy_policy", "pol-1"), guide, here, elsewhere, event,
                          life_event("life-990121-school", title="上学", icon="school", sort_order=5)])
    shown = entrances(terminal.store, terminal.scope())
    assert [e.title for e in shown] == ["上学", "低保/救助"]  # by sort_order
    got = contents(terminal.store, terminal.scope(), event, VILLAGE)
    assert [p["id"] for p in got.policies] == ["pol-1"]  # missing ids and records of the wrong kind left out
    assert [g["id"] for g in got.guides] == ["guide-1"]
    assert [(p.policy_id, p.count) for p in got.payments] == [("pol-1", 1)]  # this village's only
    assert [p["id"] for p in policies_for_guide(terminal.store, terminal.scope(), "guide-1")] == ["pol-1"]
    assert contents(terminal.store, terminal.scope(), life_event(), VILLAGE).empty


def test_which_catalogue_items_name_a_list() -> None:
    assert list_named_by({"name": "补助资金兑付情况"}) == "payments"
    assert list_named_by({"name": "低保资金发放情况"}) == "payments"
    assert list_named_by({"name": "村干部报酬和补贴发放情况"}) == "boards"
    assert list_named_by({"name": "村级财务收支明细"}) == "boards"
    assert list_named_by({"name": "政府预算"}) is None
