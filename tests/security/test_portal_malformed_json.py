"""Issue 12, item 17: malformed JSON is a 400 with a message, never a 500, and nesting depth is bounded.

Attack, unauthenticated: deeply nested arrays (json.loads recursed until RecursionError, a 500
with a traceback in the log), and lone UTF-16 surrogates written as `\\ud800` escapes (valid JSON
syntax, but not text: hashing or storing the string raised UnicodeEncodeError, another 500).
"""

from __future__ import annotations

import pytest
import requests

from tests.security.conftest import ServedPortal, bearer

DEEP = 100_000  # 200 KB of brackets: under the body limit, far over any real nesting


def post(served: ServedPortal, path: str, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(f"{served.base_url}{path}", data=body, headers={"Content-Type": "application/json", **(headers or {})}, timeout=30)


@pytest.mark.parametrize("body", [
    b"[" * DEEP + b"]" * DEEP,
    b'{"code": ' + b'{"a": ' * 30_000 + b"1" + b"}" * 30_000 + b"}",
    b'{"code": "ABCD-EFGH-\\ud800"}',
    b'{"code": "ABCD", "name": "\\udfff"}',
    b'{"\\ud83d": 1}',
], ids=["deep-arrays", "deep-objects", "lone-high-surrogate", "lone-low-surrogate", "surrogate-key"])
def test_malformed_json_on_enroll_is_400_with_a_message(served_portal: ServedPortal, body: bytes) -> None:
    response = post(served_portal, "/api/v1/enroll", body)
    assert response.status_code == 400, f"expected 400 (found {response.status_code}: {response.text[:200]})"
    data = response.json()
    assert data["error"] and data["error_zh"]
    assert "Traceback" not in served_portal.log() and "RecursionError" not in served_portal.log()


def test_malformed_json_on_the_inbox_is_400(served_portal: ServedPortal) -> None:
    token = served_portal.enroll()["token"]
    headers = {**bearer(token), "Idempotency-Key": "k-1"}
    deep = post(served_portal, "/api/v1/inbox", b"[" * DEEP + b"]" * DEEP, headers)
    assert deep.status_code == 400, deep.text[:200]
    assert "nest" in deep.json()["error"]
    surrogate = post(served_portal, "/api/v1/inbox",
                     b'{"kind": "rating", "created_at": "2026-11-21T10:32:00+08:00", "payload": {"note": "\\ud800"}}', headers)
    assert surrogate.status_code == 400, surrogate.text[:200]
    assert "surrogate" in surrogate.json()["error"]
    assert "Traceback" not in served_portal.log()


def test_reasonable_nesting_still_works(served_portal: ServedPortal) -> None:
    token = served_portal.enroll()["token"]
    payload = {"a": {"b": {"c": {"d": [[[1]]]}}}, "emoji": "\U0001f600 是"}
    response = requests.post(f"{served_portal.base_url}/api/v1/inbox",
                             json={"kind": "rating", "created_at": "2026-11-21T10:32:00+08:00", "payload": payload},
                             headers={**bearer(token), "Idempotency-Key": "k-ok"}, timeout=10)
    assert response.status_code == 201, response.text
