"""Terminal ↔ portal API (docs/PROTOCOL.md) against a real waitress server and SQLite file."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.portal.models import utcnow
from tests.portal.conftest import VILLAGE, PortalServer, bearer, start_portal, write_feed

STAMP = "2026-11-21T09:00:00+08:00"


def post_item(portal: PortalServer, token: str, key: str, body: Any, **kwargs: Any) -> requests.Response:
    return requests.post(f"{portal.base_url}/api/v1/inbox", json=body, headers={**bearer(token), "Idempotency-Key": key}, timeout=15, **kwargs)


def rating(stars: int = 5) -> dict[str, Any]:
    return {"kind": "rating", "created_at": STAMP, "payload": {"stars": stars, "screen": "documents"}, "sealed": None}


def assert_error(response: requests.Response, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "error_zh"} and body["error_zh"]
    for word in words:
        assert word in body["error"]
    return body


# ---------------------------------------------------------------- enrolment


def test_a_good_code_enrols_a_terminal_with_everything_it_needs(portal_server: PortalServer) -> None:
    write_feed(portal_server.feed_dir, 1, {})
    code = portal_server.issue_code(name="青山村村委会大厅")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code)
    typed = code.lower().replace("-", " ")  # what someone types on a touch keyboard still works
    response = requests.post(f"{portal_server.base_url}/api/v1/enroll", json={"code": typed}, timeout=10)
    assert response.status_code == 201, response.text
    data = response.json()
    assert re.fullmatch(r"t-[0-9a-f]{10}", data["terminal_id"])
    assert data["region"] == VILLAGE and data["name"] == "青山村村委会大厅"
    assert len(data["token"]) >= 40
    assert data["feed_url"] == portal_server.base_url + "/feed/"
    assert data["root"] == {"signatures": [], "signed": {"_type": "root", "version": 1}}
    key_file = (portal_server.state_dir / "portal_box.key")
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(base64.b64decode(data["portal_public_key"])) == 32
    # The token is stored only as its sha256.
    with sqlite3.connect(portal_server.state_dir / "portal.sqlite") as raw:
        dump = "\n".join(raw.iterdump())
    assert data["token"] not in dump and code.replace("-", "") not in dump
    whoami = requests.get(f"{portal_server.base_url}/api/v1/whoami", headers=bearer(data["token"]), timeout=10)
    assert whoami.json() == {"terminal_id": data["terminal_id"], "region": VILLAGE, "name": "青山村村委会大厅"}


def test_root_is_null_before_the_feed_is_published(portal_server: PortalServer) -> None:
    assert portal_server.enroll()["root"] is None


def test_a_code_works_once(portal_server: PortalServer) -> None:
    code = portal_server.issue_code()
    first = requests.post(f"{portal_server.base_url}/api/v1/enroll", json={"code": code}, timeout=10)
    assert first.status_code == 201
    again = requests.post(f"{portal_server.base_url}/api/v1/enroll", json={"code": code}, timeout=10)
    assert_error(again, 403, "enrolment code")


def test_an_expired_or_unknown_code_is_refused(portal_server: PortalServer) -> None:
    code = portal_server.issue_code(valid_hours=1)
    Code = portal_server.db.EnrolmentCode
    Code.update(expires_at=utcnow() - timedelta(seconds=1)).execute()  # an hour has passed
    assert_error(requests.post(f"{portal_server.base_url}/api/v1/enroll", json={"code": code}, timeout=10), 403)
    assert_error(requests.post(f"{portal_server.base_url}/api/v1/enroll", json={"code": "AAAA-BBBB"}, timeout=10), 403)
    assert_error(requests.post(f"{portal_server.base_url}/api/v1/enroll", json={"name": "x"}, timeout=10), 400, "'code'")
    assert Code.get().used_by is None


def test_concurrent_enrolments_with_one_code_make_one_terminal(portal_server: PortalServer) -> None:
    code = portal_server.issue_code()
    barrier, statuses = threading.Barrier(8), []

    def enrol() -> None:
        barrier.wait(timeout=10)
        statuses.append(requests.post(f"{portal_server.base_url}/api/v1/enroll", json={"code": code}, timeout=15).status_code)

    threads = [threading.Thread(target=enrol) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [201] + [403] * 7
    assert portal_server.db.Terminal.select().count() == 1


# ---------------------------------------------------------------- auth


def test_calls_without_a_valid_token_are_refused(portal_server: PortalServer) -> None:
    url = f"{portal_server.base_url}/api/v1/whoami"
    no_token = requests.get(url, timeout=10)
    assert_error(no_token, 401)
    assert no_token.headers["WWW-Authenticate"] == "Bearer"
    assert_error(requests.get(url, headers=bearer("not-a-token"), timeout=10), 401)
    assert_error(requests.get(url, headers={"Authorization": "Basic abc"}, timeout=10), 401)
    assert_error(post_item(portal_server, "not-a-token", "k1", rating()), 401)


def test_a_revoked_terminal_is_refused(portal_server: PortalServer) -> None:
    terminal = portal_server.enroll()
    assert post_item(portal_server, terminal["token"], "k1", rating()).status_code == 201
    portal_server.cli("revoke", terminal["terminal_id"])
    assert_error(post_item(portal_server, terminal["token"], "k2", rating()), 403, "revoked")
    assert_error(requests.get(f"{portal_server.base_url}/api/v1/whoami", headers=bearer(terminal["token"]), timeout=10), 403)


def test_a_terminal_cannot_act_as_another(portal_server: PortalServer) -> None:
    alice, bob = portal_server.enroll(name="甲"), portal_server.enroll(name="乙")
    # Keys are per terminal: the same key from two terminals is two items.
    assert post_item(portal_server, alice["token"], "same-key", rating(5)).status_code == 201
    assert post_item(portal_server, bob["token"], "same-key", rating(1)).status_code == 201
    # A heartbeat naming another terminal is refused, and the other terminal's row is untouched.
    forged = {"kind": "heartbeat", "created_at": STAMP, "payload": {"terminal_id": bob["terminal_id"], "generations": {}}, "sealed": None}
    assert_error(post_item(portal_server, alice["token"], "hb-1", forged), 400, "payload.terminal_id")
    Item, Terminal = portal_server.db.InboxItem, portal_server.db.Terminal
    owners = {(item.terminal_id, json.loads(item.payload)["stars"]) for item in Item.select()}
    assert owners == {(alice["terminal_id"], 5), (bob["terminal_id"], 1)}
    assert Terminal.get_by_id(bob["terminal_id"]).last_heartbeat_at is None


# ---------------------------------------------------------------- inbox


def test_an_item_is_stored_once_and_a_retry_is_a_duplicate(portal_server: PortalServer) -> None:
    token = portal_server.enroll()["token"]
    first = post_item(portal_server, token, "rating:0001", rating())
    assert (first.status_code, first.json()) == (201, {"status": "stored"})
    again = post_item(portal_server, token, "rating:0001", rating())
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    # The same body with other key order and spacing is the same body.
    text = json.dumps(dict(reversed(list(rating().items()))), indent=3)
    reordered = requests.post(f"{portal_server.base_url}/api/v1/inbox", data=text.encode(),
                              headers={**bearer(token), "Idempotency-Key": "rating:0001", "Content-Type": "application/json"}, timeout=10)
    assert reordered.status_code == 200
    assert portal_server.db.InboxItem.select().count() == 1


def test_a_reused_key_with_a_different_body_is_a_conflict(portal_server: PortalServer) -> None:
    token = portal_server.enroll()["token"]
    assert post_item(portal_server, token, "k-1", rating(5)).status_code == 201
    assert_error(post_item(portal_server, token, "k-1", rating(4)), 409, "k-1")
    assert json.loads(portal_server.db.InboxItem.get().payload)["stars"] == 5


BAD_BODIES = [
    ([1, 2], "JSON object"),
    ({**rating(), "kind": "complaint"}, "'kind'"),
    ({k: v for k, v in rating().items() if k != "kind"}, "'kind'"),
    ({**rating(), "created_at": "yesterday"}, "'created_at'"),
    ({**rating(), "created_at": "2026-11-21T09:00:00"}, "'created_at'"),  # no UTC offset
    ({**rating(), "payload": [1]}, "'payload'"),
    ({**rating(), "payload": None}, "'payload' or 'sealed'"),
    ({**rating(), "sealed": "not base64!"}, "'sealed'"),
    ({**rating(), "sealed": base64.b64encode(b"short").decode()}, "'sealed'"),
    ({**rating(), "terminal_id": "t-0000000000"}, "'terminal_id'"),
    ({"kind": "request", "created_at": STAMP, "payload": {"name": "张三"}, "sealed": None}, "'sealed'"),
    ({"kind": "heartbeat", "created_at": STAMP, "payload": None, "sealed": base64.b64encode(bytes(64)).decode()}, "'payload'"),
    ({"kind": "heartbeat", "created_at": STAMP, "payload": {"generations": {"990121000000": "7"}}, "sealed": None}, "'payload.generations'"),
]


@pytest.mark.parametrize(("body", "named"), BAD_BODIES, ids=[named for _, named in BAD_BODIES])
def test_a_malformed_body_is_a_400_naming_the_field(portal_server: PortalServer, body: Any, named: str) -> None:
    token = portal_server.enroll()["token"]
    assert_error(post_item(portal_server, token, "k", body), 400, named)
    assert portal_server.db.InboxItem.select().count() == 0


def test_bad_json_and_bad_keys_are_400(portal_server: PortalServer) -> None:
    token = portal_server.enroll()["token"]
    url = f"{portal_server.base_url}/api/v1/inbox"
    assert_error(requests.post(url, data=b"{not json", headers={**bearer(token), "Idempotency-Key": "k"}, timeout=10), 400, "JSON")
    assert_error(requests.post(url, data="{}".encode("utf-16"), headers={**bearer(token), "Idempotency-Key": "k"}, timeout=10), 400, "UTF-8")
    for key in (None, "", "has space", "x" * 129, "斜杠"):
        headers = bearer(token) if key is None else {**bearer(token), "Idempotency-Key": key.encode().decode("latin-1")}
        assert_error(requests.post(url, json=rating(), headers=headers, timeout=10), 400, "Idempotency-Key")
    assert post_item(portal_server, token, "A-z_0.9:" + "x" * 120, rating()).status_code == 201


def test_a_body_over_256_kib_is_413(portal_server: PortalServer) -> None:
    token = portal_server.enroll()["token"]
    for key, chars, status in (("big", 90_000, 413), ("fits", 80_000, 201)):  # 270 KB and 240 KB of UTF-8
        body = json.dumps({**rating(), "payload": {"text": "字" * chars}}, ensure_ascii=False).encode()
        response = requests.post(f"{portal_server.base_url}/api/v1/inbox", data=body, timeout=10,
                                 headers={**bearer(token), "Idempotency-Key": key, "Content-Type": "application/json"})
        assert response.status_code == status, response.text
    assert_error(response_for_big := requests.post(f"{portal_server.base_url}/api/v1/inbox", data=b"x" * 300_000, timeout=10,
                                                   headers={**bearer(token), "Idempotency-Key": "big"}), 413, "256 KiB")
    assert response_for_big.headers["Content-Type"] == "application/json"


def test_twenty_concurrent_posts_of_one_key_store_one_row(portal_server: PortalServer) -> None:
    token = portal_server.enroll()["token"]
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        with requests.Session() as session:
            barrier.wait(timeout=10)
            response = session.post(f"{portal_server.base_url}/api/v1/inbox", json=rating(),
                                    headers={**bearer(token), "Idempotency-Key": "race"}, timeout=30)
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] * 19 + [201]
    assert portal_server.db.InboxItem.select().where(portal_server.db.InboxItem.key == "race").count() == 1


def test_a_locked_database_answers_503_with_retry_after(tmp_path: Path) -> None:
    portal, server = start_portal(tmp_path, db_query="?timeout=0.3")
    try:
        token = portal.enroll()["token"]
        holder = sqlite3.connect(portal.state_dir / "portal.sqlite", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # a long write elsewhere (a backup, a staff script)
        try:
            busy = post_item(portal, token, "k", rating())
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert_error(busy, 503)
        assert busy.headers["Retry-After"].isdigit()
        assert post_item(portal, token, "k", rating()).status_code == 201  # the terminal's retry goes through
    finally:
        server.stop()
        portal.db.close()


def test_unknown_api_paths_and_methods_answer_json(portal_server: PortalServer) -> None:
    assert_error(requests.get(f"{portal_server.base_url}/api/v1/nothing", timeout=10), 404)
    assert_error(requests.get(f"{portal_server.base_url}/api/v1/inbox", timeout=10), 405)
    health = requests.get(f"{portal_server.base_url}/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_names_with_control_characters_or_too_long_are_refused(portal_server) -> None:
    import requests

    with pytest.raises(ValueError, match="200 characters"):
        portal_server.issue_code(name="村" * 201)
    result = portal_server.cli("enroll-code", "--region", "990121101201", "--name", "村" * 201, "--feed", str(portal_server.feed_dir),
                               check=False)
    assert result.returncode == 2 and "200 characters" in result.stderr
    answer = requests.post(f"{portal_server.base_url}/api/v1/enroll", json={"code": "ABCD-EFGH", "name": "村委\u0000会"}, timeout=10)
    assert answer.status_code == 400 and "name" in answer.json()["error"]
