"""Issue 14, item 3: a rogue terminal cannot flood or break the county's list of searches that found nothing.

Attack, from a rogue enrolled terminal: a usage item with thousands of zero-result entries, huge or
control-character queries, negative or absurd counts, a personal number the terminal should have
dropped, or entries of the wrong shape. Before this change the portal stored any usage payload as it
came; `kiosk-portal zero-results` (which adds them up across terminals) would have ranked whatever a
rogue terminal sent. Now such an item is refused with 400 naming the field, and the listing survives
unreadable items an older portal stored.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests

from kiosk.protocol import ZERO_RESULT_QUERY_CHARS, ZERO_RESULTS_PER_ITEM
from tests.security.conftest import ServedPortal, bearer

STAMP = "2026-11-21T10:32:00+08:00"
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m\x7f\u202e"
CONTROL_CHARS = ("\x1b", "\x07", "\x9b", "\x7f", "\u202e")


def usage(served: ServedPortal, token: str, key: str, payload: object) -> requests.Response:
    return requests.post(f"{served.base_url}/api/v1/inbox", json={"kind": "usage", "created_at": STAMP, "payload": payload},
                         headers={**bearer(token), "Idempotency-Key": key}, timeout=10)


def entry(query: object = "临时救助", searches: object = 1) -> dict[str, object]:
    return {"query": query, "searches": searches}


@pytest.mark.parametrize("zero_results", [
    [entry(f"词{n}") for n in range(ZERO_RESULTS_PER_ITEM + 1)],  # a flood
    [entry("补" * (ZERO_RESULT_QUERY_CHARS + 1))],
    [entry("低保" + HOSTILE)],
    [entry("")],
    [entry("临时救助"), entry("临时救助")],
    [entry(searches=-1)],
    [entry(searches=0)],
    [entry(searches=10**12)],
    [entry(searches=True)],
    [entry(searches="many")],
    [entry(query=["a", "list"])],
    [entry("430521198001011234")],
    [{"query": "临时救助"}],
    [{**entry(), "extra": "x" * 1000}],
    ["临时救助"],
    {"临时救助": 1},
    "临时救助",
], ids=lambda value: repr(value)[:40])
def test_a_bad_zero_result_item_is_400_and_stores_nothing(served_portal: ServedPortal, zero_results: object) -> None:
    terminal = served_portal.enroll()
    payload = {"terminal_id": terminal["terminal_id"], "day": "2026-11-20", "prints": [], "pages_printed": 0, "zero_results": zero_results}
    response = usage(served_portal, terminal["token"], "usage-bad", payload)
    assert response.status_code == 400, f"expected 400 (found {response.status_code}: {response.text[:200]})"
    assert "payload.zero_results" in response.json()["error"]
    assert "430521198001011234" not in response.text
    listed = served_portal.cli("zero-results", "--json")
    assert json.loads(listed.stdout) == []


def test_an_item_for_another_terminal_or_day_of_the_wrong_shape_is_400(served_portal: ServedPortal) -> None:
    terminal = served_portal.enroll()
    assert usage(served_portal, terminal["token"], "u-1", {"terminal_id": "someone-else", "zero_results": [entry()]}).status_code == 400
    assert usage(served_portal, terminal["token"], "u-2", {"day": {"x": 1}, "zero_results": [entry()]}).status_code == 400


def test_the_listing_survives_unreadable_stored_items_and_strips_control_characters(served_portal: ServedPortal) -> None:
    terminal = served_portal.enroll()
    good = {"terminal_id": terminal["terminal_id"], "day": "2026-11-20", "zero_results": [entry("临时救助", 3)]}
    assert usage(served_portal, terminal["token"], "u-good", good).status_code == 201
    stored = ["not json", '"a string"', "[1, 2]", json.dumps({"zero_results": "x"}), json.dumps({"zero_results": [{"query": 5}]}),
              json.dumps({"zero_results": [entry("残疾" + HOSTILE, 2)]})]
    with sqlite3.connect(served_portal.state_dir / "portal.sqlite") as raw:  # as an older portal (or a hand edit) may have left them
        for number, text in enumerate(stored):
            raw.execute("INSERT INTO inbox_item (terminal_id, key, kind, body_sha256, payload, sealed, created_at, received_at) "
                        "SELECT terminal_id, ?, 'usage', 'x', ?, NULL, ?, received_at FROM inbox_item WHERE key = 'u-good'",
                        (f"old-{number}", text, STAMP))
    for args in (("zero-results",), ("zero-results", "--json")):
        shown = served_portal.cli(*args, check=False)
        assert shown.returncode == 0, f"kiosk-portal {' '.join(args)} exited {shown.returncode}: {shown.stderr[-500:]}"
        assert "临时救助" in shown.stdout and "残疾" in shown.stdout
        found = [repr(ch) for ch in CONTROL_CHARS if ch in shown.stdout]
        assert not found, f"kiosk-portal {' '.join(args)} printed control characters {found}"
        assert "skipped 5 usage report(s)" in shown.stderr
