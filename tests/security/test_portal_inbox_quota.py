"""Issue 12, item 15: one terminal's token can't flood the inbox: per-terminal item and byte quotas, 429 + Retry-After.

Attack, from a rogue enrolled terminal (or a stolen token): before the fix 400 items of 250 KiB
were stored at 60–95 MB/s. The sender in sync/sender.py already treats 429 as "the portal is busy"
and waits at least Retry-After, so an honest terminal with a backlog simply delivers it later.
"""

from __future__ import annotations

import time

import requests

from tests.security.conftest import ServedPortal, bearer

STAMP = "2026-11-21T10:32:00+08:00"
ITEM_CHARS = 250 * 1024 - 200  # a 250 KiB body, just under the 256 KiB limit
MAX_ATTACK_ITEMS = 100  # 25 MB: the attack gives up here either way
BYTE_QUOTA = 4 * 1024 * 1024  # the portal's default: 4 MiB an hour per terminal
ITEM_BURST = 120  # the portal's default: 60 a minute, 120 at once


def post(served: ServedPortal, token: str, key: str, note: str) -> requests.Response:
    return requests.post(f"{served.base_url}/api/v1/inbox",
                         json={"kind": "rating", "created_at": STAMP, "payload": {"note": note}},
                         headers={**bearer(token), "Idempotency-Key": key}, timeout=30)


def test_big_items_from_one_token_get_429_after_the_byte_quota(served_portal: ServedPortal) -> None:
    rogue, honest = served_portal.enroll("rogue"), served_portal.enroll("honest")
    stored_bytes, statuses = 0, []
    started = time.monotonic()
    with requests.Session() as session:
        for i in range(MAX_ATTACK_ITEMS):
            body = {"kind": "rating", "created_at": STAMP, "payload": {"note": "x" * ITEM_CHARS}}
            response = session.post(f"{served_portal.base_url}/api/v1/inbox", json=body,
                                    headers={**bearer(rogue["token"]), "Idempotency-Key": f"big-{i}"}, timeout=30)
            statuses.append(response.status_code)
            if response.status_code != 201:
                break
            stored_bytes += ITEM_CHARS
    elapsed = time.monotonic() - started
    print(f"stored {statuses.count(201)} items, {stored_bytes / 2**20:.1f} MiB in {elapsed:.2f} s "
          f"({stored_bytes / 2**20 / elapsed:.0f} MiB/s) before {statuses[-1]}")
    assert statuses[-1] == 429, f"expected 429 within {MAX_ATTACK_ITEMS} items of 250 KiB (found {statuses.count(201)} stored, no 429)"
    assert stored_bytes <= BYTE_QUOTA, f"stored {stored_bytes} bytes before the 429 (expected at most {BYTE_QUOTA})"
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert "quota" in response.json()["error"] and response.json()["error_zh"]
    # The quota is per terminal: the honest one next door is not held back.
    assert post(served_portal, honest["token"], "ok-1", "好").status_code == 201


def test_many_small_items_from_one_token_get_429_after_the_item_burst(served_portal: ServedPortal) -> None:
    rogue = served_portal.enroll("rogue")
    statuses = []
    with requests.Session() as session:
        for i in range(ITEM_BURST + 80):
            response = session.post(f"{served_portal.base_url}/api/v1/inbox",
                                    json={"kind": "rating", "created_at": STAMP, "payload": {"stars": 5}},
                                    headers={**bearer(rogue["token"]), "Idempotency-Key": f"small-{i}"}, timeout=30)
            statuses.append(response.status_code)
            if response.status_code == 429:
                break
    assert statuses[-1] == 429, f"expected 429 within {len(statuses)} small items (found {statuses.count(201)} stored)"
    assert ITEM_BURST <= statuses.count(201) <= ITEM_BURST + 10, statuses.count(201)
    assert 0 < int(response.headers["Retry-After"]) <= 60
